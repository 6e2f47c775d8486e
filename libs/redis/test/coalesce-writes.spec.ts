import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { coalesceWrites, MAX_COALESCED_COMMANDS, RedisConnections } from '../src';

/** Counts the socket-level writes (one per syscall) a client makes while `run` executes. */
async function socketWrites(connections: RedisConnections, run: () => Promise<unknown>): Promise<number> {
  const client = connections.shared('data', 'request');
  await waitFor('ready', () => client.status === 'ready');
  const socket = (client as unknown as { stream: Record<'_write' | '_writev', (...a: unknown[]) => void> })
    .stream;
  let writes = 0;
  const original = { write: socket._write, writev: socket._writev };
  socket._write = function (...args: unknown[]) {
    writes++;
    return original.write.apply(this, args);
  };
  socket._writev = function (...args: unknown[]) {
    writes++;
    return original.writev.apply(this, args);
  };
  try {
    await run();
  } finally {
    socket._write = original.write;
    socket._writev = original.writev;
  }
  return writes;
}

describe('coalesceWrites against a real Redis', () => {
  let redis: TestRedis;
  let connections: RedisConnections;

  beforeAll(async () => {
    redis = await startTestRedis();
    connections = new RedisConnections({ url: redis.url, keyPrefix: 'test', connectionName: 'spec' });
  });

  afterAll(async () => {
    await connections.close();
    await redis.dispose();
  });

  const fiftyIncrements = (coalesce: boolean) => async () => {
    const client = connections.shared('data', 'request');
    if (coalesce) coalesceWrites(client);
    const results = await Promise.all(Array.from({ length: 50 }, () => client.incr('test:n')));
    return results;
  };

  it('sends the commands of one tick in writes of at most MAX_COALESCED_COMMANDS, with every reply intact', async () => {
    const client = connections.shared('data', 'request');
    await waitFor('ready', () => client.status === 'ready');
    await client.del('test:n');
    // Clients of RedisConnections coalesce every command by themselves; an explicit call changes nothing.
    const plain = await socketWrites(connections, fiftyIncrements(false));
    const coalesced = await socketWrites(connections, fiftyIncrements(true));
    const writes = Math.ceil(50 / MAX_COALESCED_COMMANDS); // 16 + 16 + 16 + 2
    expect(plain).toBe(writes);
    expect([writes, writes + 1]).toContain(coalesced); // the explicit call counts as one more
    expect(await client.get('test:n')).toBe('100');
  });

  it('caps one write at MAX_COALESCED_COMMANDS: Redis starts on the first commands while the rest are issued', async () => {
    const client = connections.shared('data', 'request');
    await waitFor('ready', () => client.status === 'ready');
    const sizes: number[] = [];
    const socket = (client as unknown as { stream: Record<'_writev', (...a: unknown[]) => void> }).stream;
    const writev = socket._writev;
    socket._writev = function (...args: unknown[]) {
      sizes.push((args[0] as unknown[]).length);
      return writev.apply(this, args);
    };
    try {
      await Promise.all(Array.from({ length: 40 }, () => client.ping()));
    } finally {
      socket._writev = writev;
    }
    // 40 PINGs in one tick: three writes (16 + 16 + 8), not one and not forty
    expect(sizes.length).toBe(Math.ceil(40 / MAX_COALESCED_COMMANDS));
  });

  it('coalesces the next commands of awaited chains woken by one read', async () => {
    const client = connections.shared('data', 'request');
    await waitFor('ready', () => client.status === 'ready');
    await client.del('test:chain');
    // 50 chains of INCR -> RPUSH: the replies of one read wake them all, and their second commands
    // leave together (in writes of at most MAX_COALESCED_COMMANDS).
    const writes = await socketWrites(connections, () =>
      Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const n = await client.incr('test:n');
          await client.rpush('test:chain', `${i}:${n}`);
        }),
      ),
    );
    // two waves of 50 in writes of at most MAX_COALESCED_COMMANDS (about 51 writes without coalescing)
    expect(writes).toBeLessThanOrEqual(2 * Math.ceil(50 / MAX_COALESCED_COMMANDS) + 4);
    const chain = await client.lrange('test:chain', 0, -1);
    expect(chain).toHaveLength(50);
    expect(new Set(chain.map((e) => e.split(':')[1])).size).toBe(50);
  });

  it('does nothing while the client is not connected (the command fails as it would anyway)', async () => {
    const offline = new RedisConnections({
      url: 'redis://127.0.0.1:1',
      keyPrefix: 'test',
      connectionName: 'spec-offline',
    });
    const client = offline.shared('data', 'request');
    expect(() => coalesceWrites(client)).not.toThrow();
    await expect(client.get('test:x')).rejects.toThrow();
    await offline.close();
  });
});
