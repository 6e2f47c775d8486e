import type { Redis } from 'ioredis';
import { EventEmitter } from 'node:events';
import { ShardSubscription, type NodeAddress } from './shard-subscription';

/** A node connection whose SSUBSCRIBE answers are decided by the test. */
class FakeNode extends EventEmitter {
  readonly options = { autoResubscribe: true };
  readonly answers: Array<{ ok: () => void; fail: (message: string) => void }> = [];
  constructor(readonly address: NodeAddress) {
    super();
  }
  ssubscribe(): Promise<number> {
    return new Promise((resolve, reject) =>
      this.answers.push({ ok: () => resolve(1), fail: (m) => reject(new Error(m)) }),
    );
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function setup(seeds: NodeAddress[] = [{ host: 'h', port: 1 }]) {
  const opened: FakeNode[] = [];
  const released: FakeNode[] = [];
  const activations: boolean[] = [];
  const texts: string[] = [];
  const subscription = new ShardSubscription(
    'bus',
    (node) => {
      const fake = new FakeNode(node);
      opened.push(fake);
      return fake as unknown as Redis;
    },
    async (client) => void released.push(client as unknown as FakeNode),
    (text) => texts.push(text),
    (reconnected) => activations.push(reconnected),
    () => seeds,
  );
  subscription.start();
  return { subscription, opened, released, activations, texts };
}

describe('ShardSubscription', () => {
  it('follows MOVED to the owner of the slot; the first activation there is not a reconnect', async () => {
    const { opened, released, activations } = setup();
    expect(opened[0].options.autoResubscribe).toBe(false);
    opened[0].answers[0].fail('MOVED 1234 10.0.0.2:7002');
    await tick();
    expect(released).toEqual([opened[0]]);
    expect(opened[1].address).toEqual({ host: '10.0.0.2', port: 7002 });
    opened[1].answers[0].ok();
    await tick();
    expect(activations).toEqual([false]);
  });

  it('subscribes again after a reconnect and reports it only once Redis answered', async () => {
    const { opened, activations, texts } = setup();
    opened[0].answers[0].ok();
    await tick();
    opened[0].emit('smessage', 'bus', 'hello');
    opened[0].emit('close');
    opened[0].emit('ready');
    await tick();
    expect(activations).toEqual([false]);
    opened[0].answers[1].ok();
    await tick();
    expect(activations).toEqual([false, true]);
    expect(texts).toEqual(['hello']);
  });

  it('an unsolicited SUNSUBSCRIBE (slot migrated) subscribes again, which follows MOVED', async () => {
    const { opened, activations } = setup();
    opened[0].answers[0].ok();
    await tick();
    opened[0].emit('moved');
    opened[0].answers[1].fail('MOVED 99 10.0.0.3:7003');
    await tick();
    opened[1].answers[0].ok();
    await tick();
    expect(opened[1].address.port).toBe(7003);
    expect(activations).toEqual([false, true]);
  });

  it('leaves a node that stays unreachable for the next seed', async () => {
    const seeds = [
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ];
    const { opened, released } = setup(seeds);
    for (let i = 0; i < 3; i++) opened[0].emit('reconnecting');
    await tick();
    expect(released).toEqual([opened[0]]);
    expect(opened[1].address).toEqual(seeds[1]);
  });

  it('stop releases the connection and nothing is re-opened afterwards', async () => {
    const { subscription, opened, released } = setup();
    await subscription.stop();
    opened[0].answers[0].fail('MOVED 1 x:1');
    await tick();
    expect(released).toEqual([opened[0]]);
    expect(opened).toHaveLength(1);
  });
});
