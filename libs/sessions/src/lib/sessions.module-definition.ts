import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SessionsOptions } from './sessions-options';

/** `SessionsModule` options: the store options without `connections` (taken from `RedisModule`). */
export type SessionsModuleOptions = Omit<SessionsOptions, 'connections'>;

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: SESSIONS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SessionsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
