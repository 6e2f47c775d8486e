import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RedisConnections } from '@shop/redis';
import { Cache } from './cache';
import {
  CACHE_MODULE_OPTIONS,
  ConfigurableModuleClass,
  type CacheModuleOptions,
} from './cache.module-definition';
import { HttpCacheInterceptor } from './http/http-cache.interceptor';

/** Closes the cache's bus subscription on shutdown. */
@Injectable()
class CacheLifecycle implements OnApplicationShutdown {
  constructor(@Inject(Cache) private readonly cache: Cache) {}

  async onApplicationShutdown(): Promise<void> {
    await this.cache.close();
  }
}

/**
 * Provides `Cache` (connected to the invalidation bus before the app starts) and the
 * `HttpCacheInterceptor`. Needs `RedisModule` (global) for its connections.
 *
 * @example
 * CacheModule.forRootAsync({ useFactory: () => ({ name: 'orders', ttl: '5m', l1Ttl: '30s' }) })
 */
@Module({
  providers: [
    {
      provide: Cache,
      inject: [RedisConnections, CACHE_MODULE_OPTIONS],
      useFactory: async (connections: RedisConnections, options: CacheModuleOptions) => {
        const cache = new Cache({ ...options, connections });
        await cache.connect();
        return cache;
      },
    },
    CacheLifecycle,
    HttpCacheInterceptor,
  ],
  exports: [Cache, HttpCacheInterceptor],
})
export class CacheModule extends ConfigurableModuleClass {}
