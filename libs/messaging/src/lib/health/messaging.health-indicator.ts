import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { RedisStreamsServer } from '../server/streams-server';

/**
 * Readiness and backlog of a service's stream consumers: up while its groups answer, with lag, pending
 * and dead-letter counts per stream as details (a growing backlog is for alerts, not for readiness, so
 * a busy instance is not taken out of rotation). Down when the data Redis does not answer within 1 s.
 */
@Injectable()
export class MessagingHealthIndicator {
  constructor(private readonly indicators: HealthIndicatorService) {}

  async check(server: RedisStreamsServer, key = 'messaging'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      const stats = await Promise.race([
        server.stats(),
        new Promise<never>(
          (_, reject) =>
            (timer = setTimeout(() => reject(new Error('stream stats did not answer within 1s')), 1000)),
        ),
      ]);
      return indicator.up({ streams: stats, inFlight: server.inFlight });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
