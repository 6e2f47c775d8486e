import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { IdempotencyPruner } from './idempotency-pruner';
import { OrderPricing } from './order-pricing';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { OrderStatePersister } from './order-state-persister';
import { OrderStatusQueue } from './order-status-queue';
import { OrderReader } from './order-reader';
import { OrderStatusService } from './order-status.service';

/** Orders: idempotent create, read-through reads, write-through and write-behind changes, outbox events. */
@Module({
  imports: [CatalogModule],
  controllers: [OrdersController],
  providers: [
    OrdersRepository,
    OrdersService,
    OrderPricing,
    IdempotencyPruner,
    OrderStatusService,
    OrderReader,
    OrderStatusQueue,
    OrderStatePersister,
  ],
  exports: [OrdersRepository],
})
export class OrdersModule {}
