import { startTestRedis, type TestRedis } from '@shop/testing';
import { Redis } from 'ioredis';
import type { RateLimitDecision, RateLimitPolicy } from '../src';
import { atNextBoundary, makeLimiter, maxInAnyWindow, nextBoundary, until } from './helpers';

const W = 1000;
const L = 10;

describe('sliding-window limiter (two instances, real Redis)', () => {
  let redis: TestRedis;
  let a: Awaited<ReturnType<typeof makeLimiter>>;
  let b: Awaited<ReturnType<typeof makeLimiter>>;
  let raw: Redis;

  beforeAll(async () => {
    redis = await startTestRedis();
    a = await makeLimiter(redis.url, 'gw-a');
    b = await makeLimiter(redis.url, 'gw-b');
    raw = new Redis(redis.url, { protocol: 2 });
  });

  afterAll(async () => {
    raw.disconnect();
    await a?.close();
    await b?.close();
    await redis?.dispose();
  });

  const counter: RateLimitPolicy = { name: 'api', limit: L, window: W };
  const log: RateLimitPolicy = { name: 'login', limit: L, window: W, mode: 'log' };

  it('never allows more than L in any window of length W for traffic spread evenly over 2W', async () => {
    const allowed: Record<string, number[]> = { counter: [], log: [] };
    const pending: Array<Promise<void>> = [];
    const record = (mode: string) => (d: RateLimitDecision) => {
      if (d.allowed) allowed[mode].push(d.redisTimeUs as number);
    };
    // Start on a sub-window boundary: the counter's documented bound holds for traffic that is uniform
    // within each sub-window (see README, "error bounds").
    await atNextBoundary(W, 0);
    const start = Date.now();
    const step = 25; // 4 x the allowed rate
    for (let i = 0; i < (2 * W) / step; i++) {
      const wait = start + i * step - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const via = i % 2 === 0 ? a : b;
      pending.push(via.limiter.consume('spread-c', [counter]).then(record('counter')));
      pending.push(via.limiter.consume('spread-l', [log]).then(record('log')));
    }
    await Promise.all(pending);
    expect(maxInAnyWindow(allowed.log, W * 1000)).toBeLessThanOrEqual(L); // exact
    expect(maxInAnyWindow(allowed.counter, W * 1000)).toBeLessThanOrEqual(L + 1); // documented ±1
    // and it does let the rate through: about L per W over 2W, not a limiter that denies everything
    expect(allowed.log.length).toBeGreaterThanOrEqual(2 * L - 1);
    expect(allowed.counter.length).toBeGreaterThanOrEqual(Math.floor(1.5 * L));
  });

  it('does not allow 2L for a burst at a window edge, where a fixed window does', async () => {
    // The fixed-window reference most limiters use: INCR a key named by the window, PEXPIRE it.
    const fixedWindow = async (id: string): Promise<boolean> => {
      const key = `fw:{${id}}:${Math.floor(Date.now() / W)}`;
      const [[, count]] = (await raw.multi().incr(key).pexpire(key, W).exec()) as [[null, number]];
      return count <= L;
    };
    const burst = async () => {
      const calls = Array.from({ length: L }, (_, i) => {
        const via = i % 2 === 0 ? a : b;
        return Promise.all([
          via.limiter.consume('edge-c', [counter]),
          via.limiter.consume('edge-l', [log]),
          fixedWindow('edge'),
        ]);
      });
      return Promise.all(calls);
    };
    const edge = nextBoundary(W, 200);
    await until(edge - 150); // just before the edge (a loaded machine may need ~100 ms for a burst)
    const first = await burst();
    await until(edge + 20); // just after it
    const second = await burst();
    const all = [...first, ...second];
    const fixedAllowed = all.filter(([, , f]) => f).length;
    const counterAllowed = all.filter(([c]) => c.allowed);
    const logAllowed = all.filter(([, l]) => l.allowed).length;
    expect(fixedAllowed).toBe(2 * L); // the flaw: twice the limit within ~100 ms
    expect(logAllowed).toBe(L);
    expect(counterAllowed.length).toBeLessThanOrEqual(L + 1);
    const times = counterAllowed.map(([c]) => c.redisTimeUs as number);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(W * 1000);
  });

  it('checks several policies in one script call, all or nothing', async () => {
    const wide: RateLimitPolicy = { name: 'wide', limit: 5, window: '10s' };
    const tight: RateLimitPolicy = { name: 'tight', limit: 3, window: '10s', mode: 'log' };
    const calls = async () =>
      Number(/cmdstat_evalsha:calls=(\d+)/.exec(await raw.info('commandstats'))?.[1] ?? 0);
    const before = await calls();
    const decisions: RateLimitDecision[] = [];
    for (let i = 0; i < 6; i++) decisions.push(await (i % 2 ? b : a).limiter.consume('multi', [wide, tight]));
    expect((await calls()) - before).toBe(6); // one round trip per decision
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false, false]);
    const denied = decisions[3];
    expect(denied.policies.map((p) => [p.policy, p.allowed])).toEqual([
      ['wide', true],
      ['tight', false],
    ]);
    // the denied requests consumed nothing from 'wide': 5 - 3 allowed = 2 left
    expect(denied.policies[0].remaining).toBe(2);
    expect(decisions[5].policies[0].remaining).toBe(2);
    expect(denied.retryAfterMs).toBeGreaterThan(9000);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(10_000);
    expect(decisions[0].policies.map((p) => [p.limit, p.remaining])).toEqual([
      [5, 4],
      [3, 2],
    ]);
  });

  it('charges a weighted cost in both modes', async () => {
    for (const mode of ['counter', 'log'] as const) {
      const policy: RateLimitPolicy = { name: 'cost', limit: 10, window: '10s', mode };
      const id = `cost-${mode}`;
      expect((await a.limiter.consume(id, [policy], 4)).policies[0].remaining).toBe(6);
      expect((await b.limiter.consume(id, [policy], 4)).policies[0].remaining).toBe(2);
      const denied = await a.limiter.consume(id, [policy], 4);
      expect(denied.allowed).toBe(false);
      expect(denied.policies[0].remaining).toBe(2);
      const fits = await b.limiter.consume(id, [policy], 2);
      expect([fits.allowed, fits.policies[0].remaining]).toEqual([true, 0]);
      const tooBig = await a.limiter.consume(id, [policy], 11);
      expect(tooBig.allowed).toBe(false);
    }
  });

  it('tells a denied client when to retry, and that time is right', async () => {
    const policy: RateLimitPolicy = { name: 'retry', limit: 2, window: 600, mode: 'log' };
    await a.limiter.consume('retry', [policy]);
    await b.limiter.consume('retry', [policy]);
    const denied = await a.limiter.consume('retry', [policy]);
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(600);
    await new Promise((r) => setTimeout(r, denied.retryAfterMs + 5));
    expect((await b.limiter.consume('retry', [policy])).allowed).toBe(true);
  });

  it('gives every key a TTL, keeps all keys of a decision in one slot and no raw identity in keys', async () => {
    const identity = '203.0.113.7';
    await a.limiter.consume(identity, [counter, log, { name: 'long', limit: 5, window: '1h' }]);
    const keys = await raw.keys('rt:rl:*'); // test-only Redis; production code never uses KEYS
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toContain(identity);
      const ttl = await raw.pttl(key);
      expect(ttl === -2 || ttl > 0).toBe(true); // -2: expired since KEYS; -1 (no TTL) never
    }
    const mine = keys.filter((k) => k.endsWith(':long:h3600000'));
    expect(mine).toHaveLength(1);
    const tag = /\{[^}]+\}/.exec(mine[0])?.[0];
    // Cluster hashes only the {tag}: one tag for all policies of a client means one slot, one script call.
    const decisionKeys = keys.filter((k) => k.includes(tag as string));
    expect(decisionKeys).toHaveLength(3);
    for (const key of decisionKeys) expect(await raw.pttl(key)).toBeGreaterThan(0);
    expect(tag).toMatch(/^\{[A-Za-z0-9_-]{22}\}$/);
  });
});
