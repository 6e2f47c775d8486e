import {
  Module,
  ValidationPipe,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { EnvModule } from './env/env.module';
import { HealthController } from './health/health.controller';
import { READINESS_CHECKS, type ReadinessCheck } from './health/readiness-check';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { JsonBodyMiddleware } from './http/body-parser.middleware';
import { LoggingModule } from './logging/logging.module';
import { RequestContextMiddleware } from './logging/request-context.middleware';
import { MetricsModule } from './metrics/metrics.module';
import { PLATFORM_OPTIONS, type PlatformOptions } from './platform-options';

/**
 * What every service has: validated env (`APP_ENV`), JSON logs with correlation ids, `/metrics`,
 * `/health/live` + `/health/ready`, JSON bodies with a size limit, a strict global `ValidationPipe`
 * and a catch-all exception filter. Pipes and filters are providers, so tests that boot the module
 * get them too.
 *
 * @example
 * PlatformModule.forRoot({ service: 'orders', env: OrdersEnv, readiness: [RedisHealthIndicator, DatabaseHealthIndicator] })
 */
@Module({})
export class PlatformModule implements NestModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const readiness = options.readiness ?? [];
    return {
      module: PlatformModule,
      imports: [
        EnvModule.forRoot(options.service, options.env),
        LoggingModule,
        MetricsModule,
        TerminusModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        { provide: READINESS_CHECKS, inject: readiness, useFactory: (...checks: ReadinessCheck[]) => checks },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
            transformOptions: { enableImplicitConversion: false },
          }),
        },
        JsonBodyMiddleware,
        RequestContextMiddleware,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware, JsonBodyMiddleware).forRoutes('{*path}');
  }
}
