package redislimiter

import "github.com/redis/go-redis/v9"

// Times are integer microseconds. Lua numbers are doubles, exact for
// integers up to 2^53 (about 285 years of microseconds), but Lua's default
// number-to-string conversion keeps 14 digits, so every time that becomes
// an argument or a member name goes through string.format('%d').

// allowLua is what allowScript, allowAllScript and allowSendScript share.
//
// clock(arg) is arg as µs, or Redis's TIME when it is 0.
//
// allow(key, a, now): ARGV[a] is the number n of rules, ARGV[a+1 .. a+2n]
// their limits and windows µs. It records an event on key at now if every
// rule lets one through, and returns true, the remaining, the time recorded
// and the member added; or false and the retry after µs.
const allowLua = `
local function clock(arg)
  local now = tonumber(arg)
  if now == 0 then
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  end
  return now
end

local function allow(key, a, now)
  local n = tonumber(ARGV[a])
  local maxLimit, maxWindow = 0, 0
  for i = 1, n do
    maxLimit = math.max(maxLimit, tonumber(ARGV[a + 2 * i - 1]))
    maxWindow = math.max(maxWindow, tonumber(ARGV[a + 2 * i]))
  end
  -- Keep times ascending if the clock stepped back (a failover to a node
  -- whose clock is behind): never record an event before the newest one.
  local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if newest[2] and tonumber(newest[2]) > now then
    now = tonumber(newest[2])
  end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%d', now - maxWindow))
  local remaining, refused, retry = maxLimit, false, 0
  for i = 1, n do
    local limit, window = tonumber(ARGV[a + 2 * i - 1]), tonumber(ARGV[a + 2 * i])
    local count = redis.call('ZCOUNT', key, '(' .. string.format('%d', now - window), '+inf')
    if count >= limit then
      -- The limit-th newest event must leave this window before another fits.
      local e = redis.call('ZREVRANGE', key, limit - 1, limit - 1, 'WITHSCORES')
      refused = true
      retry = math.max(retry, tonumber(e[2]) + window - now)
    else
      remaining = math.min(remaining, limit - count - 1)
    end
  end
  if refused then
    return false, retry
  end
  local stamp = string.format('%d', now)
  local seq = 0
  local member = stamp
  while redis.call('ZSCORE', key, member) do
    seq = seq + 1
    member = stamp .. ':' .. seq
  end
  redis.call('ZADD', key, stamp, member)
  -- Keep only the newest maxLimit events: no rule looks further back.
  redis.call('ZREMRANGEBYRANK', key, 0, -(maxLimit + 1))
  redis.call('PEXPIRE', key, string.format('%d', math.ceil(maxWindow / 1000)))
  return true, remaining, now, member
end

-- takeAll(m, now): allow on KEYS[1..m] in turn, their rules in ARGV from
-- index 2. On a refusal it gives back what it took and returns nil and
-- the refusal's reply {0, index from 0, retry after µs}; otherwise the
-- reply so far {1, remaining, time recorded, ...}, the members taken, and
-- the index of ARGV after the keys' rules.
local function takeAll(m, now)
  local reply, taken, a = {1}, {}, 2
  for k = 1, m do
    local ok, x, at, member = allow(KEYS[k], a, now)
    if not ok then
      for j = k - 1, 1, -1 do
        redis.call('ZREM', KEYS[j], taken[j])
      end
      return nil, {0, k - 1, x}
    end
    taken[k] = member
    reply[2 * k] = x
    reply[2 * k + 1] = at
    a = a + 1 + 2 * tonumber(ARGV[a])
  end
  return reply, taken, a
end
`

// allowScript: KEYS[1] events; ARGV n, then n pairs of limit and window
// µs, then now µs (0: Redis's TIME). Returns {1, remaining, time recorded}
// or {0, retry after µs, 0}.
var allowScript = redis.NewScript(allowLua + `
local ok, x, at = allow(KEYS[1], 1, clock(ARGV[2 * tonumber(ARGV[1]) + 2]))
if not ok then
  return {0, x, 0}
end
return {1, x, at}
`)

// allowAllScript: KEYS[1..m] events; ARGV now µs (0: Redis's TIME), then for
// each key in turn its number of rules n and n pairs of limit and window µs.
// A key may appear twice: each is decided after those before it. Returns
// {1, remaining, time recorded, ...} with a pair per key when every key
// allowed its event, or {0, index from 0 of the first refusing key, retry
// after µs} with nothing recorded.
var allowAllScript = redis.NewScript(allowLua + `
local now = clock(ARGV[1])
local reply, refusal = takeAll(#KEYS, now)
return reply or refusal
`)

// releaseScript: KEYS[1] events; ARGV time µs, clock (unused). Removes one
// event recorded at that time.
var releaseScript = redis.NewScript(`
local m = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1)
if m[1] then
  redis.call('ZREM', KEYS[1], m[1])
end
return {}
`)
