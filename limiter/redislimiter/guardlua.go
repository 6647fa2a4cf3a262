package redislimiter

import "github.com/redis/go-redis/v9"

// The pumping guard's counts, in Lua. A prefix's counts and its region's
// are each one hash, both in the region's hash slot:
//
//	<prefix>{<hex of the region's key>}             the region
//	<prefix>{<hex of the region's key>}:<hex of the prefix's key>
//
// with one field per bucket of the limiter's clock (µs): s<hour> the sends
// and v<hour> the verified codes of an hour, V<day> the verified codes of
// a day, x<day> a day with a refusal, b the time of the last refusal, f
// the day of the first count, and, in the region's hash only, t the newest
// time written (a clock that steps back is held at it). Hours and days
// count from the Unix epoch, UTC. A hash holds at most 24 + 24 + 30 + 7 + 3
// fields: a field that left its window is deleted when the hash is next
// read. Each hash expires 31 days after its last write. The safe list's
// mark of a contact is a string key in the same slot,
//
//	<prefix>{<hex of the region's key>}:c:<hex of the contact's key>
//
// holding the end (µs) of the 30 days a verified code marks it for,
// deleted by the contact's next send.

// guardLua is what the guard's scripts share.
//
// tally(key, h, d) reads key's counts at hour h and day d, deleting what
// left the windows: {sent, ver, month, days, strikes} and the last refusal
// (or nil). guardNow(arg, rkey) is the time: arg µs, or Redis's TIME when 0,
// held at the region's newest.
//
// decide(p, r, a, trusted) is limiter.Allowance.Decide: 0 allow, 1 refuse
// for the prefix, 2 for the region. a holds base, knee, low, high, per,
// regionBase, regionRate.
//
// judge(pkey, rkey, ckey, a, trusted, now) decides a send and records it
// (or its refusal), with the safe list's mark ckey (or nil); it returns
// the verdict, whether a refusal starts a block (or, when allowed, whether
// the safe list allowed it), and the time recorded.
const guardLua = `
local HOUR, DAY, QUIET = 3600000000, 86400000000, 3600000000
local KEEP = string.format('%d', 31 * 86400000)

local function tally(key, h, d)
  local f = redis.call('HGETALL', key)
  local c = {sent = 0, ver = 0, month = 0, days = 1, strikes = 0}
  local last
  local stale = {}
  for i = 1, #f, 2 do
    local name, n = f[i], tonumber(f[i + 1])
    local kind, id = string.sub(name, 1, 1), tonumber(string.sub(name, 2))
    if name == 'b' then
      last = n
    elseif name == 'f' then
      c.days = math.min(math.max(d - n + 1, 1), 30)
    elseif name == 't' then
      -- the region's newest time: read by guardNow
    elseif kind == 's' and id >= h - 23 then
      c.sent = c.sent + n
    elseif kind == 'v' and id >= h - 23 then
      c.ver = c.ver + n
    elseif kind == 'V' and id >= d - 29 then
      c.month = c.month + n
    elseif kind == 'x' and id >= d - 6 then
      c.strikes = c.strikes + 1
    else
      stale[#stale + 1] = name
    end
  end
  if c.sent == 0 and c.ver == 0 and c.month == 0 and c.strikes == 0 then
    -- Nothing counts: a new history starts with the next count.
    c.days = 1
    stale[#stale + 1] = 'f'
  end
  if #stale > 0 then
    redis.call('HDEL', key, unpack(stale))
  end
  return c, last
end

local function usual(c)
  return math.max(c.ver, math.floor(c.month / c.days))
end

local function struck(base, strikes)
  return math.floor(base / 2 ^ math.min(strikes, 2))
end

local function decide(p, r, a, trusted)
  if trusted then
    return 0
  end
  local unverified = math.max(0, p.sent - p.ver)
  local v = usual(p)
  local earned = math.floor((a.low * math.min(v, a.knee) + a.high * math.max(0, v - a.knee)) / a.per)
  if unverified <= earned then
    return 0
  end
  if unverified > earned + struck(a.base, p.strikes) then
    return 1
  end
  if math.max(0, r.sent - r.ver) > math.floor(a.regionRate * usual(r) / a.per) + struck(a.regionBase, r.strikes) then
    return 2
  end
  return 0
end

local function field(kind, id)
  return kind .. string.format('%d', id)
end

-- guardNow(arg, rkey): arg µs (or Redis's TIME when 0), held at the
-- region's newest time.
local function guardNow(arg, rkey)
  local newest = tonumber(redis.call('HGET', rkey, 't'))
  local now = tonumber(arg)
  if now == 0 then
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  end
  if newest and newest > now then
    now = newest
  end
  return now
end

local function judge(pkey, rkey, ckey, a, trusted, clockArg)
  local now = guardNow(clockArg, rkey)
  local h, d = math.floor(now / HOUR), math.floor(now / DAY)
  local p, plast = tally(pkey, h, d)
  local r, rlast = tally(rkey, h, d)
  p.sent = p.sent + 1
  r.sent = r.sent + 1
  local verdict = decide(p, r, a, trusted)
  local safe = 0
  if ckey then
    -- The safe list: any send allowed to the contact takes its mark, and a
    -- refused one passes on it.
    local mark = tonumber(redis.call('GET', ckey))
    if mark and verdict ~= 0 and mark > now then
      verdict, safe = 0, 1
    end
    if mark and verdict == 0 then
      redis.call('DEL', ckey)
    end
  end
  local stamp = string.format('%d', now)
  if verdict == 0 then
    for _, key in ipairs({pkey, rkey}) do
      redis.call('HINCRBY', key, field('s', h), 1)
      redis.call('HSETNX', key, 'f', d)
      redis.call('PEXPIRE', key, KEEP)
    end
    redis.call('HSET', rkey, 't', stamp)
    return 0, safe, now
  end
  local key, last, c = pkey, plast, p
  if verdict == 2 then
    key, last, c = rkey, rlast, r
  end
  local started = 0
  if not last or now - last >= QUIET then
    started = 1
  end
  redis.call('HSET', key, 'b', stamp)
  if c.ver == 0 then
    redis.call('HSET', key, field('x', d), 1)
  end
  redis.call('HSETNX', key, 'f', d)
  redis.call('PEXPIRE', key, KEEP)
  return verdict, started, now
end

-- allowance(a): ARGV[a .. a+7] base, knee, low, high, per (at least 1),
-- regionBase, regionRate, trusted.
local function allowance(a)
  return {base = tonumber(ARGV[a]), knee = tonumber(ARGV[a + 1]), low = tonumber(ARGV[a + 2]),
    high = tonumber(ARGV[a + 3]), per = tonumber(ARGV[a + 4]), regionBase = tonumber(ARGV[a + 5]),
    regionRate = tonumber(ARGV[a + 6])}, ARGV[a + 7] == '1'
end
`

// allowSendScript: KEYS[1..m] the requests' events, KEYS[m+1] the
// prefix's hash, KEYS[m+2] the region's, KEYS[m+3] the contact's safe-list
// mark; ARGV now µs (0: Redis's TIME), then for each request its number
// of rules n and n pairs of limit and window µs, then the allowance and
// trusted (see allowance), then 1 when the safe list applies (a contact
// is named). Returns {0, index of the refusing request, retry after µs}
// with nothing recorded; {2, verdict, started} when the guard refused,
// nothing recorded but the refusal; or {1, remaining, time recorded, ... a
// pair per request, the send's time, 1 when the safe list allowed it}.
var allowSendScript = redis.NewScript(allowLua + guardLua + `
local now = clock(ARGV[1])
local m = #KEYS - 3
local reply, taken, a = takeAll(m, now)
if not reply then
  return taken -- the refusal
end
local rules, trusted = allowance(a)
local ckey
if ARGV[a + 8] == '1' then
  ckey = KEYS[m + 3]
end
local verdict, started, at = judge(KEYS[m + 1], KEYS[m + 2], ckey, rules, trusted, ARGV[1])
if verdict ~= 0 then
  for j = m, 1, -1 do
    redis.call('ZREM', KEYS[j], taken[j])
  end
  return {2, verdict, started}
end
reply[2 * m + 2] = at
reply[2 * m + 3] = started
return reply
`)

// releaseSendScript: KEYS[1] the prefix's hash, KEYS[2] the region's; ARGV
// the send's time µs. Takes the send back from both, when the prefix still
// counts a send of that hour.
var releaseSendScript = redis.NewScript(`
local f = 's' .. string.format('%d', math.floor(tonumber(ARGV[1]) / 3600000000))
local n = tonumber(redis.call('HGET', KEYS[1], f))
if n and n > 0 then
  redis.call('HINCRBY', KEYS[1], f, -1)
  local r = tonumber(redis.call('HGET', KEYS[2], f))
  if r and r > 0 then
    redis.call('HINCRBY', KEYS[2], f, -1)
  end
end
return {}
`)

// verifiedScript: KEYS[1] the prefix's hash, KEYS[2] the region's, KEYS[3]
// the contact's safe-list mark; ARGV now µs (0: Redis's TIME), and 1 when
// a contact is named. Counts a verified code for both hashes, and marks
// the contact safe for 30 days.
var verifiedScript = redis.NewScript(guardLua + `
local now = guardNow(ARGV[1], KEYS[2])
local h, d = math.floor(now / HOUR), math.floor(now / DAY)
if ARGV[2] == '1' then
  -- The mark holds its end on the limiter's clock; Redis's expiry
  -- drops it (on Redis's clock) a little later.
  redis.call('SET', KEYS[3], string.format('%d', now + 30 * DAY), 'PX', string.format('%d', 31 * 86400000))
end
for _, key in ipairs({KEYS[1], KEYS[2]}) do
  tally(key, h, d)
  redis.call('HINCRBY', key, field('v', h), 1)
  redis.call('HINCRBY', key, field('V', d), 1)
  redis.call('HSETNX', key, 'f', d)
  redis.call('PEXPIRE', key, KEEP)
end
redis.call('HSET', KEYS[2], 't', string.format('%d', now))
return {}
`)
