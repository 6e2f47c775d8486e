import { LuaScript } from '@shop/redis';

/**
 * A member's neighbourhood in one round trip: its rank and the `n` entries above and below it.
 * `rank(member)` is the same script with n = 0.
 *
 * KEYS  zset, ties hash of one period      ARGV  member, n
 * Returns nil for an unknown member, else { 0-based rank of the first entry, ZRANGE ... WITHSCORES }.
 *
 * The member's sorted-set entry is `<tie stamp><member>`, so its stamp is looked up first (the hash);
 * a script does both lookups and the range on the server, where a pipeline could not (the range depends
 * on the rank).
 */
export const aroundScript = new LuaScript<[number, string[]] | null>(
  'leaderboard-around',
  `
local tie = redis.call('HGET', KEYS[2], ARGV[1])
if not tie then return false end
local rank = redis.call('ZRANK', KEYS[1], tie .. ARGV[1])
if not rank then return false end
local n = tonumber(ARGV[2])
local from = rank - n
if from < 0 then from = 0 end
return { from, redis.call('ZRANGE', KEYS[1], from, rank + n, 'WITHSCORES') }
`,
);
