import { waitFor } from '@shop/testing';
import { Registry } from 'prom-client';
import { deserialize } from '../src';
import { DEAD, LATEST, STREAM, useWriteBehindHarness } from './fixtures/write-behind-harness';

describe('write-behind: values the store rejects', () => {
  const h = useWriteBehindHarness();

  it('one value the store rejects does not block its batch: the others are persisted, it is dead-lettered after maxDeliveries', async () => {
    const registry = new Registry();
    const rows = new Map<string, number>();
    let aloneAttempts = 0;
    const queue = h.inProcess({
      registry,
      claimIdleMs: 200,
      maxDeliveries: 3,
      persist: async (batch) => {
        if (batch.some((b) => b.value === 13)) {
          if (batch.length === 1) aloneAttempts++;
          throw new Error('CHECK constraint failed: v <> 13');
        }
        for (const { key, value } of batch) rows.set(key, value);
      },
    });
    // Written before the consumer starts, so the five keys arrive in one batch.
    for (let k = 0; k < 5; k++) await h.producer.write(`k-${k}`, 10 + k);
    await queue.start();

    await waitFor('the four good keys persisted', () => rows.size === 4, { timeoutMs: 10_000 });
    expect(Object.fromEntries(rows)).toEqual({ 'k-0': 10, 'k-1': 11, 'k-2': 12, 'k-4': 14 });
    await waitFor('the rejected key dead-lettered', async () => (await h.db().xlen(DEAD)) === 1, {
      timeoutMs: 10_000,
    });
    const [[, fields]] = (await h.db().xrange(DEAD, '-', '+')) as Array<[string, string[]]>;
    const letter = Object.fromEntries(
      Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]),
    );
    expect(letter).toMatchObject({ k: 'k-3', s: '4', deliveries: '3' });
    expect(deserialize<number>(letter['v'] ?? '')).toBe(13);
    expect(letter['error']).toContain('CHECK constraint failed');
    // Tried alone once per delivery, up to the limit, and never again.
    expect(aloneAttempts).toBe(3);
    expect(await h.pendingCount()).toBe(0);
    expect(await h.db().xlen(STREAM)).toBe(0);
    expect(await h.db().hlen(LATEST)).toBe(1);
    const metric = await registry.getSingleMetric('cache_write_behind_dead_letters_total')?.get();
    expect(metric?.values.find((v) => v.labels['queue'] === 'scores')?.value).toBe(1);
  });

  it('a store outage dead-letters nothing: a batch whose every key fails stays pending past maxDeliveries and is persisted when the store returns', async () => {
    const rows = new Map<string, number>();
    let storeUp = false;
    const queue = h.inProcess({
      claimIdleMs: 100,
      maxDeliveries: 2,
      persist: async (batch) => {
        if (!storeUp) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        for (const { key, value } of batch) rows.set(key, value);
      },
    });
    for (let k = 0; k < 3; k++) await h.producer.write(`k-${k}`, k);
    await queue.start();
    await waitFor(
      'the batch delivered more than maxDeliveries times',
      async () => {
        const rows = (await h.db().xpending(STREAM, 'writers', '-', '+', 10)) as Array<
          [string, string, number, number]
        >;
        return rows.length === 3 && rows.every(([, , , deliveries]) => deliveries > 3);
      },
      { timeoutMs: 15_000 },
    );
    expect(await h.db().xlen(DEAD)).toBe(0);
    storeUp = true;
    await waitFor('all three persisted', () => rows.size === 3, { timeoutMs: 15_000 });
    await waitFor('nothing pending', async () => (await h.pendingCount()) === 0, { timeoutMs: 10_000 });
    expect(await h.db().xlen(DEAD)).toBe(0);
  });
});
