import { LuaScript } from '@shop/redis';

/**
 * Applies one event to a board exactly once: dedupe check, every score update and the marker in one
 * atomic script, on one slot (every key carries the board's hash tag).
 *
 * KEYS  1 marker  2 rebuild lease  3 live index  4 tmp index  5 tmp seen-set  6 committed rebuilds,
 *       then per period: live zset, live ties, tmp zset, tmp ties
 * ARGV  mode ('live' | 'rebuild'), rebuild id, marker ttl ms, rebuild ttl ms, tie stamp, event id,
 *       n periods, per period: suffix, expire-at ms (0 = never); n members, per member: member, delta
 * Returns 1 applied, 0 duplicate; error replies E_LEADERBOARD_SCORE_BOUND / E_LEADERBOARD_REBUILD_LOST.
 *
 * Why these choices:
 * - Two passes: every new total is computed and bound-checked first, then written. Redis does not roll
 *   back a script's earlier writes on error, so a refused delta must fail before the first write.
 * - The marker is written last (same reason: an error must leave no marker, or the retry would be
 *   acked as a duplicate of an effect that never happened).
 * - A member's tie stamp is the larger of its current one and the event's (compared numerically: Lua
 *   string comparison follows the server's locale). Taking the maximum instead of "the last applied"
 *   makes the board independent of delivery order, so a rebuild reproduces ties exactly.
 * - A period whose expiry has passed on Redis' clock is skipped: PEXPIREAT in the past would delete the
 *   key at once, and a rebuild skips the same periods, so both paths agree.
 * - Markers: '1' = in the live board. 'r:<id>' = replayed by rebuild <id> only: a duplicate once that
 *   rebuild is committed (KEYS[6]); while it runs, the live board still lacks the event, so a live
 *   delivery applies it to the live board only; if it failed, the marker means nothing. So a failed
 *   rebuild never makes a live redelivery look like a duplicate.
 * - While a rebuild holds the lease, a live event is also written into the rebuild's board and its id
 *   into the seen-set: the swap loses none of them, and the rebuild skips them if its source has them.
 * - Scores are written with '%.0f': Lua's default number-to-string has 14 significant digits and would
 *   round totals above 10^14.
 */
export const applyScript = new LuaScript<number>(
  'leaderboard-apply',
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mode, rid, markerTtl, rebuildTtl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local stamp, eventId = ARGV[5], ARGV[6]
local np = tonumber(ARGV[7])
local base = 8 + 2 * np
local nm = tonumber(ARGV[base])
local BOUND = 9007199254740991

local marker = redis.call('GET', KEYS[1])
local lease = redis.call('GET', KEYS[2])
local function committed(id) return redis.call('ZSCORE', KEYS[6], id) ~= false end
local live, tmp
if mode == 'rebuild' then
  if lease ~= rid then return redis.error_reply('E_LEADERBOARD_REBUILD_LOST the rebuild lease expired or was taken over') end
  if redis.call('SISMEMBER', KEYS[5], eventId) == 1 then return 0 end
  live, tmp = false, true
else
  local inRebuild = false
  if marker then
    if marker == '1' then return 0 end
    local by = string.sub(marker, 3)
    if committed(by) then return 0 end
    inRebuild = lease ~= false and by == lease
  end
  live, tmp = true, lease ~= false and not inRebuild
end

local function later(a, b)
  local x, y = tonumber(string.sub(a, 1, 13)), tonumber(string.sub(b, 1, 13))
  if x ~= y then return x > y end
  x, y = tonumber(string.sub(a, 14, 21), 16), tonumber(string.sub(b, 14, 21), 16)
  if x ~= y then return x > y end
  return tonumber(string.sub(a, 22, 29), 16) > tonumber(string.sub(b, 22, 29), 16)
end

local writes = {}
for i = 1, np do
  local suffix, expireAt = ARGV[6 + 2 * i], tonumber(ARGV[7 + 2 * i])
  if expireAt == 0 or expireAt > now then
    for _, target in ipairs({ { live, 0 }, { tmp, 2 } }) do
      if target[1] then
        local k = 6 + 4 * (i - 1) + target[2]
        local z, h = KEYS[k + 1], KEYS[k + 2]
        local changes = {}
        for j = 1, nm do
          local member, delta = ARGV[base + 2 * j - 1], tonumber(ARGV[base + 2 * j])
          local old = redis.call('HGET', h, member)
          local total = 0
          if old then total = -(tonumber(redis.call('ZSCORE', z, old .. member)) or 0) end
          local new = total + delta
          if new > BOUND or new < -BOUND then
            return redis.error_reply(string.format('E_LEADERBOARD_SCORE_BOUND total of %s in %s would be %.0f, beyond +-%.0f', member, suffix, new, BOUND))
          end
          local tie = stamp
          if old and later(old, stamp) then tie = old end
          changes[#changes + 1] = { member, old, new, tie }
        end
        writes[#writes + 1] = { z, h, suffix, expireAt, target[2] == 2, changes }
      end
    end
  end
end

local tmpIndexExpiry = now + rebuildTtl
for _, w in ipairs(writes) do
  local z, h, suffix, expireAt, isTmp, changes = unpack(w)
  for _, c in ipairs(changes) do
    if c[2] then redis.call('ZREM', z, c[2] .. c[1]) end
    local score = '0'
    if c[3] ~= 0 then score = string.format('%.0f', -c[3]) end
    redis.call('ZADD', z, score, c[4] .. c[1])
    redis.call('HSET', h, c[1], c[4])
  end
  local index = KEYS[3]
  if isTmp then index = KEYS[4] end
  if expireAt == 0 then
    -- the temporary all-time board lives as long as the lease until the swap persists it
    if isTmp then
      redis.call('PEXPIRE', z, rebuildTtl)
      redis.call('PEXPIRE', h, rebuildTtl)
    end
    redis.call('ZADD', index, '+inf', suffix)
  else
    redis.call('PEXPIREAT', z, expireAt)
    redis.call('PEXPIREAT', h, expireAt)
    redis.call('ZADD', index, expireAt, suffix)
    if isTmp and expireAt > tmpIndexExpiry then tmpIndexExpiry = expireAt end
  end
end

if live then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now) end
if tmp then
  redis.call('SADD', KEYS[5], eventId)
  redis.call('PEXPIRE', KEYS[5], rebuildTtl)
  if mode == 'rebuild' then
    redis.call('PEXPIRE', KEYS[2], rebuildTtl)
    -- KEYS[9], KEYS[10]: the tmp all-time board (period 1 is always all-time)
    redis.call('PEXPIRE', KEYS[9], rebuildTtl)
    redis.call('PEXPIRE', KEYS[10], rebuildTtl)
  end
  -- the tmp index outlives every key it lists, so the next rebuild can always find and clear leftovers
  local current = redis.call('PEXPIRETIME', KEYS[4])
  if current ~= -2 and current < tmpIndexExpiry then redis.call('PEXPIREAT', KEYS[4], tmpIndexExpiry) end
end

if mode == 'live' then
  redis.call('SET', KEYS[1], '1', 'PX', markerTtl)
elseif not marker or (marker ~= '1' and not committed(string.sub(marker, 3))) then
  -- a '1' or a committed rebuild's marker already says "in the live board": keep it
  redis.call('SET', KEYS[1], 'r:' .. rid, 'PX', markerTtl)
end
return 1
`,
);
