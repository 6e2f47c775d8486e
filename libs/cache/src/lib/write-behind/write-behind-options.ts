import type { RedisConnections } from '@shop/redis';
import { CodedError } from '@shop/util';
import type { Registry } from 'prom-client';

/** One key handed to `persist`: its latest value and the sequence that fences the store write. */
export interface WriteBehindItem<T> {
  key: string;
  value: T;
  /**
   * Fencing token: the key's sequence, assigned in Redis when `write()` accepted this value, strictly
   * increasing per key (a later write of the key always has a larger one). Store it with the row and make
   * the write conditional on it (`... WHERE seq < $seq`): a consumer that was paused mid-persist and lost
   * its batch to another one may still write after it, and only the condition keeps its older value from
   * landing last.
   */
  seq: number;
}

export interface WriteBehindOptions<T> {
  connections: RedisConnections;
  /** Queue name: part of the stream and hash keys. */
  name: string;
  /** Stable consumer name (pod name), so a restarted instance finds its own pending entries. */
  instanceId: string;
  /**
   * Writes one coalesced batch to the store: the latest value of each key, with its fencing `seq`.
   * Must be idempotent (it may be retried) and conditional on `seq` (`UPDATE ... WHERE seq < $seq`, or an
   * upsert with that condition): the queue guarantees each key's sequences grow with its writes, not that
   * two consumers never persist the same key at once. A batch that throws is retried key by key.
   */
  persist: (batch: Array<WriteBehindItem<T>>) => Promise<void>;
  /** Entries read per batch. @default 500 */
  batchSize?: number;
  /** How long an idle consumer's blocking read waits for a first write (then reads again). @default 100 */
  blockMs?: number;
  /**
   * Coalescing window: after a batch that was not full, the next read waits until this long after the
   * previous one returned, so the writes of a key that arrive meanwhile become one store write of its
   * latest value. Without it a busy queue persists every write alone (each read returns as soon as one
   * write arrived), which costs a store write, and whatever `persist` does per key, for every write.
   * A write into an idle queue is still persisted at once; a full batch is followed at once. It adds at
   * most this much persist lag; readers of the queue (`read()`) see every write at once regardless.
   * @default 0
   */
  flushIntervalMs?: number;
  /** Pending entries of a consumer idle this long are taken over (a running `persist` keeps its claim fresh). @default 5000 */
  claimIdleMs?: number;
  /**
   * Most keys waiting to be persisted. A write of a key that is not already waiting is refused with
   * `WriteBehindFullError` (`E_WRITE_BEHIND_FULL`) once this many are; writes of waiting keys still
   * coalesce. Bounds the hash and the stream (one entry per waiting key). @default 100_000
   */
  maxPendingKeys?: number;
  /**
   * Deliveries of a key's entry after which a failure of that key alone moves it to the dead-letter
   * stream (`<prefix>:wb:{<name>}:dead`) instead of retrying it. Failures of a whole batch (every key
   * failed: the store is down) never dead-letter. @default 10
   */
  maxDeliveries?: number;
  /** Dead letters kept (`XADD MAXLEN ~`); each is also counted and logged. @default 10_000 */
  maxDeadLetters?: number;
  /** Longest `stop()` waits for the batch in progress; after it, that batch stays pending for reclaim. @default 10_000 */
  drainTimeoutMs?: number;
  /**
   * @deprecated Ignored. The stream no longer grows with every write nor is trimmed (trimming could drop
   * entries not yet persisted): it holds one entry per waiting key, bounded by `maxPendingKeys`.
   */
  maxStreamLength?: number;
  /**
   * Keep each key's latest accepted value readable this long after the write (`read()`), also once it
   * was persisted, and let `write(..., { ifSeq })` compare against it. Longer than the worst persist lag
   * (a consumer down for that long makes `read()` of a waiting key still right: the waiting value wins).
   * 0 = off: `read()` sees waiting keys only. @default 0
   */
  retainMs?: number;
  registry?: Registry;
}

export type ResolvedWriteBehindOptions<T> = Required<
  Omit<WriteBehindOptions<T>, 'registry' | 'maxStreamLength'>
>;

export function resolveWriteBehindOptions<T>(options: WriteBehindOptions<T>): ResolvedWriteBehindOptions<T> {
  const resolved = {
    batchSize: 500,
    blockMs: 100,
    flushIntervalMs: 0,
    claimIdleMs: 5000,
    maxPendingKeys: 100_000,
    maxDeliveries: 10,
    maxDeadLetters: 10_000,
    drainTimeoutMs: 10_000,
    retainMs: 0,
    ...options,
  };
  if (!(resolved.maxPendingKeys >= 1)) throw new Error('write-behind maxPendingKeys must be at least 1');
  if (!(resolved.maxDeliveries >= 1)) throw new Error('write-behind maxDeliveries must be at least 1');
  if (!(resolved.retainMs >= 0)) throw new Error('write-behind retainMs must be 0 or more');
  if (!(resolved.flushIntervalMs >= 0)) throw new Error('write-behind flushIntervalMs must be 0 or more');
  return resolved;
}

/** What is waiting to be persisted, measured in Redis (for health checks). */
export interface WriteBehindStats {
  /** Age of the oldest write not yet persisted, by Redis' clock; 0 when nothing waits. */
  oldestUnpersistedAgeMs: number;
  /** Keys whose latest value is not yet persisted. */
  pendingKeys: number;
}

/** `write()` refused a new key because `maxPendingKeys` keys already wait (backpressure; nothing was stored). */
export class WriteBehindFullError extends CodedError<'E_WRITE_BEHIND_FULL'> {
  constructor(
    readonly queue: string,
    readonly maxPendingKeys: number,
  ) {
    super(
      'E_WRITE_BEHIND_FULL',
      `write-behind queue "${queue}" is full: ${maxPendingKeys} keys wait to be persisted (is the consumer running?)`,
    );
  }
}

/** `write(key, value, { ifSeq })` found another sequence: the key changed since it was read. */
export class WriteBehindConflictError extends CodedError<'E_WRITE_BEHIND_CONFLICT'> {
  constructor(
    readonly queue: string,
    readonly key: string,
    readonly expectedSeq: number,
    readonly currentSeq: number,
  ) {
    super(
      'E_WRITE_BEHIND_CONFLICT',
      `write-behind key "${key.slice(0, 80)}" of "${queue}" is at ${currentSeq}, not ${expectedSeq}`,
    );
  }
}
