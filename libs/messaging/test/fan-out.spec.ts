import { RedisConnections } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { encode, FanOutReader, newMessageId, type Envelope } from '../src';

describe('FanOutReader', () => {
  let redis: TestRedis;
  const stream = 'fo:feed';

  beforeAll(async () => {
    redis = await startTestRedis({ appendOnly: true });
  });

  afterAll(async () => {
    await redis.dispose();
  });

  const entry = (n: number): string[] =>
    encode({
      id: newMessageId(),
      pattern: 'feed.item',
      data: { n },
      sender: 't',
      ts: Date.now(),
    } satisfies Envelope);

  it('gives every instance every entry, in order, and resumes after a Redis restart without gaps', async () => {
    const instances = [0, 1, 2].map((i) => ({
      connections: new RedisConnections({ url: redis.url, connectionName: `fo-${i}` }),
      seen: [] as number[],
    }));
    const readers = instances.map(
      (inst) =>
        new FanOutReader({
          connections: inst.connections,
          stream,
          blockMs: 100,
          onEntry: ({ envelope }) => void inst.seen.push((envelope.data as { n: number }).n),
        }),
    );
    const writer = instances[0].connections.shared('data', 'background');
    await writer.xadd(stream, '*', ...entry(-1)); // before the readers start: not replayed ('$')
    await Promise.all(readers.map((r) => r.start()));
    for (let n = 0; n < 50; n++) await writer.xadd(stream, '*', ...entry(n));
    await waitFor('all readers saw 50', () => instances.every((i) => i.seen.length === 50));

    await redis.restart();
    for (let n = 50; n < 100; n++) await writer.xadd(stream, '*', ...entry(n));
    await waitFor(
      'all readers saw 100 after the restart',
      () => instances.every((i) => i.seen.length === 100),
      { timeoutMs: 15_000 },
    );
    for (const inst of instances) expect(inst.seen).toEqual(Array.from({ length: 100 }, (_, n) => n));

    await Promise.all(readers.map((r) => r.stop()));
    await Promise.all(instances.map((i) => i.connections.close()));
  });

  it('resumes from a given id', async () => {
    const connections = new RedisConnections({ url: redis.url });
    const writer = connections.shared('data', 'background');
    const first = (await writer.xadd('fo:resume', '*', ...entry(1))) as string;
    await writer.xadd('fo:resume', '*', ...entry(2));
    const seen: number[] = [];
    const reader = new FanOutReader({
      connections,
      stream: 'fo:resume',
      fromId: first,
      blockMs: 100,
      onEntry: ({ envelope }) => void seen.push((envelope.data as { n: number }).n),
    });
    await reader.start();
    await waitFor('the entry after the given id', () => seen.length === 1);
    expect(seen).toEqual([2]);
    await reader.stop();
    await connections.close();
  });

  it('starts with Redis down and reads once it is back (only entries written after it could pin)', async () => {
    const own = await startTestRedis();
    const connections = new RedisConnections({ url: own.url, connectionName: 'fo-down' });
    try {
      await own.stop();
      const seen: number[] = [];
      const reader = new FanOutReader({
        connections,
        stream: 'fo:down',
        blockMs: 100,
        onEntry: ({ envelope }) => void seen.push((envelope.data as { n: number }).n),
      });
      const started = Date.now();
      await reader.start();
      expect(Date.now() - started).toBeLessThan(5000);
      await own.start();
      const writer = connections.shared('data', 'background');
      // Written before the reader could pin '$' again: it may or may not be read; later ones must be.
      await waitFor('the reader pinned its position', () => reader.position !== '$', { timeoutMs: 10_000 });
      for (let n = 0; n < 5; n++) await writer.xadd('fo:down', '*', ...entry(n));
      await waitFor('the entries after the pin', () => seen.length === 5, { timeoutMs: 10_000 });
      expect(seen).toEqual([0, 1, 2, 3, 4]);
      await reader.stop();
    } finally {
      await connections.close();
      await own.dispose();
    }
  });
});
