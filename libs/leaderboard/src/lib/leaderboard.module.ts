import { Module } from '@nestjs/common';
import { RedisConnections } from '@shop/redis';
import {
  ConfigurableModuleClass,
  LEADERBOARD_MODULE_OPTIONS,
  type LeaderboardModuleOptions,
} from './leaderboard.module-definition';
import { Leaderboards } from './leaderboards';

/**
 * Provides `Leaderboards` (the configured boards by name) on the connections of `RedisModule` (global).
 *
 * @example
 * LeaderboardModule.forRoot({ boards: ['customers-by-spend', 'products-by-quantity'] })
 * // in a service: constructor(private readonly leaderboards: Leaderboards) {}
 * //               this.leaderboards.get('customers-by-spend').top('week', 10)
 */
@Module({
  providers: [
    {
      provide: Leaderboards,
      inject: [RedisConnections, LEADERBOARD_MODULE_OPTIONS],
      useFactory: (connections: RedisConnections, options: LeaderboardModuleOptions) =>
        new Leaderboards(connections, options),
    },
  ],
  exports: [Leaderboards],
})
export class LeaderboardModule extends ConfigurableModuleClass {}
