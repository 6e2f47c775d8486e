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
