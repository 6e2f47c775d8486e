import { Module } from '@nestjs/common';
import { CacheModule } from '@shop/cache';
import { serviceInfrastructure, streamsServerProvider } from '@shop/platform';
import { BoardsModule } from './boards/boards.module';
import { CatalogModule } from './catalog/catalog.module';
import { CommonModule } from './common/common.module';
import { ordersMigrations } from './migrations';
import { OrdersEnv } from './orders-env';
import { OrdersModule } from './orders/orders.module';
import { OutboxModule } from './outbox/outbox.module';
import { SystemController } from './system.controller';

/** The orders service's root module; `main.ts` and the e2e suites boot exactly this. */
@Module({
  imports: [
    ...serviceInfrastructure({ service: 'orders', env: OrdersEnv, migrations: ordersMigrations }),
    // One cache for the service: catalog entries in the `catalog` namespace, orders tagged per order
    // and per customer. Its bus reaches every orders instance.
    CacheModule.forRoot({ name: 'orders', ttl: '5m', l1Ttl: '30s' }),
    CommonModule,
    CatalogModule,
    OrdersModule,
    OutboxModule,
    BoardsModule,
  ],
  controllers: [SystemController],
  providers: [streamsServerProvider()],
})
export class AppModule {}
