/** One read or load in flight: what the ledger had seen when it started. */
export interface LedgerTicket {
  readonly id: number;
  /** The ledger's sequence number when the operation began. */
  readonly since: number;
}

/**
 * Which invalidations happened after an operation began, so a read or load that started before an
 * invalidation of its key, of one of its tags, or of everything cannot put its (possibly old) value into
 * the cache afterwards.
 *
 * Marks are kept exactly as long as an operation that began before them is still running: the horizon
 * follows the oldest running operation (a per-call `hardTimeout` of 0 may run for minutes), not a clock.
 * With nothing in flight no mark is kept at all. Memory is bounded by `maxMarks` per kind; forgetting a
 * mark early stays safe because every operation older than it then counts as invalidated (it just does
 * not cache). Pure: no I/O, no timers, no clock.
 */
export class InvalidationLedger {
  private seq = 0;
  private nextId = 0;
  /** Sequence number of the last "everything is invalid" (a gap, a pattern delete, a forgotten mark). */
  private allAt = 0;
  /** key / tag -> sequence number of its last invalidation, kept in invalidation order. */
  private readonly keyMarks = new Map<string, number>();
  private readonly tagMarks = new Map<string, number>();
  /** ticket id -> since, in start order (so the first one is the oldest). */
  private readonly running = new Map<number, number>();

  constructor(private readonly maxMarks = 10_000) {}

  /** Marks kept now (keys + tags), for tests and dashboards. */
  get size(): number {
    return this.keyMarks.size + this.tagMarks.size;
  }

  get inFlight(): number {
    return this.running.size;
  }

  begin(): LedgerTicket {
    const ticket = { id: ++this.nextId, since: this.seq };
    this.running.set(ticket.id, ticket.since);
    return ticket;
  }

  /** The operation finished (also in the background); marks no running operation needs are dropped. */
  end(ticket: LedgerTicket): void {
    if (!this.running.delete(ticket.id)) return;
    const oldest = this.running.values().next();
    const horizon = oldest.done ? this.seq : oldest.value;
    prune(this.keyMarks, horizon);
    prune(this.tagMarks, horizon);
  }

  markKey(key: string): void {
    this.mark(this.keyMarks, key);
  }

  markTags(tags: Iterable<string>): void {
    for (const tag of tags) this.mark(this.tagMarks, tag);
  }

  /** Everything is invalid for every operation in flight (L1 cleared, a pattern delete). */
  markAll(): void {
    this.allAt = ++this.seq;
    this.keyMarks.clear();
    this.tagMarks.clear();
  }

  /** Whether the key, one of the tags, or everything was invalidated after the operation began. */
  invalidated(ticket: LedgerTicket, key: string, tags: readonly string[] = []): boolean {
    const since = ticket.since;
    if (this.allAt > since || (this.keyMarks.get(key) ?? 0) > since) return true;
    for (const tag of tags) if ((this.tagMarks.get(tag) ?? 0) > since) return true;
    return false;
  }

  private mark(marks: Map<string, number>, name: string): void {
    const seq = ++this.seq;
    if (this.running.size === 0) return; // no operation in flight can be affected; later ones start after it
    marks.delete(name); // re-insert: the map stays in sequence order for pruning
    marks.set(name, seq);
    if (marks.size <= this.maxMarks) return;
    const [oldestName, oldestSeq] = marks.entries().next().value as [string, number];
    marks.delete(oldestName);
    this.allAt = Math.max(this.allAt, oldestSeq);
  }
}

/** Drops marks no running operation can be older than (the map is in sequence order). */
function prune(marks: Map<string, number>, horizon: number): void {
  for (const [name, seq] of marks) {
    if (seq > horizon) return;
    marks.delete(name);
  }
}
