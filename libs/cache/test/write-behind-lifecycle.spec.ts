import { RedisConnections } from '@shop/redis';
import { freePort, waitFor } from '@shop/testing';
import { Registry } from 'prom-client';
import { WriteBehindQueue } from '../src';
import { STREAM, useWriteBehindHarness, within } from './fixtures/write-behind-harness';

describe('write-behind: start, stop, scrape', () => {
  const h = useWriteBehindHarness();

  it('write() right after start() on fresh connections succeeds (it waits for the first connect)', async () => {
    const fresh = new RedisConnections({ url: h.redis.url, keyPrefix: 'wb', connectionName: 'fresh' });
    const rows = new Map<string, number>();
    const queue = new WriteBehindQueue<number>({
      connections: fresh,
      name: 'scores',
      instanceId: 'fresh',
      registry: new Registry(),
      persist: async (batch) => {
        for (const { key, value } of batch) rows.set(key, value);
      },
    });
    try {
      await queue.start();
      await queue.write('first', 1);
      await waitFor('persisted', () => rows.get('first') === 1);
    } finally {
      await queue.stop();
      await fresh.close();
    }
  });

  it('write() with no Redis to connect to fails within the command timeout', async () => {
    const nowhere = new RedisConnections({
      url: `redis://127.0.0.1:${await freePort()}`,
      keyPrefix: 'wb',
      commandTimeoutMs: 300,
    });
    const queue = new WriteBehindQueue<number>({
      connections: nowhere,
      name: 'scores',
      instanceId: 'nowhere',
      registry: new Registry(),
      persist: async () => undefined,
    });
    const started = Date.now();
    await expect(queue.write('k', 1)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    await nowhere.close();
  });

  it('a scrape while Redis is down answers within 250 ms with the last known values', async () => {
    const registry = new Registry();
    h.inProcess({ registry, persist: async () => undefined }); // not started: the keys stay waiting
    for (let k = 0; k < 3; k++) await h.producer.write(`k-${k}`, k);
    expect(await registry.metrics()).toContain('cache_write_behind_pending_keys{queue="scores"} 3');
    await h.redis.stop();
    for (let scrape = 0; scrape < 2; scrape++) {
      const started = Date.now();
      const text = await within(registry.metrics(), 3000, 'HUNG');
      const elapsed = Date.now() - started;
      expect(text).toContain('cache_write_behind_pending_keys{queue="scores"} 3');
      // The bound is 250 ms; the rest is slack for a loaded machine (unbounded, the scrape never returns).
      expect(elapsed).toBeLessThan(750);
    }
  });

  it('stop() returns within drainTimeoutMs while persist hangs; the batch stays pending for another consumer', async () => {
    let entered = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = h.inProcess({
      drainTimeoutMs: 300,
      persist: async () => {
        entered = true;
        await gate;
      },
    });
    await queue.start();
    await h.producer.write('slow', 1);
    await waitFor('inside persist', () => entered);
    const started = Date.now();
    expect(
      await within(
        queue.stop().then(() => 'stopped'),
        5000,
        'HUNG',
      ),
    ).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await h.pendingCount()).toBe(1);
    release();
  });

  it('stop() returns within drainTimeoutMs while Redis is down', async () => {
    const queue = h.inProcess({ drainTimeoutMs: 300, persist: async () => undefined });
    await queue.start();
    await h.producer.write('k', 1);
    await waitFor('settled', async () => (await h.db().xlen(STREAM)) === 0);
    await h.redis.stop();
    const started = Date.now();
    expect(
      await within(
        queue.stop().then(() => 'stopped'),
        5000,
        'HUNG',
      ),
    ).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stop() with Redis gone and nothing being persisted returns at once, not at the drain deadline', async () => {
    const queue = h.inProcess({ drainTimeoutMs: 4000, persist: async () => undefined });
    await queue.start();
    await h.redis.stop();
    await new Promise((r) => setTimeout(r, 300)); // the loop's next read now waits for a reconnect
    const started = Date.now();
    await queue.stop();
    // Before: the whole 4 s drain deadline (the queued read was awaited).
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('the takeover sweep follows its pending-list cursor past entries a live consumer holds', async () => {
    // 25 entries held by a live consumer (its persist hangs; its keep-alive keeps them fresh), then 5 of a
    // consumer that died. A sweep reads the pending list a page at a time (XPENDING, then XCLAIM of the
    // idle ones; the old XAUTOCLAIM COUNT 2 scanned 20 per call): one that restarts at the beginning
    // never gets past the live ones.
    for (let k = 0; k < 30; k++) await h.producer.write(`k-${k}`, k);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const live = h.inProcess({
      instanceId: 'live',
      batchSize: 25,
      claimIdleMs: 600,
      persist: () => gate,
    });
    await h.db().xgroup('CREATE', STREAM, 'writers', '0', 'MKSTREAM');
    await h.db().xreadgroup('GROUP', 'writers', 'live', 'COUNT', 25, 'STREAMS', STREAM, '>');
    await h.db().xreadgroup('GROUP', 'writers', 'ghost', 'COUNT', 5, 'STREAMS', STREAM, '>');
    await live.start(); // re-reads its own 25 pending entries first and hangs in persist with them
    const rows = new Map<string, number>();
    const heir = h.inProcess({
      instanceId: 'heir',
      batchSize: 2,
      claimIdleMs: 600,
      persist: async (batch) => {
        for (const { key, value } of batch) rows.set(key, value);
      },
    });
    await heir.start();
    try {
      await waitFor(
        "the dead consumer's 5 keys persisted by the heir",
        () => [25, 26, 27, 28, 29].every((k) => rows.get(`k-${k}`) === k),
        { timeoutMs: 10_000 },
      );
    } finally {
      release();
    }
  });
});
