import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseConnection } from './database-connection';
import { DatabaseHealthIndicator } from './database.health-indicator';
import { ConfigurableModuleClass } from './database.module-definition';
import { DATABASE } from './database.tokens';

/**
 * Opens the service's database from a URL and migrates it before the app starts serving.
 *
 * @example
 * DatabaseModule.forRootAsync({
 *   inject: [APP_ENV],
 *   useFactory: (env: OrdersEnv) => ({ url: env.DATABASE_URL, migrations: ordersMigrations }),
 * })
 */
@Module({
  imports: [TerminusModule],
  providers: [
    DatabaseConnection,
    DatabaseHealthIndicator,
    { provide: DATABASE, inject: [DatabaseConnection], useFactory: (c: DatabaseConnection) => c.db },
  ],
  exports: [DatabaseConnection, DatabaseHealthIndicator, DATABASE],
})
export class DatabaseModule extends ConfigurableModuleClass {}
