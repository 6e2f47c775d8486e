import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { coalesceWrites, RedisConnections } from '../src';

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

  it('sends the commands of one tick in one socket write, with every reply intact', async () => {
    const client = connections.shared('data', 'request');
    await waitFor('ready', () => client.status === 'ready');
    await client.del('test:n');
    // Clients of RedisConnections coalesce every command by themselves; an explicit call changes nothing.
    const plain = await socketWrites(connections, fiftyIncrements(false));
    const coalesced = await socketWrites(connections, fiftyIncrements(true));
    expect(plain).toBe(1);
    expect(coalesced).toBe(1);
    expect(await client.get('test:n')).toBe('100');
  });

  it('coalesces the next commands of awaited chains woken by one read', async () => {
    const client = connections.shared('data', 'request');
    await waitFor('ready', () => client.status === 'ready');
    await client.del('test:chain');
    // 50 chains of INCR -> RPUSH: the replies of one read wake them all, and their second commands
    // leave together.
    const writes = await socketWrites(connections, () =>
      Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const n = await client.incr('test:n');
          await client.rpush('test:chain', `${i}:${n}`);
        }),
      ),
    );
    expect(writes).toBeLessThan(10);
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
