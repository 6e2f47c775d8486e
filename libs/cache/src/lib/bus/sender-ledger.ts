/**
 * The last sequence number seen from each sender, bounded: process ids are random per start, so in a
 * deployment that rolls instances the senders of the past would otherwise stay in every process forever.
 *
 * Forgetting a sender is safe because a gap can only come from two places: this receiver's subscription
 * dropping (reported as a reconnect, independently of this ledger) or the sender failing to publish. A
 * sender that failed flags its next message (`r`), which counts as a gap whether or not it is remembered.
 * A remembered sender's skipped number is still a gap as before.
 */
export class SenderLedger {
  /** Insertion order = order of last message, so the oldest entries are the first to prune. */
  private readonly senders = new Map<string, { q: number; at: number }>();

  constructor(
    /** Senders silent for longer than this are forgotten. */
    private readonly idleMs = 10 * 60_000,
    /** At most this many senders are remembered (the longest silent go first). */
    private readonly maxSenders = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records `q` from `sender`; true when numbers were skipped since its previous message. */
  record(sender: string, q: number): boolean {
    const now = this.now();
    const last = this.senders.get(sender);
    this.senders.delete(sender);
    this.senders.set(sender, { q, at: now });
    this.prune(now);
    return last !== undefined && q !== last.q + 1;
  }

  /** After a reconnect every sender starts afresh. */
  clear(): void {
    this.senders.clear();
  }

  get size(): number {
    return this.senders.size;
  }

  private prune(now: number): void {
    for (const [sender, seen] of this.senders) {
      if (this.senders.size <= this.maxSenders && now - seen.at <= this.idleMs) break;
      this.senders.delete(sender);
    }
  }
}
