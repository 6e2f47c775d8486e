export { createDatabase, type Database } from './lib/create-database';
export { DatabaseConnection } from './lib/database-connection';
export type { DatabaseOptions } from './lib/database-options';
export { InvalidDatabaseUrlError, parseDatabaseUrl, type DatabaseTarget } from './lib/database-url';
export { DatabaseHealthIndicator } from './lib/database.health-indicator';
export { DatabaseModule } from './lib/database.module';
export { DATABASE_MODULE_OPTIONS } from './lib/database.module-definition';
export { DATABASE, InjectDatabase } from './lib/database.tokens';
export { MigrationFailedError, migrateToLatest } from './lib/migrate';
