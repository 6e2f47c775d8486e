import type { WriteBehindItem } from './write-behind-options';

export interface KeyFailure {
  error: Error;
  /**
   * The failure is the key's own: it failed alone while another key of its batch went through, or it
   * was alone in its batch. Only such failures may dead-letter the key; a batch in which nothing went
   * through looks like a store outage, and dead-lettering it would empty the queue into the dead letters.
   */
  attributable: boolean;
}

/** Consecutive single-key failures, with none gone through yet, after which the split stops (store down). */
const GIVE_UP_AFTER = 3;

/**
 * Persists a batch; if it throws, retries it key by key, so one value the store rejects fails alone
 * and the rest of its batch is persisted. The split is shuffled, so keys that fail are not always tried
 * first (with the early stop below, a fixed order could starve the keys after them), and stops after
 * `GIVE_UP_AFTER` failures in a row before any success: then the store is down, and trying the other
 * 497 keys one by one would only multiply the timeouts. Keys not tried count as failed, not attributable.
 */
export async function persistIsolated<T>(
  persist: (batch: Array<WriteBehindItem<T>>) => Promise<void>,
  batch: Array<WriteBehindItem<T>>,
): Promise<{ succeeded: number; failed: Map<string, KeyFailure> }> {
  const failed = new Map<string, KeyFailure>();
  try {
    await persist(batch);
    return { succeeded: batch.length, failed };
  } catch (err) {
    const only = batch.length === 1 ? batch[0] : undefined;
    if (only) {
      failed.set(only.key, { error: asError(err), attributable: true });
      return { succeeded: 0, failed };
    }
  }
  let succeeded = 0;
  let inARow = 0;
  const order = shuffled(batch);
  for (let i = 0; i < order.length; i++) {
    const item = order[i] as WriteBehindItem<T>;
    if (succeeded === 0 && inARow >= GIVE_UP_AFTER) {
      for (const rest of order.slice(i)) {
        failed.set(rest.key, {
          error: new Error(`not tried alone: the first ${GIVE_UP_AFTER} keys of the split failed`),
          attributable: false,
        });
      }
      break;
    }
    try {
      await persist([item]);
      succeeded++;
      inARow = 0;
    } catch (err) {
      inARow++;
      failed.set(item.key, { error: asError(err), attributable: false });
    }
  }
  // Known only at the end: whether anything went through, which makes the single-key failures the keys' own.
  if (succeeded > 0) for (const failure of failed.values()) failure.attributable = true;
  return { succeeded, failed };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
