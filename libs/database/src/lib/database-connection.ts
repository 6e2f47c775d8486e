import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { createDatabase } from './create-database';
import type { DatabaseOptions } from './database-options';
import { DATABASE_MODULE_OPTIONS } from './database.module-definition';
import { parseDatabaseUrl } from './database-url';
import { migrateToLatest } from './migrate';
import { resolve } from 'node:path';

/** Owns the service's database: opens it, migrates it at start, answers health pings, closes it. */
@Injectable()
export class DatabaseConnection implements OnModuleInit, OnApplicationShutdown {
  readonly db: Kysely<unknown>;
  readonly dialect: 'sqlite' | 'postgres';
  private readonly logger = new Logger('Database');

  constructor(@Inject(DATABASE_MODULE_OPTIONS) private readonly options: DatabaseOptions) {
    const { db, dialect } = createDatabase<unknown>(options);
    this.db = db;
    this.dialect = dialect;
  }

  async onModuleInit(): Promise<void> {
    const target = parseDatabaseUrl(this.options.url);
    const lockFile =
      target.dialect === 'sqlite' && target.file !== ':memory:'
        ? `${resolve(target.file)}.migrate.lock`
        : undefined;
    const applied = await migrateToLatest(this.db, this.options.migrations, this.options.migrationTable, {
      lockFile,
    });
    this.logger.log({ msg: 'database ready', dialect: this.dialect, migrationsApplied: applied });
  }

  /** A round trip bounded by `timeoutMs`; false when the database does not answer in time. */
  async ping(timeoutMs = 1000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        sql`select 1`.execute(this.db).then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
  }
}
