import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RedisConnections } from '@shop/redis';
import { Cache } from './cache';
import {
  CACHE_MODULE_OPTIONS,
  ConfigurableModuleClass,
  sharedRedisWarning,
  type CacheModuleOptions,
} from './cache.module-definition';
import { HTTP_CACHE_OPTIONS, resolveHttpCacheOptions } from './http/http-cache-options';
import { HttpCacheInterceptor } from './http/http-cache.interceptor';
import { HttpFastPath } from './http/http-fast-path';

/**
 * Closes the cache's bus subscription on shutdown, and logs every write-through whose cache could not
 * follow the committed store (a set, a delete or an `alsoInvalidate` bump that did not reach Redis): the
 * write stands, but instances may serve the old value until its TTL, and an operator should hear of it.
 */
@Injectable()
class CacheLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('Cache');

  constructor(@Inject(Cache) private readonly cache: Cache) {
    cache.on('write-through-cache-failed', (key, err) =>
      this.logger.warn({ msg: 'write-through: the cache did not follow the store', key, err: err.message }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cache.close();
  }
}

/**
 * Provides `Cache` (connected to the invalidation bus before the app starts) and the
 * `HttpCacheInterceptor`. Needs `RedisModule` (global) for its connections. Warns at start when the
 * cache Redis is the data Redis.
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
        const warning = sharedRedisWarning(connections.options);
        if (warning) new Logger('Cache').warn(warning);
        // eslint-disable-next-line @typescript-eslint/no-unused-vars
        const { http, ...cacheOptions } = options;
        const cache = new Cache({ ...cacheOptions, connections });
        await cache.connect();
        return cache;
      },
    },
    {
      provide: HTTP_CACHE_OPTIONS,
      inject: [CACHE_MODULE_OPTIONS],
      useFactory: (options: CacheModuleOptions) => resolveHttpCacheOptions(options.http),
    },
    CacheLifecycle,
    HttpFastPath,
    HttpCacheInterceptor,
  ],
  exports: [Cache, HttpCacheInterceptor, HttpFastPath, HTTP_CACHE_OPTIONS],
})
export class CacheModule extends ConfigurableModuleClass {}
