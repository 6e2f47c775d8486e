import { Global, Module } from '@nestjs/common';
import { OrdersMetrics } from './orders-metrics';
import { TestFaults } from './test-faults';

/** What every module of the service shares: its metrics and the test fault point. */
@Global()
@Module({
  providers: [{ provide: OrdersMetrics, useFactory: () => new OrdersMetrics() }, TestFaults],
  exports: [OrdersMetrics, TestFaults],
})
export class CommonModule {}
