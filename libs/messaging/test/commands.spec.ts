import type { RedisClient } from '@shop/redis';
import { startTestRedis, waitFor, type ServiceProcess, type TestRedis } from '@shop/testing';
import { firstValueFrom } from 'rxjs';
import { MessagingError } from '../src';
import { makeClient, startFixtures } from './helpers';

describe('commands: request/reply over Redis Streams with 3 service processes', () => {
  let redis: TestRedis;
  let services: ServiceProcess[];
  const clients: Array<ReturnType<typeof makeClient>> = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    services = await startFixtures(redis.url, 3);
    clients.push(makeClient(redis.url, 'caller-a'), makeClient(redis.url, 'caller-b'));
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all((services ?? []).map((s) => s.stop()));
    await redis?.dispose();
  });

  it('answers 1,000 commands from 2 callers, each handled by exactly one instance, each reply to its caller', async () => {
    const perClient = 500;
    const results = await Promise.all(
      clients.flatMap(({ client }, c) =>
        Array.from({ length: perClient }, (_, i) =>
          firstValueFrom(
            client.send<{ sum: number; instance: string; caller: string }>('math.sum', {
              a: i,
              b: c * 1000,
              caller: `c${c}`,
            }),
          ).then((reply) => ({ reply, expected: i + c * 1000, caller: `c${c}` })),
        ),
      ),
    );
    expect(results).toHaveLength(1000);
    for (const { reply, expected, caller } of results) {
      expect(reply.sum).toBe(expected);
      expect(reply.caller).toBe(caller); // the reply came back to the caller that sent it
    }
    // Handled once each: the per-instance counts add up to exactly 1,000 and every instance took part.
    const counts = await clients[0].connections.shared().hgetall('fx:commands-by-instance');
    const total = Object.values(counts).reduce((n, v) => n + Number(v), 0);
    expect(total).toBe(1000);
    expect(Object.keys(counts).sort()).toEqual(['fx-0', 'fx-1', 'fx-2']);
    // Each caller received its own 500 replies, on its own channel; nothing needed the fallback stream.
    expect(clients.map(({ client }) => client.repliesReceived)).toEqual([
      { pubsub: 500, stream: 0 },
      { pubsub: 500, stream: 0 },
    ]);
    const keys = clients[0].connections.keys;
    const replyStreams = ['caller-a', 'caller-b'].map((id) => keys.tagged('reply', 'caller', id));
    const lengths = await Promise.all(replyStreams.map((s) => clients[0].connections.shared().xlen(s)));
    expect(lengths).toEqual([0, 0]);
    expect(clients.every(({ client }) => client.pendingCalls === 0)).toBe(true);
  });

  it('returns typed errors: validation, remote code, no handler', async () => {
    const { client } = clients[0];
    const invalid = await firstValueFrom(client.send('math.strict', { a: 'x', b: 2, extra: true })).catch(
      (e: unknown) => e,
    );
    expect(invalid).toBeInstanceOf(MessagingError);
    expect(invalid).toMatchObject({ code: 'E_REMOTE', remoteCode: 'E_VALIDATION', status: 400 });
    expect((invalid as Error).message).toContain('a must be an integer number');
    expect((invalid as Error).message).toContain('property extra should not exist');

    await expect(firstValueFrom(client.send('math.strict', { a: 1, b: 2 }))).resolves.toBe(3);
    await expect(firstValueFrom(client.send('math.fail', {}))).rejects.toMatchObject({
      code: 'E_REMOTE',
      remoteCode: 'E_FORBIDDEN',
      message: 'order 7 is not yours',
    });
    await expect(firstValueFrom(client.send('math.nope', {}))).rejects.toMatchObject({
      code: 'E_NO_HANDLER',
    });
  });

  it('times out with E_TIMEOUT when no instance of the target runs', async () => {
    const lonely = makeClient(redis.url, 'caller-c', { target: 'nobody', timeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(firstValueFrom(lonely.client.send('math.sum', { a: 1, b: 1 }))).rejects.toMatchObject({
        code: 'E_TIMEOUT',
      });
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await lonely.close();
    }
  });

  it("a reply sent while the caller's subscriber is away arrives through the caller's stream", async () => {
    const caller = makeClient(redis.url, 'caller-d');
    try {
      await caller.client.connect();
      const subscriber = (caller.client as unknown as { subscriber: RedisClient }).subscriber;
      subscriber.disconnect(); // no reconnect until we say so
      await waitFor('subscriber gone', () => subscriber.status === 'end');

      const reply = await firstValueFrom(
        caller.client.send<{ sum: number }>('math.sum', { a: 20, b: 22, caller: 'd' }),
      );
      expect(reply.sum).toBe(42);
      expect(caller.client.repliesReceived).toEqual({ pubsub: 0, stream: 1 });
      const stream = caller.connections.keys.tagged('reply', 'caller', 'caller-d');
      expect(await caller.connections.shared().pttl(stream)).toBeGreaterThan(0); // it expires by itself

      // Back on the channel after a reconnect.
      await subscriber.connect();
      await waitFor('resubscribed', async () => {
        const [, subscribers] = (await caller.connections.shared().pubsub('NUMSUB', stream)) as [
          string,
          number,
        ];
        return subscribers === 1;
      });
      await firstValueFrom(caller.client.send('math.sum', { a: 1, b: 1, caller: 'd' }));
      expect(caller.client.repliesReceived).toEqual({ pubsub: 1, stream: 1 });
    } finally {
      await caller.close();
    }
  });

  it('fails fast with E_UNAVAILABLE while Redis is down, and works again after it returns', async () => {
    const { client } = clients[1];
    await redis.stop();
    try {
      const started = Date.now();
      await expect(
        firstValueFrom(client.send('math.sum', { a: 1, b: 1, caller: 'c1' })),
      ).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await redis.start();
    }
    // Readers and the request client reconnect by themselves.
    let reply: { sum: number } | undefined;
    for (let attempt = 0; attempt < 50 && !reply; attempt++) {
      reply = await firstValueFrom(
        client.send<{ sum: number }>('math.sum', { a: 2, b: 3, caller: 'c1' }),
      ).catch(async () => {
        await new Promise((r) => setTimeout(r, 200));
        return undefined;
      });
    }
    expect(reply?.sum).toBe(5);
  });
});
