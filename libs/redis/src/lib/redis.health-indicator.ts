import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { RedisConnections } from './redis-connections';

/**
 * Readiness of Redis from the tracked connection states (no round trip, so a probe never waits on a
 * dead Redis). `degraded` (only the cache role is down) is still ready: the cache is optional.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly connections: RedisConnections,
    private readonly indicators: HealthIndicatorService,
  ) {}

  check(key = 'redis'): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const state = this.connections.health.state;
    const details = { state, connections: this.connections.health.connections() };
    return state === 'down' ? indicator.down(details) : indicator.up(details);
  }
}
