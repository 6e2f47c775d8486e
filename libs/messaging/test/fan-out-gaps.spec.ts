import { RedisConnections } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { encode, FanOutReader, newMessageId, trimArgs, type Envelope } from '../src';

/** A reader that falls behind a `MAXLEN ~` stream by more than it holds is told, not left to guess. */
describe('FanOutReader: entries trimmed before they were read', () => {
  let redis: TestRedis;
  let connections: RedisConnections;

  beforeAll(async () => {
    redis = await startTestRedis();
    connections = new RedisConnections({ url: redis.url, connectionName: 'fo-gaps' });
  });

  afterAll(async () => {
    await connections?.close();
    await redis?.dispose();
  });

  const entry = (n: number): string[] =>
    encode({
      id: newMessageId(),
      pattern: 'feed.item',
      data: { n },
      sender: 't',
      ts: Date.now(),
    } satisfies Envelope);
  const writer = () => connections.shared('data', 'background');
  const add = (stream: string, n: number) => writer().xadd(stream, ...trimArgs(100), '*', ...entry(n));

  function reader(stream: string, hold?: Promise<void>) {
    const seen: number[] = [];
    const gaps: string[] = [];
    const r = new FanOutReader({
      connections,
      stream,
      blockMs: 100,
      onEntry: async ({ envelope }) => {
        const { n } = envelope.data as { n: number };
        seen.push(n);
        if (n === 0) await hold; // a paused process: it reads nothing more meanwhile
      },
      onGap: ({ after }) => void gaps.push(after),
    });
    return { r, seen, gaps };
  }

  it('calls onGap with the last id read when what followed it was trimmed away unread', async () => {
    const stream = 'fo:gap';
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const { r, seen, gaps } = reader(stream, hold);
    await r.start();
    const first = await add(stream, 0);
    await waitFor('the first entry is being handled', () => seen.length === 1);
    // 500 more while the reader is stuck: MAXLEN ~ 100 drops most of them.
    for (let n = 1; n <= 500; n++) await add(stream, n);
    expect(await writer().xlen(stream)).toBeLessThan(300);
    release();
    await waitFor('the survivors read', () => seen[seen.length - 1] === 500);
    expect(gaps).toEqual([first]);
    // Then it reads on, no further gap.
    await add(stream, 501);
    await waitFor('one more', () => seen[seen.length - 1] === 501);
    expect(gaps).toEqual([first]);
    await r.stop();
  });

  it('a reader that keeps up with a trimmed stream is never told of a gap', async () => {
    const stream = 'fo:nogap';
    const { r, seen, gaps } = reader(stream);
    await r.start();
    for (let n = 0; n < 400; n++) {
      await add(stream, n);
      if (n % 50 === 49) await waitFor(`entry ${n} read`, () => seen.length === n + 1);
    }
    await waitFor('all read', () => seen.length === 400);
    expect(Number(await writer().xlen(stream))).toBeLessThan(400); // it was trimmed meanwhile
    expect(gaps).toEqual([]);
    await r.stop();
  });
});
