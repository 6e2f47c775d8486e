import type { RedisConnections } from '@shop/redis';
import { EventEmitter } from 'node:events';
import { InvalidationBus } from './invalidation-bus';

/** A subscriber connection whose SUBSCRIBE replies only when the test says so. */
class FakeSubscriber extends EventEmitter {
  readonly subscribeCalls: Array<() => void> = [];
  subscribe(): Promise<number> {
    return new Promise((resolve) => this.subscribeCalls.push(() => resolve(1)));
  }
}

describe('InvalidationBus reconnect', () => {
  it('reports the reconnect gap only once the subscription is active again', async () => {
    const subscriber = new FakeSubscriber();
    const connections = {
      options: { cacheUrl: 'redis://127.0.0.1:6379' },
      dedicated: () => subscriber,
      release: async () => undefined,
    } as unknown as RedisConnections;
    const gaps: string[] = [];
    const bus = new InvalidationBus(connections, 'bus', {
      onMessage: () => undefined,
      onGap: (reason) => gaps.push(reason),
    });
    const started = bus.start();
    subscriber.subscribeCalls[0]();
    await started;

    // ioredis emits 'ready' before it has resubscribed: expiring L1 now would let it refill unheard.
    subscriber.emit('ready');
    await new Promise((r) => setImmediate(r));
    expect(gaps).toEqual([]);
    expect(subscriber.subscribeCalls).toHaveLength(2);

    subscriber.subscribeCalls[1]();
    await new Promise((r) => setImmediate(r));
    expect(gaps).toEqual(['reconnect']);
  });

  it('reports a sequence gap and ignores its own messages', async () => {
    const subscriber = new FakeSubscriber();
    const connections = {
      options: { cacheUrl: 'redis://127.0.0.1:6379' },
      dedicated: () => subscriber,
    } as unknown as RedisConnections;
    const gaps: string[] = [];
    const received: number[] = [];
    const bus = new InvalidationBus(connections, 'bus', {
      onMessage: (m) => received.push(m.q),
      onGap: (reason) => gaps.push(reason),
    });
    const started = bus.start();
    subscriber.subscribeCalls[0]();
    await started;
    const send = (s: string, q: number) =>
      subscriber.emit('message', 'bus', JSON.stringify({ s, q, k: ['x'] }));
    send('other', 1);
    send('other', 2);
    send(bus.senderId, 7);
    expect(gaps).toEqual([]);
    send('other', 4);
    expect(gaps).toEqual(['sequence']);
    expect(received).toEqual([1, 2, 4]);
  });
});

describe('InvalidationBus messages, start-up and ordering', () => {
  function setup(cacheUrl = 'redis://127.0.0.1:6379') {
    const subscriber = new FakeSubscriber();
    const published: string[] = [];
    let failNext = false;
    const shared = {
      publish: async (_channel: string, text: string) => {
        if (failNext) {
          failNext = false;
          throw new Error('Connection is closed.');
        }
        published.push(text);
        return 1;
      },
    };
    const connections = {
      options: { cacheUrl },
      dedicated: () => subscriber,
      shared: () => shared,
      release: async () => undefined,
    } as unknown as RedisConnections;
    const gaps: string[] = [];
    const received: number[] = [];
    const bus = new InvalidationBus(connections, 'bus', {
      onMessage: (m) => received.push(m.q),
      onGap: (reason) => gaps.push(reason),
    });
    return { bus, subscriber, published, gaps, received, failPublish: () => (failNext = true) };
  }

  it('publishes share the L2 connection in order on standalone, not on a Cluster', () => {
    expect(setup().bus.orderedWithL2).toBe(true);
    const onCluster = setup('redis-cluster://127.0.0.1:7001,127.0.0.1:7002');
    expect(onCluster.bus.sharded).toBe(true);
    expect(onCluster.bus.orderedWithL2).toBe(false);
  });

  it('refuses malformed messages (counted through "rejected"), acting on none', async () => {
    const { bus, subscriber, received, gaps } = setup();
    const rejected: number[] = [];
    bus.on('rejected', (n: number) => rejected.push(n));
    const started = bus.start();
    subscriber.subscribeCalls[0]();
    await started;
    for (const text of [
      'not json',
      '[]',
      JSON.stringify({ s: 'x', q: 0 }),
      JSON.stringify({ s: 'x', q: 1, k: 'not-a-list' }),
      JSON.stringify({ s: 'x', q: 1, t: { tag: -1 } }),
      JSON.stringify({ s: 'x', q: 1, p: 'a[bc]' }),
      JSON.stringify({ s: 'x', q: 1, c: true }),
    ])
      subscriber.emit('message', 'bus', text);
    expect(rejected).toHaveLength(7);
    expect(received).toEqual([]);
    expect(gaps).toEqual([]);
  });

  it('after a failed publish the next message is flagged, and even a receiver that never saw the sender declares a gap', async () => {
    const sender = setup();
    sender.failPublish();
    expect(await sender.bus.publish({ k: ['a'] })).toBe(false);
    expect(await sender.bus.publish({ k: ['b'] })).toBe(true);
    expect(await sender.bus.publish({ k: ['c'] })).toBe(true);
    const [flagged, next] = sender.published.map((t) => JSON.parse(t) as { q: number; r?: number });
    expect(flagged).toMatchObject({ q: 2, r: 1 });
    expect(next.r).toBeUndefined();

    const receiver = setup();
    const started = receiver.bus.start();
    receiver.subscriber.subscribeCalls[0]();
    await started;
    receiver.subscriber.emit('message', 'bus', sender.published[0]);
    expect(receiver.gaps).toEqual(['sequence']);
    expect(receiver.received).toEqual([2]);
  });

  it('remembers a bounded number of senders', async () => {
    const { bus, subscriber } = setup();
    const started = bus.start();
    subscriber.subscribeCalls[0]();
    await started;
    for (let i = 0; i < 5_000; i++)
      subscriber.emit('message', 'bus', JSON.stringify({ s: `sender-${i}`, q: 1, k: ['x'] }));
    expect(bus.knownSenders).toBeLessThanOrEqual(1_000);
  });

  it('a start that timed out keeps subscribing; the late first subscription is a gap, then L1 may be trusted', async () => {
    const { bus, subscriber, gaps } = setup();
    expect(await bus.start(10)).toBe(false);
    expect(bus.active).toBe(false);
    subscriber.subscribeCalls[0]();
    await new Promise((r) => setImmediate(r));
    expect(bus.active).toBe(true);
    expect(gaps).toEqual(['reconnect']);
  });
});
