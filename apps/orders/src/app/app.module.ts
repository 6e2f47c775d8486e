import { Module } from '@nestjs/common';
import { serviceInfrastructure, streamsServerProvider } from '@shop/platform';
import { OrdersEnv } from './orders-env';
import { SystemController } from './system.controller';
import { ordersMigrations } from './migrations';

/** The orders service's root module; `main.ts` and the e2e suites boot exactly this. */
@Module({
  imports: [...serviceInfrastructure({ service: 'orders', env: OrdersEnv, migrations: ordersMigrations })],
  controllers: [SystemController],
  providers: [streamsServerProvider()],
})
export class AppModule {}
