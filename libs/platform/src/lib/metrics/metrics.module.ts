import { Inject, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { APP_ENV, SERVICE_NAME } from '../env/env.tokens';
import type { ServiceEnv } from '../env/service-env';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';

let defaultsCollected = false;

/** `GET /metrics`, process metrics and HTTP timings, labelled with the service and instance. */
@Module({ controllers: [MetricsController], providers: [HttpMetricsMiddleware] })
export class MetricsModule implements NestModule {
  constructor(@Inject(APP_ENV) env: ServiceEnv, @Inject(SERVICE_NAME) service: string) {
    register.setDefaultLabels({ service, instance: env.INSTANCE_ID });
    // The default collectors register once per process; a second app in the same process (tests) reuses them.
    if (!defaultsCollected) {
      collectDefaultMetrics({ register });
      defaultsCollected = true;
    }
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*path}');
  }
}
