import { startTestRedis, waitFor, type ServiceProcess, type TestRedis } from '@shop/testing';
import { encode, groupStats, streamNames } from '../src';
import { makeClient, startFixtures } from './helpers';

/** Emits `count` tick events from a producer client named "producer". */
async function emitTicks(
  producer: ReturnType<typeof makeClient>,
  from: number,
  count: number,
): Promise<void> {
  for (let n = from; n < from + count; n += 50) {
    const batch = Array.from({ length: Math.min(50, from + count - n) }, (_, i) =>
      producer.client.emit('producer.tick', { n: n + i }).toPromise(),
    );
    await Promise.all(batch);
  }
}

describe('events over Redis Streams with service processes', () => {
  let redis: TestRedis;
  let producer: ReturnType<typeof makeClient>;
  let services: ServiceProcess[] = [];

  beforeEach(async () => {
    redis = await startTestRedis({ appendOnly: true });
    producer = makeClient(redis.url, 'producer-0', { service: 'producer' });
    await producer.client.connect();
  });

  afterEach(async () => {
    await Promise.all(services.map((s) => s.kill()));
    services = [];
    await producer.close();
    await redis.dispose();
  });

  const count = (key: string) => producer.connections.shared().scard(key);
  const effects = async () => Number(await producer.connections.shared().get('fx:effects'));

  it('1,000 events with an instance SIGKILLed mid-stream: all handled, its pending entries reclaimed, each effect once', async () => {
    services = await startFixtures(redis.url, 3, {
      EVENT_DELAY_MS: '20',
      CONCURRENCY: '8',
      CLAIM_IDLE_MS: '1000',
    });
    const stream = streamNames.events(producer.connections.keys, 'producer');
    const emitting = emitTicks(producer, 0, 1000);
    const victim = services[0];
    const victimPending = async () =>
      (await producer.connections.shared().xpending(stream, 'fixture', '-', '+', 100, 'fx-0')) as unknown[];
    // Kill it while it holds entries. The consumers can outpace the producer (seen in CI under load), so
    // the victim may sit idle between two batches: freeze it first (SIGSTOP), let what it already sent
    // reach Redis, and only kill it frozen with entries pending; otherwise let it go on and look again.
    await waitFor(
      'the victim has handled some events and is frozen holding more',
      async () => {
        const byInstance = await producer.connections.shared().hgetall('fx:events-by-instance');
        if (Number(byInstance['fx-0'] ?? 0) <= 50) return false;
        process.kill(victim.pid, 'SIGSTOP');
        await new Promise((r) => setTimeout(r, 50));
        if ((await victimPending()).length > 0) return true;
        process.kill(victim.pid, 'SIGCONT');
        return false;
      },
      { timeoutMs: 30_000, intervalMs: 10 },
    );
    await victim.kill();
    // The victim died holding entries: they are pending under its consumer name.
    expect((await victimPending()).length).toBeGreaterThan(0);
    await emitting;
    await waitFor('all 1,000 effects applied', async () => (await count('fx:seen')) === 1000, {
      timeoutMs: 60_000,
    });
    // Exactly once: the idempotent effect counter did not double-apply redelivered entries.
    expect(await effects()).toBe(1000);
    await waitFor(
      'nothing left pending',
      async () => {
        const summary = (await producer.connections.shared().xpending(stream, 'fixture')) as [
          number,
          ...unknown[],
        ];
        return summary[0] === 0;
      },
      { timeoutMs: 30_000 },
    );
    const byInstance = await producer.connections.shared().hgetall('fx:events-by-instance');
    expect(Number(byInstance['fx-1']) + Number(byInstance['fx-2'])).toBeGreaterThan(0);
    // The victim's pending entries were taken over by the survivors.
    const left = (await producer.connections
      .shared()
      .xpending(stream, 'fixture', '-', '+', 100, 'fx-0')) as unknown[];
    expect(left).toEqual([]);
  });

  it('a handler that always throws: dead-lettered after N deliveries with the error; garbage goes there at once; the consumer goes on', async () => {
    services = await startFixtures(redis.url, 1);
    const redisClient = producer.connections.shared();
    const stream = streamNames.events(producer.connections.keys, 'producer');
    const dlq = streamNames.deadLetter(producer.connections.keys, 'fixture', 'evt');
    await producer.client.emit('producer.poison', { n: 1 }).toPromise();
    await redisClient.xadd(stream, '*', 'garbage', 'not an envelope');
    await redisClient.xadd(
      stream,
      '*',
      ...encode({ id: 'x', pattern: 'p', data: 1, sender: 's', ts: 1 }).map((v, i) =>
        i === 1 ? '{broken json' : v,
      ),
    );
    await producer.client.emit('producer.tick', { n: 42 }).toPromise();

    await waitFor('the good event after them is handled', async () => (await count('fx:seen')) === 1, {
      timeoutMs: 20_000,
    });
    await waitFor('three dead letters', async () => (await redisClient.xlen(dlq)) === 3, {
      timeoutMs: 20_000,
    });
    const letters = (await redisClient.xrange(dlq, '-', '+')) as Array<[string, string[]]>;
    const asObjects = letters.map(([, f]) =>
      Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])),
    );
    const poison = asObjects.find((l) => l['error'].includes('poison pill'));
    expect(poison).toBeDefined();
    expect(Number(poison?.['deliveries'])).toBeGreaterThanOrEqual(3);
    expect(poison?.['original']).toContain('producer.poison');
    expect(
      asObjects.filter((l) => l['error'].startsWith('undecodable')).map((l) => Number(l['deliveries'])),
    ).toEqual([1, 1]);
    const summary = (await redisClient.xpending(stream, 'fixture')) as [number];
    expect(summary[0]).toBe(0);
    // What the health indicator reports for this group.
    expect(await groupStats(redisClient, stream, 'fixture', dlq)).toMatchObject({
      pending: 0,
      lag: 0,
      consumers: 1,
      deadLetters: 3,
    });
  });

  it('Redis restarted mid-run: reading resumes by itself and no acknowledged event is lost', async () => {
    services = await startFixtures(redis.url, 2, { EVENT_DELAY_MS: '2' });
    await emitTicks(producer, 0, 300);
    await waitFor('some handled', async () => (await count('fx:seen')) > 100, { timeoutMs: 20_000 });
    await redis.restart();
    await waitFor('producer reconnected', () => producer.connections.shared().status === 'ready', {
      timeoutMs: 10_000,
    });
    await emitTicks(producer, 300, 300);
    await waitFor('all 600 handled', async () => (await count('fx:seen')) === 600, { timeoutMs: 60_000 });
    expect(await effects()).toBe(600);
  });

  it('SIGTERM during load: in-flight handlers finish and ack; nothing is left half-done', async () => {
    services = await startFixtures(redis.url, 1, { EVENT_DELAY_MS: '300', CONCURRENCY: '4' });
    await emitTicks(producer, 0, 40);
    await waitFor('handlers running', async () => (await count('fx:started')) >= 4, { timeoutMs: 20_000 });
    const result = await services[0].stop(20_000);
    expect(result.code).toBe(0);
    const drained = services[0].logs.find((l) => l.includes('transport drained'));
    expect(drained).toMatch(/"abandoned":0/);
    // Every handler that started also finished: no half-applied effect.
    const started = await producer.connections.shared().smembers('fx:started');
    const finished = await producer.connections.shared().smembers('fx:finished');
    expect(finished.sort()).toEqual(started.sort());
    // What was not started is still in the stream for the next instance.
    const [next] = await startFixtures(redis.url, 1, {}, 5);
    services.push(next);
    await waitFor('the rest handled by a new instance', async () => (await count('fx:seen')) === 40, {
      timeoutMs: 30_000,
    });
    expect(await effects()).toBe(40);
  });

  it('a handler running longer than the claim idle time keeps its claim: never run twice', async () => {
    services = await startFixtures(redis.url, 2, { EVENT_DELAY_MS: '2500', CLAIM_IDLE_MS: '600' });
    await emitTicks(producer, 0, 4);
    await waitFor('all 4 finished', async () => (await count('fx:finished')) === 4, { timeoutMs: 30_000 });
    const starts = await producer.connections.shared().hgetall('fx:starts');
    expect(starts).toEqual({ '0': '1', '1': '1', '2': '1', '3': '1' });
  });

  it('delivers events produced before the consumer group first started', async () => {
    await emitTicks(producer, 0, 25);
    // No group exists yet: nothing has consumed the stream.
    await expect(
      producer.connections
        .shared()
        .xinfo('GROUPS', streamNames.events(producer.connections.keys, 'producer')),
    ).resolves.toEqual([]);
    services = await startFixtures(redis.url, 1);
    await waitFor('the 25 early events', async () => (await count('fx:seen')) === 25, { timeoutMs: 20_000 });
  });
});
