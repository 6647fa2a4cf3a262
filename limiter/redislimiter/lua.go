package redislimiter

import "github.com/redis/go-redis/v9"

// Times are integer microseconds. Lua numbers are doubles, exact for
// integers up to 2^53 (about 285 years of microseconds), but Lua's default
// number-to-string conversion keeps 14 digits, so every time that becomes
// an argument or a member name goes through string.format('%d').

// allowScript: KEYS[1] events; ARGV n, then n pairs of limit and window
// µs, then now µs (0: Redis's TIME). Returns {1, remaining, time recorded}
// or {0, retry after µs, 0}.
var allowScript = redis.NewScript(`
local n = tonumber(ARGV[1])
local maxLimit, maxWindow = 0, 0
for i = 1, n do
  maxLimit = math.max(maxLimit, tonumber(ARGV[2 * i]))
  maxWindow = math.max(maxWindow, tonumber(ARGV[2 * i + 1]))
end
local now = tonumber(ARGV[2 * n + 2])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
-- Keep times ascending if the clock stepped back (a failover to a node whose
-- clock is behind): never record an event before the newest one.
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) > now then
  now = tonumber(newest[2])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - maxWindow))
local remaining, refused, retry = maxLimit, false, 0
for i = 1, n do
  local limit, window = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local count = redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%d', now - window), '+inf')
  if count >= limit then
    -- The limit-th newest event must leave this window before another fits.
    local e = redis.call('ZREVRANGE', KEYS[1], limit - 1, limit - 1, 'WITHSCORES')
    refused = true
    retry = math.max(retry, tonumber(e[2]) + window - now)
  else
    remaining = math.min(remaining, limit - count - 1)
  end
end
if refused then
  return {0, retry, 0}
end
local stamp = string.format('%d', now)
local seq = 0
local member = stamp
while redis.call('ZSCORE', KEYS[1], member) do
  seq = seq + 1
  member = stamp .. ':' .. seq
end
redis.call('ZADD', KEYS[1], stamp, member)
-- Keep only the newest maxLimit events: no rule looks further back.
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(maxLimit + 1))
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil(maxWindow / 1000)))
return {1, remaining, now}
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
