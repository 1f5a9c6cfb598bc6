-- check.lua: admit a request against every limit, or against none, in one
-- atomic step. The arithmetic is bucket.go's, line for line.
--
-- KEYS[i]    the state of limit i: "<level> <at>", integers (units, ms),
--            absent when the bucket is empty
-- ARGV[1]    now in ms, or "" to read the server's clock (TIME): gateway
--            instances' clocks do not matter
-- ARGV[2i]   limit i per minute, which is also its drain rate in units/ms
-- ARGV[2i+1] what the request costs limit i, in units
--
-- Returns {allowed (1 or 0), level_1, ..., level_n}: each limit's level
-- after the charge when allowed, as found when not (nothing is charged).
local window = 60000

local now
if ARGV[1] == '' then
  if redis.replicate_commands then redis.replicate_commands() end -- Redis < 5: TIME before writes
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

local n = #KEYS
local levels = {}
local allowed = 1
for i = 1, n do
  local rate, cost = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  levels[i] = drain(redis.call('GET', KEYS[i]), rate)
  if levels[i] + cost > rate * window then allowed = 0 end
end

if allowed == 1 then
  for i = 1, n do
    local rate, cost = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
    if cost > 0 then
      levels[i] = math.min(levels[i] + cost, 4503599627370496) -- maxLevel, 2^52
      -- The key lives until the bucket has drained, plus a minute of slack
      -- for clocks that differ between a primary and its replicas.
      redis.call('SET', KEYS[i], string.format('%d %d', levels[i], now), 'PX', math.ceil(levels[i] / rate) + window)
    end
  end
end

local out = {allowed}
for i = 1, n do out[i + 1] = levels[i] end
return out
