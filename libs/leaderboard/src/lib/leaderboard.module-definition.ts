import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { LeaderboardOptions } from './leaderboard-options';

/**
 * `LeaderboardModule` options: the boards by name plus the options they share (`connections` comes from
 * `RedisModule`, `name` from `boards`).
 */
export interface LeaderboardModuleOptions extends Omit<LeaderboardOptions, 'connections' | 'name'> {
  /** The boards this process maintains or reads, e.g. `['customers-by-spend', 'products-by-quantity']`. */
  boards: string[];
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: LEADERBOARD_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<LeaderboardModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
