import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { RedisConnections } from '@shop/redis';
import { register } from 'prom-client';
import { APP_ENV, SERVICE_NAME } from '../env/env.tokens';
import type { ServiceEnv } from '../env/service-env';
import { instanceFigures, type InstanceFigures } from './instance-figures';

/** One instance's last report. */
export interface InstanceReport {
  service: string;
  instance: string;
  /** Epoch ms of the report. */
  reportedAt: number;
  figures: InstanceFigures;
}

/**
 * Keys: every report under one hash tag (a Cluster slot), so the reader's MGET is one call. An index
 * sorted set scored by report time lists the instances; a report key lives 3 intervals, so an instance
 * that died disappears by itself, and one that stops cleanly removes itself at once.
 */
const keysOf = (c: RedisConnections) => ({
  index: c.keys.tagged('instances', 'all', 'index'),
  report: (id: string) => c.keys.tagged('instances', 'all', 'report', id),
});

/**
 * Publishes this instance's figures to the data Redis every `INSTANCE_REPORT_MS`, so an admin view on
 * any gateway instance can show every instance of every service. Best effort: a failed write is logged
 * once per outage and retried at the next tick; it never affects the service.
 */
@Injectable()
export class InstanceReporter implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private failing = false;
  private reported = false;
  private readonly log = new Logger(InstanceReporter.name);
  private readonly id: string;

  constructor(
    private readonly redis: RedisConnections,
    @Inject(APP_ENV) private readonly env: ServiceEnv,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {
    this.id = `${service}.${env.INSTANCE_ID}`;
  }

  onApplicationBootstrap(): void {
    void this.report();
    this.timer = setInterval(() => void this.report(), this.env.INSTANCE_REPORT_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const k = keysOf(this.redis);
    // Request profile: fails at once with Redis gone instead of holding the shutdown past its deadline.
    await this.redis
      .shared('data', 'request')
      .multi()
      .zrem(k.index, this.id)
      .del(k.report(this.id))
      .exec()
      .catch(() => undefined);
  }

  /** Writes one report now (also what tests call). */
  async report(): Promise<void> {
    const k = keysOf(this.redis);
    const ttl = this.env.INSTANCE_REPORT_MS * 3;
    const now = Date.now();
    const body: InstanceReport = {
      service: this.service,
      instance: this.env.INSTANCE_ID,
      reportedAt: now,
      figures: await instanceFigures(register),
    };
    // The request profile fails fast while Redis is away: a report is never queued behind an outage.
    const client = this.redis.shared('data', 'request');
    try {
      if (client.status !== 'ready') throw new Error(`data Redis is ${client.status}`);
      await client
        .multi()
        .set(k.report(this.id), JSON.stringify(body), 'PX', ttl)
        .zadd(k.index, now, this.id)
        .pexpire(k.index, ttl)
        .exec();
      if (this.failing) this.log.log({ msg: 'instance reports resumed' });
      this.failing = false;
      this.reported = true;
    } catch (err) {
      // Before the first report the connection may simply not be up yet: only an outage is worth a line.
      if (!this.failing && this.reported)
        this.log.warn({ msg: 'instance report not written', err: String(err) });
      this.failing = true;
    }
  }
}

/** Every instance that reported within its TTL, by service then instance. */
export async function readInstanceReports(
  redis: RedisConnections,
  reportMs: number,
): Promise<InstanceReport[]> {
  const k = keysOf(redis);
  const client = redis.shared('data', 'request');
  await client.zremrangebyscore(k.index, '-inf', String(Date.now() - reportMs * 3));
  const ids = await client.zrange(k.index, '0', '999');
  if (ids.length === 0) return [];
  const raw = await client.mget(...ids.map((id) => k.report(id)));
  return raw
    .flatMap((r) => {
      if (!r) return [];
      try {
        const report = JSON.parse(r) as InstanceReport | null;
        // Only well-formed reports: one foreign or broken value must not take the whole view down.
        return report && typeof report.service === 'string' && typeof report.instance === 'string'
          ? [report]
          : [];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance));
}
