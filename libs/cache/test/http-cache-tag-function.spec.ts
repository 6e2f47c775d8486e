import { Controller, Get, Module, Param, Post, UseInterceptors, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisModule } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import type { Request } from 'express';
import { Registry } from 'prom-client';
import { Cache, CacheModule, CacheResponse, HttpCacheInterceptor } from '../src';

const prices: Record<string, number> = { a: 1, b: 1 };

@Controller('products')
@UseInterceptors(HttpCacheInterceptor)
class ProductsController {
  constructor(private readonly cache: Cache) {}

  // Per-entity tags from the routed request: a change to one product drops only its responses.
  @Get(':sku')
  @CacheResponse({ ttl: '1m', tags: (req: Request) => [`product:${String(req.params['sku'])}`] })
  get(@Param('sku') sku: string): { sku: string; price: number } {
    return { sku, price: prices[sku] ?? 0 };
  }

  @Post(':sku/bump')
  async bump(@Param('sku') sku: string): Promise<{ ok: true }> {
    prices[sku] = (prices[sku] ?? 0) + 1;
    await this.cache.invalidateTags([`product:${sku}`]);
    return { ok: true };
  }
}

function appModule(url: string, instance: string) {
  @Module({
    imports: [
      RedisModule.forRoot({ url, keyPrefix: 'tagfn', connectionName: instance }),
      CacheModule.forRoot({ name: 'tagfn', registry: new Registry() }),
    ],
    controllers: [ProductsController],
  })
  class AppModule {}
  return AppModule;
}

describe('HTTP cache tags computed from the request', () => {
  let redis: TestRedis;
  const apps: INestApplication[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    for (const instance of ['one', 'two']) {
      const app = await NestFactory.create(appModule(redis.url, instance), { logger: false });
      await app.listen(0, '127.0.0.1');
      apps.push(app);
      urls.push(await app.getUrl());
    }
    await waitFor('ready', async () => (await fetch(`${urls[0]}/products/a`)).status === 200);
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await redis.dispose();
  });

  it('invalidating one entity’s tag on one instance drops only that entity’s response, on both', async () => {
    for (const url of urls) for (const sku of ['a', 'b']) await fetch(`${url}/products/${sku}`);
    expect((await fetch(`${urls[1]}/products/a`)).headers.get('x-cache')).toBe('HIT');
    expect((await fetch(`${urls[0]}/products/b`)).headers.get('x-cache')).toBe('HIT');
    await fetch(`${urls[0]}/products/a/bump`, { method: 'POST' });
    const a = await fetch(`${urls[1]}/products/a`);
    expect(a.headers.get('x-cache')).toBe('MISS');
    expect(await a.json()).toEqual({ sku: 'a', price: 2 });
    expect((await fetch(`${urls[1]}/products/b`)).headers.get('x-cache')).toBe('HIT');
    expect((await fetch(`${urls[0]}/products/b`)).headers.get('x-cache')).toBe('HIT');
  });
});
