import { LuaScript } from '@shop/redis';

/**
 * The common case of `slidingWindowScript` in less Redis time: one counter policy. Same state, keys,
 * clock and answers (see there); without the N-policy plan and its second pass.
 *
 * KEYS[1]  the policy's hash { w, c, p }
 * ARGV     limit, window in microseconds, cost
 * Returns  { now_us, allowed, remaining, reset_ms, retry_ms }
 */
export const slidingCounterScript = new LuaScript<Array<number>>(
  'rate-limit-sliding-counter',
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local w = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local win = math.floor(now / w)
local v = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local idx = tonumber(v[1])
local cur, prev = 0, 0
if idx == win then
  cur = tonumber(v[2]) or 0; prev = tonumber(v[3]) or 0
elseif idx == win - 1 then
  prev = tonumber(v[2]) or 0
end
local est = prev * (1 - (now - win * w) / w) + cur
if est + cost <= limit then
  if cost > 0 then
    if idx == win then
      redis.call('HINCRBY', KEYS[1], 'c', cost)
    else
      redis.call('HSET', KEYS[1], 'w', string.format('%.0f', win), 'c', cur + cost, 'p', prev)
      redis.call('PEXPIREAT', KEYS[1], math.ceil((win + 2) * w / 1000) + 1)
    end
  end
  local reset = 0
  if cur + cost > 0 then reset = (win + 2) * w - now elseif prev > 0 then reset = (win + 1) * w - now end
  return { now, 1, math.max(0, math.floor(limit - est - cost)), math.ceil(reset / 1000), 0 }
end
local retry = -1
if cost <= limit then
  if cur + cost <= limit then
    retry = win * w + (1 - (limit - cur - cost) / prev) * w - now
  else
    retry = (win + 1) * w + (1 - (limit - cost) / cur) * w - now
  end
  if retry >= 0 then retry = math.ceil(retry / 1000) else retry = -1 end
end
local reset = 0
if cur > 0 then reset = (win + 2) * w - now elseif prev > 0 then reset = (win + 1) * w - now end
return { now, 0, math.max(0, math.floor(limit - est)), math.ceil(reset / 1000), retry }
`,
);
