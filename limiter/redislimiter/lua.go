package redislimiter

import "github.com/redis/go-redis/v9"

// Times are integer microseconds. Lua numbers are doubles, exact for
// integers up to 2^53 (about 285 years of microseconds), but Lua's default
// number-to-string conversion keeps 14 digits, so every time that becomes
// an argument or a member name goes through string.format('%d').

// allowScript: KEYS[1] events; ARGV limit, window µs, now µs (0: Redis's
// TIME). Returns {1, remaining, time recorded} or {0, retry after µs, 0}.
var allowScript = redis.NewScript(`
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
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
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - window))
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  -- The limit-th newest event must leave before another fits.
  local e = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  return {0, tonumber(e[2]) + window - now, 0}
end
local stamp = string.format('%d', now)
local seq = 0
local member = stamp
while redis.call('ZSCORE', KEYS[1], member) do
  seq = seq + 1
  member = stamp .. ':' .. seq
end
redis.call('ZADD', KEYS[1], stamp, member)
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil(window / 1000)))
return {1, limit - n - 1, now}
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
