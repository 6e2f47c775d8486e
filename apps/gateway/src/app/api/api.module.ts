import { Module } from '@nestjs/common';
import { HttpCacheInterceptor } from '@shop/cache';
import { AccountsModule } from '../accounts/accounts.module';
import { ResponseCacheInterceptor } from '../http/response-cache.interceptor';
import { serviceClients } from '../service-clients';
import { CacheInvalidationController } from './cache-invalidation.controller';
import { CatalogController } from './catalog.controller';
import { LeaderboardsController } from './leaderboards.controller';
import { OrdersApi } from './orders-api';
import { OrdersController } from './orders.controller';
import { ResponseInvalidation } from './response-invalidation';

/** The catalog, orders and leaderboard routes, and the events that invalidate their cached responses. */
@Module({
  imports: [serviceClients, AccountsModule],
  controllers: [CatalogController, OrdersController, LeaderboardsController, CacheInvalidationController],
  providers: [OrdersApi, ResponseInvalidation, HttpCacheInterceptor, ResponseCacheInterceptor],
})
export class ApiModule {}
