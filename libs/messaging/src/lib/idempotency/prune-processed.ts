import { Logger } from '@nestjs/common';
import type { Kysely } from 'kysely';

export interface PruneProcessedOptions {
  /**
   * How long a processed id is remembered. It must exceed the longest time a message can still be
   * redelivered (reclaim, retries, a dead letter replayed by hand): a redelivery after its id was pruned
   * runs the effect again. @default 604_800_000 (7 days)
   */
  retentionMs?: number;
  /** @default 'processed_message' */
  table?: string;
}

type ProcessedDb = Record<string, { message_id: string; processed_at: string }>;

const DEFAULT_RETENTION_MS = 7 * 86_400_000;

/**
 * Deletes the processed-message ids older than the retention, so the `runOnce` table does not grow
 * forever; returns how many were deleted. `processed_at` is an ISO-8601 UTC string, which sorts as time.
 */
export async function pruneProcessedMessages<DB>(
  db: Kysely<DB>,
  { retentionMs = DEFAULT_RETENTION_MS, table = 'processed_message' }: PruneProcessedOptions = {},
): Promise<number> {
  const cutoff = new Date(Date.now() - retentionMs).toISOString();
  const result = await (db as unknown as Kysely<ProcessedDb>)
    .deleteFrom(table)
    .where('processed_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Runs `pruneProcessedMessages` every `intervalMs` (default 1 h) until `stop()`; a failed run is logged
 * and retried at the next tick. Every instance may run one: the deletes are idempotent.
 *
 * @example
 * const pruner = startProcessedMessagesPruning(db, { retentionMs: 7 * 86_400_000 });
 * // on shutdown: await pruner.stop();
 */
export function startProcessedMessagesPruning<DB>(
  db: Kysely<DB>,
  options: PruneProcessedOptions & { intervalMs?: number } = {},
): { stop(): Promise<void> } {
  const log = new Logger('RunOncePruner');
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = pruneProcessedMessages(db, options).catch((err: unknown) =>
      log.warn({ msg: 'pruning processed message ids failed', error: (err as Error).message }),
    );
  };
  const timer = setInterval(tick, options.intervalMs ?? 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
