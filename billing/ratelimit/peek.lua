-- peek.lua: read where limits stand, charging and writing nothing (no SET,
-- no DEL, no expiry touched). The arithmetic is bucket.go's drain, as in
-- check.lua.
--
-- KEYS[i]    the state of limit i, as in check.lua
-- ARGV[1]    now in ms, or "" to read the server's clock (TIME)
-- ARGV[i+1]  limit i per minute (its drain rate in units/ms)
--
-- Returns {level_1, ..., level_n}: each limit's level now (0 when absent).
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[1])
end

local function drain(state, rate)
  if not state then return 0 end
  local sep = string.find(state, ' ', 1, true)
  local level, at = tonumber(string.sub(state, 1, sep - 1)), tonumber(string.sub(state, sep + 1))
  if now <= at then return level end
  local elapsed = now - at
  if elapsed >= math.ceil(level / rate) then return 0 end
  return level - elapsed * rate
end

local out = {}
for i = 1, #KEYS do
  out[i] = drain(redis.call('GET', KEYS[i]), tonumber(ARGV[i + 1]))
end
return out
