const MAX_TRACKED = 10_000;

/**
 * Local half of the touch throttle. The touch script is the authority (it extends only once `windowMs`
 * passed since the last extension, by Redis time); this remembers, per session id, when Redis last
 * extended it (seen in a `get` or a write), so a touch inside the window costs no round trip. Times are
 * Redis milliseconds; the offset to the host clock is learned from each script reply, so host clock skew
 * does not widen the window. Skipping is always safe: it only leaves an expiry that is already at least
 * `idleTtl - windowMs` away. Bounded: the oldest entries are forgotten first.
 */
export class TouchThrottle {
  private readonly lastExtended = new Map<string, number>();
  private offsetMs: number | undefined;
  private readonly marginMs: number;

  constructor(readonly windowMs: number) {
    // Round-trip error in the learned offset: skip only well inside the window.
    this.marginMs = Math.min(1000, windowMs / 10);
  }

  /** Learns the Redis clock from a script's `TIME`. */
  clock(redisNowMs: number): void {
    this.offsetMs = redisNowMs - Date.now();
  }

  seen(sid: string, redisMs: number): void {
    if (this.windowMs === 0) return;
    this.lastExtended.delete(sid);
    this.lastExtended.set(sid, redisMs);
    if (this.lastExtended.size > MAX_TRACKED) {
      const oldest = this.lastExtended.keys().next().value;
      if (oldest !== undefined) this.lastExtended.delete(oldest);
    }
  }

  forget(sid: string): void {
    this.lastExtended.delete(sid);
  }

  /** Whether a touch of `sid` can be skipped without asking Redis. */
  skip(sid: string): boolean {
    const last = this.lastExtended.get(sid);
    if (last === undefined || this.offsetMs === undefined) return false;
    return Date.now() + this.offsetMs - last < this.windowMs - this.marginMs;
  }
}
