import { Controller, Get, Param, Post, UseInterceptors } from '@nestjs/common';
import type { Request } from 'express';
import { Cache, CacheResponse, HttpCacheInterceptor } from '../src';
import { fetchUntilMiss, startHttpTestApps, type HttpTestApps } from './http-test-apps';

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

describe('HTTP cache tags computed from the request', () => {
  let stack: HttpTestApps;
  let urls: string[];

  beforeAll(async () => {
    stack = await startHttpTestApps({
      name: 'tagfn',
      controllers: [ProductsController],
      readyPath: '/products/a',
    });
    ({ urls } = stack);
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  it('invalidating one entity’s tag on one instance drops only that entity’s response, on both', async () => {
    for (const url of urls) for (const sku of ['a', 'b']) await fetch(`${url}/products/${sku}`);
    expect((await fetch(`${urls[1]}/products/a`)).headers.get('x-cache')).toBe('HIT');
    expect((await fetch(`${urls[0]}/products/b`)).headers.get('x-cache')).toBe('HIT');
    await fetch(`${urls[0]}/products/a/bump`, { method: 'POST' });
    const a = await fetchUntilMiss(`${urls[1]}/products/a`, 'the second instance heard the bump');
    expect(await a.json()).toEqual({ sku: 'a', price: 2 });
    expect((await fetch(`${urls[1]}/products/b`)).headers.get('x-cache')).toBe('HIT');
    expect((await fetch(`${urls[0]}/products/b`)).headers.get('x-cache')).toBe('HIT');
  });
});
