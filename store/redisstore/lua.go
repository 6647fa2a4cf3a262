package redisstore

import "github.com/redis/go-redis/v9"

// luaNow reads the clock: the caller's milliseconds when given (tests),
// otherwise Redis's TIME. Scripts that call TIME and then write are safe:
// Redis 5 and later replicate a script's effects, not the script.
const luaNow = `
local now = tonumber(ARGV[#ARGV])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`

// saveScript: KEYS[1] record; ARGV digest, ttl ms, max attempts, sealed
// payload (empty for none), now.
// Replaces the record whole (attempts back to 0) and sets its expiry in the
// same step.
var saveScript = redis.NewScript(luaNow + `
local ttl = tonumber(ARGV[2])
redis.call('DEL', KEYS[1])
-- string.format: Lua's own number-to-string keeps only 14 digits.
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'a', 0, 'm', ARGV[3], 's', ARGV[4], 'e', string.format('%d', now + ttl))
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`)

// consumeScript: KEYS[1] record; ARGV digest, now. Returns the store.Result:
// 0 not found, 1 match (deleted), 2 mismatch (counted), 3 exhausted
// (deleted).
var consumeScript = redis.NewScript(luaNow + `
local r = redis.call('HMGET', KEYS[1], 'd', 'm', 'e')
if not r[1] then
  return 0
end
if now >= tonumber(r[3]) then
  redis.call('DEL', KEYS[1])
  return 0
end
if r[1] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
local a = redis.call('HINCRBY', KEYS[1], 'a', 1)
if a >= tonumber(r[2]) then
  redis.call('DEL', KEYS[1])
  return 3
end
return 2
`)

// peekScript: KEYS[1] record; ARGV now. Returns {sealed payload, ms left},
// or {”, 0} when no live record holds one.
var peekScript = redis.NewScript(luaNow + `
local r = redis.call('HMGET', KEYS[1], 's', 'e')
if not r[1] or r[1] == '' or now >= tonumber(r[2]) then
  return {'', 0}
end
return {r[1], tonumber(r[2]) - now}
`)
