import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DatabaseConnection } from './database-connection';

/** Readiness of the database: one bounded `select 1`. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly connection: DatabaseConnection,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'database'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const ok = await this.connection.ping();
    const details = { dialect: this.connection.dialect };
    return ok
      ? indicator.up(details)
      : indicator.down({ ...details, message: 'database did not answer within 1s' });
  }
}
