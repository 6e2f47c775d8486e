import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CacheOptions } from './cache-options';

/** `CacheModule` options: the cache options without `connections` (taken from `RedisModule`). */
export type CacheModuleOptions = Omit<CacheOptions, 'connections'>;

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CACHE_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CacheModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
