import { RedisConnections } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { Registry } from 'prom-client';
import { firstValueFrom } from 'rxjs';
import { decodeEnvelope, MessagingError, RedisStreamsClient, StreamsRecord, streamNames } from '../src';

const COMMAND_TIMEOUT_MS = 500;

describe('send()/emit() tell "refused, safe to retry" from "timed out, outcome unknown"', () => {
  let redis: TestRedis;
  let connections: RedisConnections;
  let client: RedisStreamsClient;
  let resume: (() => void) | undefined;

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  beforeEach(async () => {
    connections = new RedisConnections({
      url: redis.url,
      keyPrefix: 'fx',
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      shutdownTimeoutMs: 200,
    });
    client = new RedisStreamsClient({
      connections,
      service: 'producer',
      instanceId: 'producer-0',
      target: 'fixture',
      timeoutMs: 10_000,
      registry: new Registry(),
    });
    await client.connect();
  });

  afterEach(async () => {
    resume?.();
    resume = undefined;
    await client.close();
    await connections.close();
  });

  afterAll(async () => {
    await redis.dispose();
  });

  it('emit() on a Redis paused longer than the command timeout: E_OUTCOME_UNKNOWN with the message id; a retry with that id is deduplicable', async () => {
    const stream = streamNames.events(connections.keys, 'producer');
    resume = await redis.pause();
    const started = Date.now();
    const err = (await firstValueFrom(client.emit('producer.tick', { n: 1 })).catch(
      (e: unknown) => e,
    )) as MessagingError;
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(MessagingError);
    expect(err.code).toBe('E_OUTCOME_UNKNOWN');
    expect(err.messageId).toEqual(expect.any(String));
    expect(elapsed).toBeLessThan(COMMAND_TIMEOUT_MS * 1.5 + 200);
    resume();
    // Redis did execute it: the event is in the stream, under the id the error reported.
    const reader = connections.shared('data', 'background');
    await waitFor('event written after resume', async () => (await reader.xlen(stream)) === 1);
    // The caller retries with the same message id, so consumers can deduplicate the second copy.
    await firstValueFrom(
      client.emit('producer.tick', new StreamsRecord({ n: 1 }, { messageId: err.messageId })),
    );
    const entries = (await reader.xrange(stream, '-', '+')) as Array<[string, string[]]>;
    expect(entries.map(([, fields]) => decodeEnvelope(fields).id)).toEqual([err.messageId, err.messageId]);
    expect(entries.map(([, fields]) => decodeEnvelope(fields).data)).toEqual([{ n: 1 }, { n: 1 }]);
  });

  it('send() on a hung Redis fails within about one command timeout with E_OUTCOME_UNKNOWN', async () => {
    resume = await redis.pause();
    const started = Date.now();
    const err = (await firstValueFrom(client.send('math.sum', { a: 1, b: 2 })).catch(
      (e: unknown) => e,
    )) as MessagingError;
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(MessagingError);
    expect(err.code).toBe('E_OUTCOME_UNKNOWN');
    expect(elapsed).toBeLessThan(COMMAND_TIMEOUT_MS * 1.5 + 200);
  });

  it('the first send() of a fresh client on a hung Redis fails within about one command timeout (not connect + command)', async () => {
    // The process' request connection is up (the service has been serving); this client never sent.
    const fresh = new RedisStreamsClient({
      connections,
      service: 'gateway',
      instanceId: 'gateway-fresh',
      target: 'fixture',
      timeoutMs: 10_000,
      registry: new Registry(),
    });
    resume = await redis.pause();
    try {
      const started = Date.now();
      const err = (await firstValueFrom(fresh.send('math.sum', { a: 1, b: 2 })).catch(
        (e: unknown) => e,
      )) as MessagingError;
      const elapsed = Date.now() - started;
      expect(err).toBeInstanceOf(MessagingError);
      expect(['E_UNAVAILABLE', 'E_OUTCOME_UNKNOWN']).toContain(err.code);
      expect(elapsed).toBeLessThan(COMMAND_TIMEOUT_MS * 1.5 + 200);
    } finally {
      resume();
      await fresh.close();
    }
  });

  it('emit() refused by Redis (WRONGTYPE) or while disconnected: E_UNAVAILABLE, nothing written', async () => {
    const stream = streamNames.events(connections.keys, 'producer');
    await connections.shared().del(stream);
    await connections.shared().set(stream, 'not a stream');
    const refused = (await firstValueFrom(client.emit('producer.tick', { n: 2 })).catch(
      (e: unknown) => e,
    )) as MessagingError;
    expect(refused.code).toBe('E_UNAVAILABLE');
    await connections.shared().del(stream);
    await redis.stop();
    try {
      await waitFor('request client sees the outage', () => connections.shared().status !== 'ready');
      const offline = (await firstValueFrom(client.emit('producer.tick', { n: 3 })).catch(
        (e: unknown) => e,
      )) as MessagingError;
      expect(offline.code).toBe('E_UNAVAILABLE');
    } finally {
      await redis.start();
    }
  });
});
