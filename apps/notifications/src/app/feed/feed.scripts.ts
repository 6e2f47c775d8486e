import { LuaScript } from '@shop/redis';

/** `[outcome, entry id, previous entry id or '', unread 1|0]`. */
export type AddReply = [
  outcome: 'added' | 'duplicate' | 'gone',
  id: string,
  previousId: string,
  unread: number,
];

/**
 * Adds one notification to a feed exactly once: the event marker check, the `XADD`, the exact trim, the
 * unread mark, the TTLs and the marker are one atomic script on one slot (every key carries the feed's
 * hash tag). The pattern of `libs/leaderboard`'s apply script and of `IdempotentLuaScript`.
 *
 * KEYS  1 feed stream  2 unread set  3 event marker
 * ARGV  1 notification JSON (field `n`)  2 feed length  3 feed TTL ms  4 marker TTL ms
 * Returns `AddReply`: `added` (now), `duplicate` (the marker names an entry still in the feed: nothing
 * changes, the reply describes that entry), `gone` (the entry was added before and trimmed since).
 *
 * Why these choices:
 * - The marker's value is the entry id, so a redelivered event answers with the entry it already became,
 *   and the caller republishes that very entry for live delivery (readers drop it by id).
 * - The entry before the new one is read before the `XADD` and stored in the entry (field `p`): the live
 *   payload names it (`previousId`) so a reader can tell a gap from a duplicate, and a redelivery
 *   answers with the same `p` as the first delivery, even when that entry has been trimmed since.
 * - Exact trimming (`MAXLEN` without `~`), and the trimmed ids leave the unread set in the same script:
 *   the unread count is the set's size, so an id trimmed from the stream but left in the set would count
 *   a notification nobody can read or mark. The ids to drop are read with `XRANGE - + COUNT excess`
 *   first (`XTRIM` does not say which it removed).
 * - Every command that can fail on the data (`WRONGTYPE`) runs before the first write, and the marker is
 *   written last: Redis does not roll back a script's earlier writes on error, so a marker written first
 *   would make every retry of a failed add look like a duplicate of an entry that was never added.
 * - Stream and unread set get the feed TTL on every add (a feed idle that long expires whole); the
 *   marker its own, shorter TTL (a redelivery comes within minutes, not days).
 * - Hand-written Lua rather than `MULTI`: the duplicate check decides whether anything is written, and
 *   the trim needs the ids it removes; a transaction cannot branch on what it reads.
 */
export const addNotificationScript = new LuaScript<AddReply>(
  'notifications-add',
  `
local stream, unread, marker = KEYS[1], KEYS[2], KEYS[3]
local existing = redis.call('GET', marker)
if existing then
  local entry = redis.call('XRANGE', stream, existing, existing)
  if #entry == 0 then return { 'gone', existing, '', 0 } end
  local fields, previous = entry[1][2], ''
  for i = 1, #fields, 2 do
    if fields[i] == 'p' then previous = fields[i + 1] end
  end
  return { 'duplicate', existing, previous, redis.call('SISMEMBER', unread, existing) }
end

local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
redis.call('SCARD', unread) -- fails on a wrong type before anything is written
local previous, id = '', nil
if #last > 0 then
  previous = last[1][1]
  id = redis.call('XADD', stream, '*', 'n', ARGV[1], 'p', previous)
else
  id = redis.call('XADD', stream, '*', 'n', ARGV[1])
end

local cap = tonumber(ARGV[2])
local excess = redis.call('XLEN', stream) - cap
if excess > 0 then
  for _, old in ipairs(redis.call('XRANGE', stream, '-', '+', 'COUNT', excess)) do
    redis.call('SREM', unread, old[1])
  end
  redis.call('XTRIM', stream, 'MAXLEN', cap)
end
redis.call('SADD', unread, id)
redis.call('PEXPIRE', stream, ARGV[3])
redis.call('PEXPIRE', unread, ARGV[3])
redis.call('SET', marker, id, 'PX', ARGV[4])
return { 'added', id, previous, 1 }
`,
);

/**
 * Marks one entry read if it is in the feed: the membership check and the `SREM` are atomic, so an
 * entry trimmed meanwhile can never be reported as marked.
 *
 * KEYS  1 feed stream  2 unread set      ARGV  1 entry id
 * Returns the unread count after the mark, or -1 when the id is not an entry of the feed.
 */
export const markReadScript = new LuaScript<number>(
  'notifications-mark-read',
  `
if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then return -1 end
redis.call('SREM', KEYS[2], ARGV[1])
return redis.call('SCARD', KEYS[2])
`,
);
