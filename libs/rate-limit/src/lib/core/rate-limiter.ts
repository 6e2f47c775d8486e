import { CircuitBreaker, whenReady, type RedisClient } from '@shop/redis';
import { CodedError, CounterBuffer, SharedTimeout } from '@shop/util';
import { hash } from 'node:crypto';
import { rateLimitMetrics, type RateLimitMetrics } from '../rate-limit-metrics';
import { resolveRateLimitOptions } from '../rate-limit.module-definition';
import {
  resolvePolicy,
  type RateLimitOptions,
  type RateLimitPolicy,
  type ResolvedPolicy,
  type ResolvedRateLimitOptions,
} from '../rate-limit-options';
import type { PolicyDecision, RateLimitDecision } from './decision';
import { LocalWindow } from './local-window';
import { slidingCounterScript } from './sliding-counter.script';
import { slidingWindowScript } from './sliding-window.script';

/** Redis could not decide (breaker open, timeout): `consume` decides without it, per policy's fail mode. */
class RedisUnavailableError extends CodedError<'E_RATE_LIMIT_UNAVAILABLE'> {
  constructor(readonly reason: 'error' | 'timeout' | 'breaker-open') {
    super('E_RATE_LIMIT_UNAVAILABLE', `rate limit: Redis ${reason}`);
  }
}

const MAX_REMEMBERED_TAGS = 10_000;
/** Longer identities are not remembered (see `tagOf`). */
const MAX_REMEMBERED_IDENTITY_LENGTH = 256;

/**
 * A sliding-window rate limiter over Redis: one Lua call per decision, whatever the number of policies.
 * Safe to share by every request of a process; instances in several processes share the counts.
 *
 * @example
 * const limiter = new RateLimiter({ connections, policies: [
 *   { name: 'api', limit: 600, window: '1m' },
 *   { name: 'burst', limit: 20, window: '1s' },
 * ] });
 * const d = await limiter.consume(clientIdentity(req, trust), ['api', 'burst']);
 * if (!d.allowed) res.status(d.unavailable ? 503 : 429);
 */
export class RateLimiter {
  readonly options: ResolvedRateLimitOptions;
  private readonly client: RedisClient;
  private readonly breaker: CircuitBreaker;
  private readonly local: LocalWindow;
  private readonly metrics: RateLimitMetrics;
  private readonly adHoc = new Map<string, ResolvedPolicy>();
  private readonly keyHead: string;
  private readonly decisionCounters = new Map<string, { inc(): void }>();
  /** The Redis call's bound, one timer for all decisions in flight. */
  private readonly bound: SharedTimeout;
  private readonly decisionCounts: CounterBuffer<'limiter' | 'policy' | 'outcome' | 'source'>;
  /** Identity -> key part: the same clients come back request after request (bounded, oldest out). */
  private readonly tags = new Map<string, string>();

  constructor(options: RateLimitOptions) {
    this.options = resolveRateLimitOptions(options);
    this.client = this.options.connections.shared('data', 'request');
    this.metrics = rateLimitMetrics(this.options.registry);
    this.decisionCounts = new CounterBuffer(this.metrics.decisions);
    this.bound = new SharedTimeout(this.options.timeoutMs);
    const name = this.options.name;
    this.breaker = new CircuitBreaker(this.options.breakerThreshold, this.options.breakerCooldownMs, (s) =>
      this.metrics.breaker.set({ limiter: name }, s === 'open' ? 1 : 0),
    );
    this.local = new LocalWindow(this.options.localMaxKeys);
    // Validates prefix and area once; the per-call parts are a hash and validated policy names.
    this.keyHead = this.options.connections.keys.key(this.options.area);
  }

  /**
   * Resolves true once the Redis client is connected, false after `timeoutMs` (never rejects): start-up
   * code can wait for it without turning a Redis outage into a crash; decisions work either way.
   */
  ready(timeoutMs = 2000): Promise<boolean> {
    return whenReady(this.client, timeoutMs);
  }

  /** A configured policy by name (throws for an unknown one: a typo must not silently mean "no limit"). */
  policy(name: string): ResolvedPolicy {
    const policy = this.options.policies.get(name);
    if (!policy) throw new Error(`unknown rate-limit policy ${JSON.stringify(name)}`);
    return policy;
  }

  /**
   * Consumes `cost` units from every policy for `identity`, all or nothing: if one policy denies,
   * none is consumed. `identity` may be any string (an IP group, a user id): it is hashed before it
   * reaches a key. Policies are names of configured ones or inline definitions.
   */
  async consume(
    identity: string,
    policies: ReadonlyArray<string | RateLimitPolicy>,
    cost = 1,
  ): Promise<RateLimitDecision> {
    if (!Number.isSafeInteger(cost) || cost < 0) throw new Error(`invalid cost ${cost}`);
    if (policies.length === 0) throw new Error('consume() needs at least one policy');
    const resolved = policies.map((p) => (typeof p === 'string' ? this.policy(p) : this.inline(p)));
    const tag = this.tagOf(identity);
    // `h`: the counter's hash layout (`c` was its string layout); `l`: the log. A layout change gets new
    // keys, so a rolling deploy never reads one layout as the other (WRONGTYPE).
    const keys = resolved.map(
      (p) => `${this.keyHead}:{${tag}}:${p.name}:${p.mode === 'log' ? 'l' : 'h'}${p.windowMs}`,
    );
    let decision: RateLimitDecision;
    try {
      decision = await this.decideInRedis(keys, resolved, cost);
    } catch (err) {
      const reason = err instanceof RedisUnavailableError ? err.reason : 'error';
      this.metrics.redisFailures.inc({ limiter: this.options.name, reason });
      decision = this.decideWithoutRedis(keys, resolved, cost);
    }
    for (const p of decision.policies) this.count(p);
    return decision;
  }

  /** Whether the breaker currently skips Redis. */
  get breakerState() {
    return this.breaker.state;
  }

  private async decideInRedis(
    keys: string[],
    policies: ResolvedPolicy[],
    cost: number,
  ): Promise<RateLimitDecision> {
    if (!this.breaker.allows()) throw new RedisUnavailableError('breaker-open');
    // The common case, one counter policy, has a script of its own: the same answers in less Redis
    // time (no plan for N policies, no second pass). Its reply has the layout of one policy's below.
    const one = policies.length === 1 && policies[0].mode !== 'log';
    let args: Array<string | number>;
    if (one) args = [policies[0].limit, policies[0].windowMs * 1000, cost];
    else {
      args = [policies.length, cost];
      for (const p of policies) args.push(p.mode === 'log' ? 'l' : 'c', p.limit, p.windowMs * 1000);
    }
    let reply: number[];
    try {
      reply = await this.bound.race(
        (one ? slidingCounterScript : slidingWindowScript).run(this.client, keys, args),
        () => new RedisUnavailableError('timeout'),
      );
    } catch (err) {
      this.breaker.failure();
      throw err;
    }
    this.breaker.success();
    // { now, [all_allowed,] then per policy: allowed, remaining, reset_ms, retry_ms }
    const first = one ? 1 : 2;
    const decisions: PolicyDecision[] = policies.map((p, i) => ({
      policy: p.name,
      mode: p.mode,
      limit: p.limit,
      windowMs: p.windowMs,
      allowed: reply[first + i * 4] === 1,
      remaining: reply[first + 1 + i * 4],
      resetMs: reply[first + 2 + i * 4],
      retryAfterMs: reply[first + 3 + i * 4],
      source: 'redis',
    }));
    return combine(decisions, reply[0]);
  }

  /** Each policy answers by its own Redis-down mode; local ones stay all-or-nothing among themselves. */
  private decideWithoutRedis(keys: string[], policies: ResolvedPolicy[], cost: number): RateLimitDecision {
    const commits: Array<() => void> = [];
    const decisions = policies.map((p, i): PolicyDecision => {
      if (p.onRedisDown === 'local') {
        const { decision, commit } = this.local.evaluate(keys[i], p, cost);
        commits.push(commit);
        return decision;
      }
      const open = p.onRedisDown === 'fail-open';
      return {
        policy: p.name,
        mode: p.mode,
        limit: p.limit,
        windowMs: p.windowMs,
        allowed: open,
        remaining: open ? p.limit : 0,
        resetMs: 0,
        retryAfterMs: open ? 0 : Math.min(p.windowMs, this.options.breakerCooldownMs),
        source: p.onRedisDown,
      };
    });
    const result = combine(decisions);
    if (result.allowed) for (const commit of commits) commit();
    return result;
  }

  /** Labelled children are cached: resolving labels per decision was a visible share of the CPU cost. */
  private count(p: PolicyDecision): void {
    const outcome = p.allowed ? 'allowed' : p.source === 'fail-closed' ? 'unavailable' : 'denied';
    const id = `${p.policy}|${outcome}|${p.source}`;
    let child = this.decisionCounters.get(id);
    if (!child) {
      child = this.decisionCounts.child({
        limiter: this.options.name,
        policy: p.policy,
        outcome,
        source: p.source,
      });
      this.decisionCounters.set(id, child);
    }
    child.inc();
  }

  /** `hashIdentity`, remembered: a SHA-256 per decision was a visible share of its CPU. */
  private tagOf(identity: string): string {
    let tag = this.tags.get(identity);
    if (tag === undefined) {
      tag = hashIdentity(identity);
      // A long identity (an API key header a client picks) is hashed each time: remembered, 10,000 of
      // them would hold 10,000 times their length.
      if (identity.length > MAX_REMEMBERED_IDENTITY_LENGTH) return tag;
      if (this.tags.size >= MAX_REMEMBERED_TAGS) this.tags.delete(this.tags.keys().next().value as string);
      this.tags.set(identity, tag);
    }
    return tag;
  }

  private inline(policy: RateLimitPolicy): ResolvedPolicy {
    const id = `${policy.name}|${policy.limit}|${policy.window}|${policy.mode}|${policy.onRedisDown}`;
    let resolved = this.adHoc.get(id);
    if (!resolved) {
      resolved = resolvePolicy(policy);
      if (this.adHoc.size >= 1000) this.adHoc.clear(); // inline policies come from code, but stay bounded
      this.adHoc.set(id, resolved);
    }
    return resolved;
  }
}

function combine(policies: PolicyDecision[], redisTimeUs?: number): RateLimitDecision {
  const allowed = policies.every((p) => p.allowed);
  const unavailable = policies.some((p) => p.source === 'fail-closed');
  let retryAfterMs = 0;
  for (const p of policies) {
    if (p.allowed) continue;
    retryAfterMs = Math.max(retryAfterMs, p.retryAfterMs < 0 ? p.windowMs : p.retryAfterMs);
  }
  return { allowed, unavailable, retryAfterMs, policies, redisTimeUs };
}

/**
 * The key part for a client: a truncated SHA-256 (128 bits, base64url), so no raw input (an address, a
 * user name) ever reaches a key, keys have a fixed length, and the hash tag spreads clients over slots.
 */
export function hashIdentity(identity: string): string {
  return hash('sha256', identity, 'base64url').slice(0, 22);
}
