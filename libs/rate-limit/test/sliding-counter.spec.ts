import { startTestRedis, type TestRedis } from '@shop/testing';
import { Redis } from 'ioredis';
import { slidingCounterScript } from '../src/lib/core/sliding-counter.script';
import { slidingWindowScript } from '../src/lib/core/sliding-window.script';

/**
 * The one-counter script must answer exactly as the general script does for one counter policy: both
 * run on twin keys in the same state, call after call. A one-hour window keeps every case far from a
 * sub-window edge, so the microseconds between the twin calls cannot change a decision; the times
 * (reset, retry) may differ by that much, so they are compared to the millisecond.
 */
describe('one-counter rate-limit script (real Redis)', () => {
  let redis: TestRedis;
  let raw: Redis;
  const W_US = 3_600_000_000;

  beforeAll(async () => {
    redis = await startTestRedis();
    raw = new Redis(redis.url, { protocol: 2 });
  });
  afterAll(async () => {
    raw.disconnect();
    await redis?.dispose();
  });

  /** `[now_us, allowed, remaining, reset_ms, retry_ms]` of both scripts, on keys `g:<k>` and `l:<k>`. */
  async function twin(k: string, limit: number, cost: number): Promise<[number[], number[]]> {
    const general = await slidingWindowScript.run(raw, [`g:${k}`], [1, cost, 'c', limit, W_US]);
    const lean = await slidingCounterScript.run(raw, [`l:${k}`], [limit, W_US, cost]);
    return [[general[0], ...general.slice(2, 6)], lean];
  }

  /** Puts both keys in the state "the previous sub-window counted `prev`, this one `cur`". */
  async function seed(k: string, prev: number, cur: number): Promise<void> {
    const [sec, us] = await raw.time();
    const win = Math.floor((Number(sec) * 1e6 + Number(us)) / W_US);
    for (const key of [`g:${k}`, `l:${k}`]) {
      await raw.del(key);
      if (cur > 0) await raw.hset(key, 'w', win, 'c', cur, 'p', prev);
      else if (prev > 0) await raw.hset(key, 'w', win - 1, 'c', prev, 'p', 0);
      await raw.pexpire(key, (3 * W_US) / 1000);
    }
  }

  function expectSame([general, lean]: [number[], number[]]): void {
    expect(lean.slice(1, 3)).toEqual(general.slice(1, 3));
    // The lean call ran this much later, so its times to an instant are that much shorter.
    const laterMs = (lean[0] - general[0]) / 1000;
    for (const i of [3, 4])
      if (general[i] > 0) expect(Math.abs(lean[i] + laterMs - general[i])).toBeLessThanOrEqual(1);
      else expect(lean[i]).toBe(general[i]); // -1 (never) or 0 (allowed / nothing held)
  }

  it.each([
    ['empty, allowed', 0, 0, 10, 1],
    ['empty, cost over the limit', 0, 0, 10, 11],
    ['empty, cost 0', 0, 0, 10, 0],
    ['this sub-window only, allowed', 0, 4, 10, 2],
    ['this sub-window only, denied', 0, 9, 10, 2],
    ['previous only (new sub-window), allowed', 6, 0, 100, 3],
    ['previous only, denied until it slides out', 400, 0, 100, 1],
    ['both, allowed', 40, 20, 100, 5],
    ['both, denied within this sub-window', 400, 20, 100, 5],
    ['both, denied until the next sub-window', 10, 99, 100, 5],
  ])('%s: the same answer as the general script', async (name, prev, cur, limit, cost) => {
    const k = name.replace(/\W+/g, '-');
    await seed(k, prev, cur);
    expectSame(await twin(k, limit, cost));
    // and the same state after it: the next call agrees too
    expectSame(await twin(k, limit, 1));
    const [g, l] = await Promise.all([raw.hgetall(`g:${k}`), raw.hgetall(`l:${k}`)]);
    expect(l).toEqual(g);
    const [gt, lt] = await Promise.all([raw.pttl(`g:${k}`), raw.pttl(`l:${k}`)]);
    expect(Math.abs(gt - lt)).toBeLessThan(1000);
  });

  it('a run of decisions up to and past the limit, step by step the same', async () => {
    for (let i = 0; i < 15; i++) expectSame(await twin('run', 12, 1));
    const [g, l] = await Promise.all([raw.hgetall('g:run'), raw.hgetall('l:run')]);
    expect(l).toEqual(g);
    expect(Number(l['c'])).toBe(12);
  });
});
