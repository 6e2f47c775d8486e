import { RedisConnections } from '@shop/redis';
import { startServiceProcess, waitFor, type ServiceProcess } from '@shop/testing';
import { join } from 'node:path';
import { RedisStreamsClient } from '../src';

export const FIXTURE = join(__dirname, 'fixtures', 'streams-service.ts');

/** Starts `count` fixture service processes and waits until each reports READY. */
export async function startFixtures(
  redisUrl: string,
  count: number,
  env: Record<string, string> = {},
  firstIndex = 0,
): Promise<ServiceProcess[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `fx-${firstIndex + i}`;
      const proc = await startServiceProcess({
        name,
        entry: FIXTURE,
        env: { REDIS_URL: redisUrl, INSTANCE_ID: name, ...env },
        waitReady: false,
      });
      await waitFor(`${name} ready`, () => proc.logs.some((l) => l.startsWith('READY')) || undefined, {
        timeoutMs: 30_000,
      }).catch((err: Error) => {
        throw new Error(`${err.message}\n${proc.logs.slice(-20).join('\n')}`);
      });
      return proc;
    }),
  );
}

/** A client "instance": its own connections and instance id, as a separate gateway process would have. */
export function makeClient(
  redisUrl: string,
  instanceId: string,
  options: { target?: string; service?: string; timeoutMs?: number } = {},
) {
  const connections = new RedisConnections({ url: redisUrl, keyPrefix: 'fx', connectionName: instanceId });
  const client = new RedisStreamsClient({
    connections,
    service: options.service ?? 'caller',
    instanceId,
    target: options.target ?? 'fixture',
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  return {
    client,
    connections,
    async close() {
      await client.close();
      await connections.close();
    },
  };
}
