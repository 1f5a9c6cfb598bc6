package idempotency

import "github.com/redis/go-redis/v9"

// Each key is one hash: state ("running" or "done"), fp (the request's
// fingerprint), token (the running holder's random token) and result. A
// running key expires LockTTL after its holder's last renewal; a done key
// expires ttl after Complete.

// beginScript: ARGV = fingerprint, token, lock_ttl_ms. Answers {"started"},
// {"conflict"}, {"replay", result} or {"wait", pttl_ms}.
var beginScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'state', 'fp', 'result')
if not v[1] then
  redis.call('HSET', KEYS[1], 'state', 'running', 'fp', ARGV[1], 'token', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {'started'}
end
if v[2] ~= ARGV[1] then return {'conflict'} end
if v[1] == 'done' then return {'replay', v[3]} end
return {'wait', redis.call('PTTL', KEYS[1])}
`)

// renewScript: ARGV = token, lock_ttl_ms. 1 if the claim is still held.
var renewScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'state', 'token')
if v[1] ~= 'running' or v[2] ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)

// completeScript stores the result if the claim still holds the key or the
// key is free (the claim lapsed and nobody took it). ARGV = token,
// fingerprint, result, ttl_ms. 0 if another request holds the key.
var completeScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'state', 'token')
if v[1] and not (v[1] == 'running' and v[2] == ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', 'done', 'fp', ARGV[2], 'result', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`)

// abandonScript frees the key if the claim still holds it. ARGV = token.
var abandonScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'state', 'token')
if v[1] == 'running' and v[2] == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`)
