-- adjust.lua: add a signed number of units to limits without checking
-- them (bucket.go's addLevel): a TPM limit's correction from estimated to
-- actual tokens. A level may exceed the limit (a debt) but not go below 0.
--
-- KEYS[i]    the state of limit i, as in check.lua
-- ARGV[1]    now in ms, or "" to read the server's clock (TIME)
-- ARGV[2i]   limit i per minute (its drain rate in units/ms)
-- ARGV[2i+1] the units to add to limit i (negative to give back)
local window = 60000

local now
if ARGV[1] == '' then
  if redis.replicate_commands then redis.replicate_commands() end
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

for i = 1, #KEYS do
  local rate, delta = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local level = math.max(0, math.min(drain(redis.call('GET', KEYS[i]), rate) + delta, 4503599627370496))
  if level > 0 then
    redis.call('SET', KEYS[i], string.format('%d %d', level, now), 'PX', math.ceil(level / rate) + window)
  else
    redis.call('DEL', KEYS[i])
  end
end
return 0
