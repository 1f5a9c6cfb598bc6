package budget

import "github.com/redis/go-redis/v9"

// The Lua scripts below run atomically on Redis: one round trip checks and
// holds money across all the budgets of a request.
//
// Every budget contributes two keys, in order: a hash (fields "spent",
// "reserved", and "r:<reservation id>" = amount for each live reservation)
// and a sorted set of live reservation ids scored by deadline (ms). A
// missing hash means the window has not been seeded: the scripts then
// change nothing and answer {"seed", i...} with the 1-based indexes of the
// missing budgets; the client seeds them (seedScript) and runs again.
//
// Counters expire (ttl_ms, relative so that Redis's own clock does not have
// to agree with the gateways') counterRetention after their window ends.
//
// Lua numbers are doubles: amounts are exact up to 2^53 nano-USD (about
// 9 million USD); counters themselves are updated with HINCRBY on the
// decimal strings the client sends, so they stay exact int64.

// luaPreamble checks that every window exists and defines purge.
const luaPreamble = `
local n = #KEYS / 2
local missing = {}
for i = 1, n do
  if redis.call('EXISTS', KEYS[2*i-1]) == 0 then missing[#missing+1] = i end
end
if #missing > 0 then
  table.insert(missing, 1, 'seed')
  return missing
end
local function purge(h, z, now)
  local lapsed = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  if #lapsed == 0 then return end
  for _, id in ipairs(lapsed) do
    local amount = redis.call('HGET', h, 'r:' .. id)
    if amount then
      redis.call('HINCRBY', h, 'reserved', -tonumber(amount))
      redis.call('HDEL', h, 'r:' .. id)
    end
  end
  redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
end
local function expire(h, z, ttl)
  if ttl ~= '0' then
    redis.call('PEXPIRE', h, ttl)
    redis.call('PEXPIRE', z, ttl)
  end
end
`

// reserveScript: ARGV = now_ms, id, deadline_ms, amount, then per budget:
// limit, refuses (1|0), ttl_ms (0 = never). Answers
// {"refused", i, spent, reserved} or {"ok", spent1, reserved1, ...} with the
// counters as found before the hold.
var reserveScript = redis.NewScript(luaPreamble + `
local now, id, deadline, amount = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local found = {'ok'}
for i = 1, n do
  local h, z = KEYS[2*i-1], KEYS[2*i]
  purge(h, z, now)
  local c = redis.call('HMGET', h, 'spent', 'reserved')
  local base = 4 + 3*(i-1)
  if ARGV[base+2] == '1' and tonumber(c[1]) + tonumber(c[2]) + amount > tonumber(ARGV[base+1]) then
    return {'refused', i, c[1], c[2]}
  end
  found[#found+1] = c[1]
  found[#found+1] = c[2]
end
for i = 1, n do
  local h, z = KEYS[2*i-1], KEYS[2*i]
  redis.call('HINCRBY', h, 'reserved', ARGV[4])
  redis.call('HSET', h, 'r:' .. id, ARGV[4])
  redis.call('ZADD', z, deadline, id)
  expire(h, z, ARGV[4 + 3*(i-1) + 3])
end
return found
`)

// settleScript releases reservation id (if given and still held) and adds
// amount to spent. ARGV = id (empty for a charge), amount, then per budget
// ttl_ms. Answers {"ok"}.
var settleScript = redis.NewScript(luaPreamble + `
local id, amount = ARGV[1], ARGV[2]
for i = 1, n do
  local h, z = KEYS[2*i-1], KEYS[2*i]
  if id ~= '' then
    local held = redis.call('HGET', h, 'r:' .. id)
    if held then
      redis.call('HINCRBY', h, 'reserved', -tonumber(held))
      redis.call('HDEL', h, 'r:' .. id)
      redis.call('ZREM', z, id)
    end
  end
  redis.call('HINCRBY', h, 'spent', amount)
  expire(h, z, ARGV[2 + i])
end
return {'ok'}
`)

// statusScript purges lapsed reservations and reads the counters.
// ARGV = now_ms. Answers {"ok", spent1, reserved1, ...}.
var statusScript = redis.NewScript(luaPreamble + `
local found = {'ok'}
for i = 1, n do
  local h, z = KEYS[2*i-1], KEYS[2*i]
  purge(h, z, ARGV[1])
  local c = redis.call('HMGET', h, 'spent', 'reserved')
  found[#found+1] = c[1]
  found[#found+1] = c[2]
end
return found
`)

// seedScript creates each missing window with its seeded spend, only if it
// still does not exist (SET NX semantics: the first seeder wins, later ones
// change nothing). A stale reservation set left by a lost hash is dropped
// with it. ARGV = per budget: spent, ttl_ms.
var seedScript = redis.NewScript(`
for i = 1, #KEYS / 2 do
  local h, z = KEYS[2*i-1], KEYS[2*i]
  if redis.call('EXISTS', h) == 0 then
    redis.call('DEL', z)
    redis.call('HSET', h, 'spent', ARGV[2*i-1], 'reserved', 0)
    if ARGV[2*i] ~= '0' then redis.call('PEXPIRE', h, ARGV[2*i]) end
  end
end
return 1
`)
