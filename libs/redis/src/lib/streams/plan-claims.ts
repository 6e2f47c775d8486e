import { backoffMs } from '@shop/util';

/** One row of an extended `XPENDING`: entry id, owning consumer, idle ms, delivery count. */
export type PendingRow = [id: string, owner: string, idleMs: number, deliveries: number];

export interface ClaimRules {
  /** This consumer: its own entries are retried after their backoff, others' only once idle `claimIdleMs`. */
  consumer: string;
  /** Most entries to claim (the free slots). */
  free: number;
  retryDelayMs: number;
  claimIdleMs: number;
  /** Rows asked of `XPENDING`: a shorter page is the end of the pending list. */
  pageSize: number;
  /** Entries this consumer is handling right now (their idle time is kept low, but not zero). */
  isHandling: (entryId: string) => boolean;
}

export interface ClaimPlan {
  /** Ids to claim, by the min-idle each is claimed with: one atomic `XCLAIM` per value. */
  byMinIdle: Map<number, string[]>;
  /** The delivery count each claimed entry has once claimed (its `XPENDING` count + 1). */
  deliveries: Map<string, number>;
  /** The consumer each claimed entry is taken from (for a dead letter's reason). */
  owners: Map<string, string>;
  /**
   * Where the next page starts: at the first row not looked at when the slots filled up (so a pass that
   * stops early resumes there, not at the beginning), after the last row of a full page, '-' at the end.
   */
  cursor: string;
}

/** The minimum idle time before `owner`'s entry, delivered `deliveries` times, may be claimed. */
export function requiredIdleMs(
  owner: string,
  deliveries: number,
  rules: Pick<ClaimRules, 'consumer' | 'retryDelayMs' | 'claimIdleMs'>,
): number {
  const backoff = backoffMs(deliveries, rules.retryDelayMs, rules.claimIdleMs);
  return owner === rules.consumer ? backoff : Math.max(backoff, rules.claimIdleMs);
}

/**
 * Which rows of one `XPENDING` page to claim: own failed entries whose backoff has passed, and entries of
 * other consumers idle at least `claimIdleMs` (dead or stuck instances), up to the free slots. Pure, so
 * the rules are tested without a Redis.
 */
export function planClaims(rows: PendingRow[], rules: ClaimRules): ClaimPlan {
  const byMinIdle = new Map<number, string[]>();
  const deliveries = new Map<string, number>();
  const owners = new Map<string, string>();
  for (let i = 0; i < rows.length; i++) {
    const [id, owner, idleMs, delivered] = rows[i] as PendingRow;
    if (deliveries.size >= rules.free) return { byMinIdle, deliveries, owners, cursor: id };
    if (rules.isHandling(id)) continue;
    const minIdle = requiredIdleMs(owner, delivered, rules);
    if (idleMs < minIdle) continue;
    const ids = byMinIdle.get(minIdle);
    if (ids) ids.push(id);
    else byMinIdle.set(minIdle, [id]);
    deliveries.set(id, delivered + 1);
    owners.set(id, owner);
  }
  const last = rows[rows.length - 1];
  const cursor = rows.length < rules.pageSize || !last ? '-' : `(${last[0]}`;
  return { byMinIdle, deliveries, owners, cursor };
}
