import type { DynamicModule } from '@nestjs/common';
import { DatabaseHealthIndicator, DatabaseModule } from '@shop/database';
import { RedisHealthIndicator, RedisModule } from '@shop/redis';
import type { Migration } from 'kysely';
import { APP_ENV } from './env/env.tokens';
import { redisOptionsFromEnv } from './env/redis-options-from-env';
import type { ServiceEnv } from './env/service-env';
import { InstanceReportModule } from './instances/instance-report.module';
import { PlatformModule } from './platform.module';

export interface ServiceInfrastructureOptions {
  /** Service name (`gateway`, `orders`, ...). */
  service: string;
  /** The service's env class. */
  env: new () => ServiceEnv;
  /** The service's own migrations; recorded in `<service>_migration`, so services may share a database. */
  migrations: Record<string, Migration>;
}

/**
 * The imports every service's root module starts with: the platform (env, logs, metrics, health with
 * Redis and database readiness), Redis connections from the env, the service's migrated database, and
 * its instance report (figures for the admin view, every `INSTANCE_REPORT_MS`).
 *
 * @example
 * @Module({ imports: [...serviceInfrastructure({ service: 'orders', env: OrdersEnv, migrations })] })
 */
export function serviceInfrastructure({
  service,
  env,
  migrations,
}: ServiceInfrastructureOptions): DynamicModule[] {
  return [
    PlatformModule.forRoot({ service, env, readiness: [RedisHealthIndicator, DatabaseHealthIndicator] }),
    RedisModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (e: ServiceEnv) => redisOptionsFromEnv(e, service),
    }),
    DatabaseModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (e: ServiceEnv) => ({
        url: e.DATABASE_URL,
        migrations,
        migrationTable: `${service}_migration`,
      }),
    }),
    InstanceReportModule.forRoot(),
  ];
}
