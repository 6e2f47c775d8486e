import { LuaScript } from '@shop/redis';

/** ACCEPT's reply when the queue is full. */
export const FULL = -1;

// Accept a write: remember the latest value per key with its sequence and, only if the key was not
// already waiting, append it to the stream. So the stream holds at most one live entry per waiting key
// (the consumer reads the key's latest value from the hash when it processes the entry), and never
// needs trimming. Atomic, so a crash never leaves a value without its queue entry.
// The sequence is the fencing token handed to `persist`: one counter per queue (the hash's `__seq`
// field, which HDEL of persisted keys never removes), so it only grows, for every key.
// The hash also holds the `__seq` counter, hence `HLEN - 1` waiting keys.
export const ACCEPT = new LuaScript<number>(
  'write-behind-accept-v2',
  `local waiting = redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1
   if not waiting then
     local n = redis.call('HLEN', KEYS[2])
     if n > 0 then n = n - 1 end
     if n >= tonumber(ARGV[3]) then return ${FULL} end
   end
   local seq = redis.call('HINCRBY', KEYS[2], '__seq', 1)
   redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({seq, ARGV[2]}))
   if not waiting then redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 's', seq) end
   return seq`,
);

// Settling one key whose entries this call deleted or not (owned): forget its value if no newer write
// came, or, if a write arrived meanwhile, queue the key again - ACCEPT did not add an entry for that
// write because the key was still waiting, so without this the newer value would sit in the hash
// unqueued forever. The re-queue happens only if this call deleted the key's entry: if another consumer
// (which took the entry over) settled it first, it has already re-queued or forgotten the key, and a
// second entry would break "one entry per waiting key".
const SETTLE_KEY = `local function settleKey(key, seq, owned)
     local cur = redis.call('HGET', KEYS[2], key)
     if not cur then return 0 end
     local latest = cjson.decode(cur)[1]
     if latest == seq then
       redis.call('HDEL', KEYS[2], key)
     elseif owned then
       redis.call('XADD', KEYS[1], '*', 'k', key, 's', latest)
       return 1
     end
     return 0
   end`;

// After a persist, in one step: ack and delete the settled entries (the stream keeps only unprocessed
// ones), then settle each persisted key (see SETTLE_KEY). Entries of keys that failed are not passed:
// they stay pending and are delivered again.
// ARGV: group, entry count, (id, key)*, then (key, seq)* of the persisted keys.
export const SETTLE = new LuaScript<number>(
  'write-behind-settle-v3',
  `${SETTLE_KEY}
   local owned = {}
   local n = tonumber(ARGV[2])
   for i = 3, 2 + 2 * n, 2 do
     redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
     if redis.call('XDEL', KEYS[1], ARGV[i]) == 1 and ARGV[i + 1] ~= '' then owned[ARGV[i + 1]] = true end
   end
   local requeued = 0
   for i = 3 + 2 * n, #ARGV, 2 do
     requeued = requeued + settleKey(ARGV[i], tonumber(ARGV[i + 1]), owned[ARGV[i]])
   end
   return requeued`,
);

// Moves one key that keeps failing to the dead-letter stream (KEYS[3], capped with MAXLEN ~), with the
// value that failed, its sequence, the error and the delivery count, and settles it like a persisted
// key (a newer write of it is queued again: it may be the fix). Only if this call deletes the key's
// entries: if another consumer took them over and settled them, the key is not dead (returns 0).
// ARGV: group, max dead letters, key, seq, serialized value, error, deliveries, id*.
export const DEAD_LETTER = new LuaScript<number>(
  'write-behind-dead-letter-v1',
  `${SETTLE_KEY}
   local owned = false
   for i = 8, #ARGV do
     redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
     if redis.call('XDEL', KEYS[1], ARGV[i]) == 1 then owned = true end
   end
   if not owned then return 0 end
   redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], '*',
     'k', ARGV[3], 's', ARGV[4], 'v', ARGV[5], 'error', ARGV[6], 'deliveries', ARGV[7])
   settleKey(ARGV[3], tonumber(ARGV[4]), true)
   return 1`,
);

// One consistent snapshot: Redis' clock, the first (oldest) stream entry and the hash size. The entry id
// carries Redis' ms time of the write that queued it, so the age needs no host clock.
export const STATS = new LuaScript<[number | string, number | string, string, number]>(
  'write-behind-stats',
  `local t = redis.call('TIME')
   local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
   return {t[1], t[2], first and first[1] or '', redis.call('HLEN', KEYS[2])}`,
);

/** ACCEPT_IF's first reply element when `ifSeq` (or `ifWaiting`) did not match the key's current value. */
export const CONFLICT = -2;

// A conditional accept (compare-and-set on the key's sequence) that also keeps the accepted value in a
// retained key (`KEYS[3]`, kept `retainMs` after the write) when retention is on, so the key's current
// value and sequence stay readable - and comparable - after it was persisted and left the hash. Current =
// the waiting value if any, else the retained one, else none (sequence 0). ARGV: key, serialized value,
// max pending keys, ifSeq ('' = unconditional), retainMs (0 = off), ifWaiting ('' = either, '1', '0':
// also compare whether the current value is still waiting). Replies {seq, previousSeq}, {FULL,
// currentSeq}, or {CONFLICT, currentSeq, waiting 1|0, current entry or ''}: the current value comes
// with the refusal, so a read-modify-write retries without reading again.
export const ACCEPT_IF = new LuaScript<[number, number, number?, string?]>(
  'write-behind-accept-if-v2',
  `local cur = redis.call('HGET', KEYS[2], ARGV[1])
   local waiting = cur and true or false
   local retain = tonumber(ARGV[5])
   if not cur and retain > 0 then cur = redis.call('GET', KEYS[3]) end
   local curSeq = 0
   if cur then curSeq = cjson.decode(cur)[1] end
   if ARGV[4] ~= '' and (tonumber(ARGV[4]) ~= curSeq or (ARGV[6] ~= '' and (ARGV[6] == '1') ~= waiting)) then
     return {${CONFLICT}, curSeq, waiting and 1 or 0, cur or ''}
   end
   if not waiting then
     local n = redis.call('HLEN', KEYS[2])
     if n > 0 then n = n - 1 end
     if n >= tonumber(ARGV[3]) then return {${FULL}, curSeq} end
   end
   local seq = redis.call('HINCRBY', KEYS[2], '__seq', 1)
   local entry = cjson.encode({seq, ARGV[2]})
   redis.call('HSET', KEYS[2], ARGV[1], entry)
   if retain > 0 then redis.call('SET', KEYS[3], entry, 'PX', retain) end
   if not waiting then redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 's', seq) end
   return {seq, curSeq}`,
);

// The current value of each key (waiting, else retained): KEYS: latest hash, then one retained key per
// ARGV key; the last ARGV is retainMs. Replies per key {waiting 1|0, entry} or {} for none.
export const READ_CURRENT = new LuaScript<Array<[number, string] | []>>(
  'write-behind-read-current-v1',
  `local out = {}
   local retain = tonumber(ARGV[#ARGV])
   for i = 1, #ARGV - 1 do
     local cur = redis.call('HGET', KEYS[1], ARGV[i])
     local w = 1
     if not cur then
       w = 0
       if retain > 0 then cur = redis.call('GET', KEYS[i + 1]) end
     end
     if cur then out[i] = {w, cur} else out[i] = {} end
   end
   return out`,
);
