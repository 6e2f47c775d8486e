import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisModule } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { Registry } from 'prom-client';
import { Cache, CacheModule } from '../src';
import { busMessages } from './helpers';

export interface HttpTestApps {
  redis: TestRedis;
  apps: INestApplication[];
  urls: string[];
  /**
   * Resolves once every other app has heard every invalidation app 0 published so far: app 0 publishes
   * a marker, and messages of one sender arrive in order. For a test that invalidates on one instance
   * and then needs the others to have applied it (the bus is asynchronous by design).
   */
  synced(): Promise<void>;
  dispose(): Promise<void>;
}

export interface HttpTestAppsOptions {
  /** The cache's name and the Redis key prefix. */
  name: string;
  controllers: Type[];
  /** A GET that answers 200 once the app's Redis clients are ready. */
  readyPath: string;
  /** Connection names, one app each. @default ['one', 'two'] */
  instances?: string[];
  /** Runs before `listen` (e.g. `app.use(...)` ahead of the router). */
  configure?: (app: INestApplication) => void;
}

/**
 * One service run twice, as the HTTP cache specs need it: Nest apps with the same controllers over one
 * test Redis, each with its own connections and metrics registry, listening on free loopback ports.
 */
export async function startHttpTestApps(options: HttpTestAppsOptions): Promise<HttpTestApps> {
  const redis = await startTestRedis();
  const apps: INestApplication[] = [];
  const registries: Registry[] = [];
  const dispose = async () => {
    await Promise.all(apps.map((a) => a.close()));
    await redis.dispose();
  };
  try {
    for (const instance of options.instances ?? ['one', 'two']) {
      const registry = new Registry();
      registries.push(registry);
      @Module({
        imports: [
          RedisModule.forRoot({ url: redis.url, keyPrefix: options.name, connectionName: instance }),
          CacheModule.forRoot({
            name: options.name,
            registry,
          }),
        ],
        controllers: options.controllers,
      })
      class AppModule {}
      const app = await NestFactory.create(AppModule, { logger: false });
      options.configure?.(app);
      await app.listen(0, '127.0.0.1');
      apps.push(app);
    }
    const urls = await Promise.all(apps.map((a) => a.getUrl()));
    await waitFor(
      'redis clients ready',
      async () => (await fetch(`${urls[0]}${options.readyPath}`)).status === 200,
    );
    let markers = 0;
    const synced = async () => {
      const before = await Promise.all(registries.slice(1).map((r) => busMessages(r, 'in')));
      await apps[0].get(Cache).delete(`bus-sync-marker-${++markers}`);
      await waitFor('the other instances heard the bus', async () => {
        const now = await Promise.all(registries.slice(1).map((r) => busMessages(r, 'in')));
        return now.every((n, i) => n > (before[i] ?? 0));
      });
    };
    return { redis, apps, urls, synced, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/**
 * Fetches `url` until it answers `X-Cache: MISS`, and returns that response. Cross-instance L1
 * invalidation is a pub/sub message: the invalidating request answers once Redis took the PUBLISH, but
 * the other instance applies it a moment later (Redis may even write the publisher's reply before the
 * subscriber's message). A read on that instance right after may still be an L1 HIT; this waits for the
 * message to arrive, and times out (failing the test) if it never does.
 */
export async function fetchUntilMiss(url: string, what: string): Promise<Response> {
  let miss: Response | undefined;
  await waitFor(what, async () => {
    const res = await fetch(url);
    if (res.headers.get('x-cache') !== 'MISS') {
      await res.arrayBuffer();
      return false;
    }
    miss = res;
    return true;
  });
  return miss as Response;
}
