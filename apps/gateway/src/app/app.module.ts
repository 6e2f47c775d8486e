import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CacheModule } from '@shop/cache';
import { serviceInfrastructure, streamsServerProvider } from '@shop/platform';
import { AdminModule } from './admin/admin.module';
import { ApiModule } from './api/api.module';
import { AuthModule } from './auth/auth.module';
import { AuthGuard } from './auth/auth.guard';
import { GatewayEnv } from './gateway-env';
import { RequestShapeGuard } from './http/request-shape.guard';
import { GatewayRateLimitGuard } from './limits/gateway-rate-limit.guard';
import { LimitsModule } from './limits/limits.module';
import { gatewayMigrations } from './migrations';
import { NotificationsModule } from './notifications/notifications.module';
import { serviceClients } from './service-clients';
import { SystemController } from './system.controller';
import { WebPageModule } from './web/web-page.module';

/** The gateway service's root module; `main.ts` and the e2e suites boot exactly this. */
@Module({
  imports: [
    ...serviceInfrastructure({ service: 'gateway', env: GatewayEnv, migrations: gatewayMigrations }),
    // The HTTP response cache: L1 per instance, L2 in the cache Redis, invalidated by tag on every instance.
    CacheModule.forRoot({ name: 'gateway', ttl: '30s', l1Ttl: '5s' }),
    LimitsModule,
    AuthModule,
    ApiModule,
    NotificationsModule,
    AdminModule,
    WebPageModule,
    serviceClients,
  ],
  controllers: [SystemController],
  providers: [
    streamsServerProvider(),
    // In this order: request shape and CSRF (no I/O), rate limits, then authentication and roles.
    { provide: APP_GUARD, useClass: RequestShapeGuard },
    { provide: APP_GUARD, useClass: GatewayRateLimitGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
})
export class AppModule {}
