// The gateway bench's peer servers, one process each (started by gateway.bench.ts with
// startServiceProcess, run through ts-node): `GET /api/products/:sku` answering the product JSON the
// bench read from the real gateway, behind the same rate limit as the gateway (@shop/rate-limit's
// Express middleware, one sliding-window decision in Redis per request, limit huge).
//   PEER_MODE=cache-manager  @nestjs/cache-manager's CacheInterceptor, cache-manager 7 on Keyv +
//                            @keyv/redis on the cache Redis (the common Nest recipe)
//   PEER_MODE=bare           a bare controller returning the constant product: the ceiling
// Env: PORT, PEER_MODE, PEER_PRODUCT (JSON), REDIS_URL (limiter), REDIS_CACHE_URL (cache-manager).
import 'reflect-metadata';
import { CacheInterceptor, CacheModule } from '@nestjs/cache-manager';
import {
  Controller,
  Get,
  Module,
  NotFoundException,
  Param,
  UseInterceptors,
  type DynamicModule,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { RateLimiter, rateLimitMiddleware } from '@shop/rate-limit';
import { RedisConnections } from '@shop/redis';
import { Registry } from 'prom-client';

const { Keyv } = require('keyv') as typeof import('keyv');
const KeyvRedis = (require('@keyv/redis') as typeof import('@keyv/redis')).default;

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`peer-app: ${name} is required`);
  return value;
};

const mode = env('PEER_MODE');
const product = JSON.parse(env('PEER_PRODUCT')) as { sku: string };

function find(sku: string): object {
  if (sku !== product.sku) throw new NotFoundException(`no product ${sku}`);
  return product;
}

@Controller('health')
class HealthController {
  @Get('ready')
  ready() {
    return { status: 'ok' };
  }
}

@Controller('api/products')
class CachedProductsController {
  @Get(':sku')
  @UseInterceptors(CacheInterceptor)
  get(@Param('sku') sku: string): object {
    return find(sku);
  }
}

@Controller('api/products')
class BareProductsController {
  @Get(':sku')
  get(@Param('sku') sku: string): object {
    return find(sku);
  }
}

@Module({})
class PeerModule {
  static forMode(peer: string): DynamicModule {
    if (peer === 'bare')
      return { module: PeerModule, controllers: [HealthController, BareProductsController] };
    if (peer !== 'cache-manager') throw new Error(`peer-app: unknown PEER_MODE ${peer}`);
    return {
      module: PeerModule,
      imports: [
        CacheModule.register({
          stores: [new Keyv({ store: new KeyvRedis(env('REDIS_CACHE_URL')), namespace: 'bench-peer' })],
          ttl: 60_000,
        }),
      ],
      controllers: [HealthController, CachedProductsController],
    };
  }
}

async function main(): Promise<void> {
  const connections = new RedisConnections({
    url: env('REDIS_URL'),
    keyPrefix: `bench-peer-${mode}`,
    connectionName: `bench-peer-${mode}`,
    commandTimeoutMs: 2000,
  });
  const limiter = new RateLimiter({
    connections,
    registry: new Registry(),
    name: `peer-${mode}`,
    policies: [{ name: 'api', limit: 100_000_000, window: '60s' }],
  });
  if (!(await limiter.ready(5000))) throw new Error('peer-app: rate limiter did not connect');

  const app = await NestFactory.create<NestExpressApplication>(PeerModule.forMode(mode), {
    logger: ['error', 'warn'],
  });
  app.use('/api', rateLimitMiddleware({ limiter, policies: ['api'] }));
  await app.listen(Number(env('PORT')), '127.0.0.1');

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    await connections.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err: unknown) => {
  process.stderr.write(`peer-app failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
