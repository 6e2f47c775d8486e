import { LRUCache } from 'lru-cache';
import type { ResolvedPolicy } from '../rate-limit-options';
import type { PolicyDecision } from './decision';

interface Counter {
  win: number;
  cur: number;
  prev: number;
}

/**
 * The `local` Redis-down mode: the same two-sub-window sliding counter as the Redis script, kept in
 * this process, bounded by an LRU of `maxKeys` (client, policy) counters so an attacker rotating
 * addresses cannot grow memory. Per instance, so with N instances a client gets up to N x limit until
 * Redis is back; log-mode policies fall back to the counter too (documented).
 */
export class LocalWindow {
  private readonly counters: LRUCache<string, Counter>;

  constructor(
    maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {
    this.counters = new LRUCache({ max: maxKeys });
  }

  /**
   * Decides without consuming; `commit()` consumes. Two steps so a multi-policy decision stays
   * all-or-nothing locally too.
   */
  evaluate(key: string, policy: ResolvedPolicy, cost: number): { decision: PolicyDecision; commit(): void } {
    const now = this.now();
    const w = policy.windowMs;
    const win = Math.floor(now / w);
    const stored = this.counters.get(key);
    let cur = 0;
    let prev = 0;
    if (stored && stored.win === win) ({ cur, prev } = stored);
    else if (stored && stored.win === win - 1) prev = stored.cur;
    const f = (now - win * w) / w;
    const estimate = prev * (1 - f) + cur;
    const allowed = estimate + cost <= policy.limit;
    const after = allowed ? cur + cost : cur;
    let retryAfterMs = 0;
    if (!allowed) {
      if (cost > policy.limit) retryAfterMs = -1;
      else if (cur + cost <= policy.limit)
        retryAfterMs = Math.ceil(win * w + (1 - (policy.limit - cur - cost) / prev) * w - now);
      else retryAfterMs = Math.ceil((win + 1) * w + (1 - (policy.limit - cost) / cur) * w - now);
    }
    const resetMs = after > 0 ? (win + 2) * w - now : prev > 0 ? (win + 1) * w - now : 0;
    const decision: PolicyDecision = {
      policy: policy.name,
      mode: policy.mode,
      limit: policy.limit,
      windowMs: w,
      allowed,
      remaining: Math.max(0, Math.floor(policy.limit - estimate - (allowed ? cost : 0))),
      resetMs: Math.ceil(resetMs),
      retryAfterMs,
      source: 'local',
    };
    return {
      decision,
      commit: () => {
        if (allowed && cost > 0) this.counters.set(key, { win, cur: after, prev });
      },
    };
  }

  get size(): number {
    return this.counters.size;
  }
}
