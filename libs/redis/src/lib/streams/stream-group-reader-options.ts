import type { LoggerService } from '@nestjs/common';
import type { RedisClient } from '../redis-client.factory';
import type { StreamEntry } from './stream-entry';

/**
 * Where a batch comes from: `new` entries (`XREADGROUP >`, first delivery), this consumer's `own-pending`
 * entries re-read at start (left by a crash under the same name), or entries `claimed` by the reclaim
 * pass (own failed ones after their backoff, or taken over from an idle consumer).
 */
export type EntryOrigin = 'new' | 'own-pending' | 'claimed';

/**
 * Called with each batch. Either it starts work per entry, reports each with `reader.track()` and returns
 * nothing (reading goes on while the entries run: the transport's consumer), or it handles the whole batch
 * and returns a promise (the batch's slots are held until it settles, batches never overlap, and a
 * rejection backs the reader off: the write-behind queue). Whatever is not acked stays pending.
 *
 * `deliveries`: one number for every entry of the batch (1 for `new`), or one per entry for `claimed`
 * and `own-pending` (Redis' count including this delivery; 2, a lower bound, for an own pending entry
 * whose count could not be read), and then `owners`: the consumer each entry was taken from (itself for
 * a retry and for its own pending entries).
 */
export type StreamBatchHandler = (
  entries: StreamEntry[],
  deliveries: number | readonly number[],
  origin: EntryOrigin,
  owners?: readonly string[],
) => void | Promise<void>;

export interface StreamGroupReaderOptions {
  /** A dedicated connection for the blocking reads (nothing else may wait behind a `BLOCK`). */
  reader: RedisClient;
  /** A connection for group creation, `XPENDING`, claims and keep-alives (never blocked by reads). */
  writer: RedisClient;
  stream: string;
  group: string;
  /** Stable consumer name (pod name), so a restarted instance finds its own pending entries. */
  consumer: string;
  /** Most entries handled at once; a read asks `COUNT` = the free slots, so a slow handler is never flooded. */
  slots: number;
  /** How long a read of new entries blocks waiting for one. */
  blockMs: number;
  /**
   * Entries of another consumer idle this long are taken over; entries being handled are kept fresher
   * than this (claim keep-alive), so a slow handler is never taken over and run twice.
   */
  claimIdleMs: number;
  /** How often the reclaim pass runs. */
  reclaimIntervalMs: number;
  /** Backoff before an own entry that was not acked is delivered again: doubles per delivery, capped at `claimIdleMs`. */
  retryDelayMs: number;
  /**
   * After a read that did not fill the slots, the next read waits until this long after the previous one
   * returned (so writes arriving meanwhile come in one batch). 0 = read again at once. @default 0
   */
  coalesceMs?: number;
  handle: StreamBatchHandler;
  logger: Pick<LoggerService, 'warn'>;
  /** Fields added to the reader's log lines, saying whose reader it is (`{ stream }`, `{ queue }`). */
  logContext: Record<string, unknown>;
}

/** What `stop()` left behind. */
export interface StreamGroupReaderStopped {
  /** Entries whose handling finished during the drain. */
  finished: number;
  /** Entries still being handled at the deadline: they stay pending and are reclaimed by others. */
  abandoned: number;
  /** The read loop ended and nothing was left running by the deadline. */
  drained: boolean;
}
