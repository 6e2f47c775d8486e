import { LuaScript } from '@shop/redis';

/**
 * One rate-limit decision for one client over N policies, atomically, on Redis' clock.
 *
 * KEYS[i]  the state of policy i (all share the client's hash tag, so one Cluster slot)
 * ARGV     n, cost, then per policy: mode ('c' counter | 'l' log), limit, window in microseconds
 * Returns  { now_us, all_allowed, then per policy: allowed, remaining, reset_ms, retry_ms }
 *
 * Why these choices:
 * - `TIME` inside the script: every gateway instance decides on the same clock, so skewed hosts cannot
 *   widen a window (scripts that write after TIME are fine with effect replication, Redis >= 5).
 * - Two passes: every policy is decided first and state is written only if ALL allow. A request denied
 *   by one policy consumes nothing from the others, so a client hammering a tight limit does not also
 *   drain its looser ones (and the answer is the same whatever the policy order).
 * - Every write carries its TTL in the same script (SET ... PX, ZADD + PEXPIRE): no key can exist without
 *   one (the classic INCR-then-EXPIRE crash window does not exist here).
 * - counter: a hash { w = sub-window index, c = its count, p = the previous sub-window's count }, read
 *   with HMGET. Within a sub-window an allowed decision is one HINCRBY (the entry keeps its TTL); the
 *   first call of a new sub-window rewrites it (HSET) with a PEXPIREAT at the end of the next one.
 *   Rotation is lazy (done by whichever call first sees a new index), estimate = p * (1 - elapsed) + c.
 *   A string rewritten with SET PX on every decision cost about twice the Redis time (INFO commandstats).
 *   Keys are `<policy>:h<window>`: the older string layout used `:c<window>`, so the two never meet.
 * - log: a sorted set scored by microsecond time, one member per unit; exact, O(limit) memory.
 */
export const slidingWindowScript = new LuaScript<Array<number>>(
  'rate-limit-sliding-window',
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local out = { now, 1 }
local plan = {}
local all = true

for i = 1, n do
  local key = KEYS[i]
  local base = 2 + (i - 1) * 3
  local mode = ARGV[base + 1]
  local limit = tonumber(ARGV[base + 2])
  local w = tonumber(ARGV[base + 3])
  local allowed, remaining, reset, retry
  if mode == 'l' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - w)
    local used = redis.call('ZCARD', key)
    allowed = used + cost <= limit
    if allowed then
      remaining = limit - used
      retry = 0
      if cost > 0 then
        reset = w
      elseif used > 0 then
        reset = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]) + w - now
      else
        reset = 0
      end
    else
      remaining = math.max(0, limit - used)
      if cost > limit then
        retry = -1
      else
        -- the (used + cost - limit)-th oldest unit has to leave the window first
        local oldest = redis.call('ZRANGE', key, used + cost - limit - 1, used + cost - limit - 1, 'WITHSCORES')
        retry = tonumber(oldest[2]) + w - now
      end
      reset = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]) + w - now
    end
    plan[i] = { 'l', key, w, used, allowed }
  else
    local win = math.floor(now / w)
    local idx, cur, prev = nil, 0, 0
    local v = redis.call('HMGET', key, 'w', 'c', 'p')
    idx = tonumber(v[1])
    if idx == win then
      cur = tonumber(v[2]) or 0; prev = tonumber(v[3]) or 0
    elseif idx == win - 1 then
      prev = tonumber(v[2]) or 0
    end
    local f = (now - win * w) / w
    local est = prev * (1 - f) + cur
    allowed = est + cost <= limit
    if allowed then
      remaining = limit - est
      retry = 0
    else
      remaining = math.max(0, math.floor(limit - est))
      if cost > limit then
        retry = -1
      elseif cur + cost <= limit then
        -- within this sub-window, once enough of the previous one has slid out
        retry = win * w + (1 - (limit - cur - cost) / prev) * w - now
      else
        -- in the next sub-window, where this one becomes the weighted previous
        retry = (win + 1) * w + (1 - (limit - cost) / cur) * w - now
      end
    end
    local c2 = cur
    if allowed then c2 = cur + cost end
    if c2 > 0 then
      reset = (win + 2) * w - now
    elseif prev > 0 then
      reset = (win + 1) * w - now
    else
      reset = 0
    end
    -- same: this sub-window's entry exists (with its TTL), so HINCRBY alone writes the decision
    plan[i] = { 'c', key, w, win, cur, prev, allowed, idx == win }
  end
  if not allowed then all = false end
  out[#out + 1] = allowed and 1 or 0
  out[#out + 1] = remaining -- an allowed policy's remaining is reduced by cost below, if all allow
  out[#out + 1] = math.ceil(reset / 1000)
  if retry < 0 then
    out[#out + 1] = -1
  else
    out[#out + 1] = math.ceil(retry / 1000)
  end
end

for i = 1, n do
  local r = 4 + (i - 1) * 4
  if out[r - 1] == 1 then
    if all then out[r] = out[r] - cost end
    out[r] = math.max(0, math.floor(out[r]))
  end
end

if all and cost > 0 then
  for i = 1, n do
    local p = plan[i]
    if p[1] == 'l' then
      for u = 1, cost do
        local member = string.format('%.0f-%d', now, u)
        -- two decisions in the same microsecond must not share a member
        while redis.call('ZADD', p[2], 'NX', now, member) == 0 do member = member .. '+' end
      end
      redis.call('PEXPIRE', p[2], math.ceil(p[3] / 1000) + 1)
    elseif p[8] then
      redis.call('HINCRBY', p[2], 'c', cost)
    else
      -- a new sub-window: the entry is rewritten, and lives until the end of the next one
      redis.call('HSET', p[2], 'w', string.format('%.0f', p[4]), 'c', p[5] + cost, 'p', p[6])
      redis.call('PEXPIREAT', p[2], math.ceil((p[4] + 2) * p[3] / 1000) + 1)
    end
  end
end
if not all then out[2] = 0 end
return out
`,
);
