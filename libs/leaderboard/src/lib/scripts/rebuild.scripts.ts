import { LuaScript } from '@shop/redis';

/**
 * Takes the rebuild lease and clears what an abandoned rebuild left behind.
 *
 * KEYS  lease, tmp index, then every tmp key the index listed when read (plus the tmp all-time keys
 *       and the seen-set)
 * ARGV  rebuild id, lease ttl ms, number of entries the tmp index had when read
 * Returns 1 taken, 0 the tmp index changed since it was read (read again and retry).
 */
export const beginRebuildScript = new LuaScript<number>(
  'leaderboard-rebuild-begin',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('E_LEADERBOARD_REBUILD_IN_PROGRESS another rebuild of this board holds the lease')
end
if redis.call('ZCARD', KEYS[2]) ~= tonumber(ARGV[3]) then return 0 end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`,
);

/**
 * Swaps the rebuilt board in: every tmp period is RENAMEd over its live key, live periods the rebuild
 * did not produce are deleted, the tmp index becomes the live index, the rebuild is recorded as
 * committed (its 'r:<id>' markers now mean "in the live board") and the lease is released. One script,
 * so a reader sees the old board or the new one, never a mix.
 *
 * KEYS  lease, live index, tmp index, seen-set, committed rebuilds, per tmp period: tmp zset, tmp ties,
 *       live zset, live ties; per live-only period: live zset, live ties
 * ARGV  rebuild id, marker ttl ms, n tmp, n live-only, then the tmp suffixes, then the live suffixes
 * Returns 1 swapped, 0 an index changed since it was read (a live event opened a new day: retry).
 */
export const commitRebuildScript = new LuaScript<number>(
  'leaderboard-rebuild-commit',
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('E_LEADERBOARD_REBUILD_LOST the rebuild lease expired or was taken over')
end
local nTmp, nLiveOnly = tonumber(ARGV[3]), tonumber(ARGV[4])
local nLive = #ARGV - 4 - nTmp
if redis.call('ZCARD', KEYS[3]) ~= nTmp or redis.call('ZCARD', KEYS[2]) ~= nLive then return 0 end
for i = 1, nTmp do
  if not redis.call('ZSCORE', KEYS[3], ARGV[4 + i]) then return 0 end
end
for i = 1, nLive do
  if not redis.call('ZSCORE', KEYS[2], ARGV[4 + nTmp + i]) then return 0 end
end
local k = 6
for i = 1, nTmp do
  local tz, th, lz, lh = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  k = k + 4
  if redis.call('EXISTS', tz) == 1 and redis.call('EXISTS', th) == 1 then
    redis.call('RENAME', tz, lz)
    redis.call('RENAME', th, lh)
    -- the tmp all-time board carried the lease's TTL; week/day keys keep their period expiry
    if ARGV[4 + i] == 'all' then
      redis.call('PERSIST', lz)
      redis.call('PERSIST', lh)
    end
  else
    redis.call('DEL', tz, th, lz, lh)
  end
end
for i = 1, nLiveOnly do
  redis.call('DEL', KEYS[k], KEYS[k + 1])
  k = k + 2
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('RENAME', KEYS[3], KEYS[2])
  redis.call('PERSIST', KEYS[2])
else
  redis.call('DEL', KEYS[2])
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- a rebuild's markers are at most marker-ttl old when it commits, so its id is needed no longer than that
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[5], now, ARGV[1])
redis.call('PEXPIRE', KEYS[5], ARGV[2])
redis.call('DEL', KEYS[4], KEYS[1])
return 1
`,
);

/** Releases the lease if this rebuild still holds it (the tmp keys are cleared by the next rebuild). */
export const abortRebuildScript = new LuaScript<number>(
  'leaderboard-rebuild-abort',
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);
