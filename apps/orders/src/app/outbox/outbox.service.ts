import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DatabaseConnection, InjectDatabase } from '@shop/database';
import { OutboxRelay } from '@shop/messaging';
import { APP_ENV } from '@shop/platform';
import { RedisConnections } from '@shop/redis';
import type { Kysely } from 'kysely';
import { Gauge, register } from 'prom-client';
import type { OrdersDb } from '../db/orders-db';
import type { OrdersEnv } from '../orders-env';
import { TestFaults } from '../common/test-faults';

/**
 * Runs the transactional outbox relay on every instance (leases and the publish-once script keep each
 * row to one stream entry) and reports `orders_outbox_lag_seconds`: the age of the oldest unpublished,
 * unparked row, measured in SQL on each scrape.
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(
    connection: DatabaseConnection,
    @InjectDatabase() private readonly db: Kysely<OrdersDb>,
    connections: RedisConnections,
    @Inject(APP_ENV) env: OrdersEnv,
    private readonly faults: TestFaults,
  ) {
    this.relay = new OutboxRelay({
      db: connection.db,
      dialect: connection.dialect,
      connections,
      service: 'orders',
      instanceId: env.INSTANCE_ID,
      // Short: a round cut off at shutdown loses nothing (its rows are retaken after their lease and the
      // publish-once marker keeps a late XADD single), and with Redis gone a round waits for nothing else.
      drainTimeoutMs: Math.min(1000, env.SHUTDOWN_TIMEOUT_MS / 4),
    });
    const oldest = () =>
      this.db
        .selectFrom('outbox')
        .select('created_at')
        .where('published_at', 'is', null)
        .where('failed_at', 'is', null)
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst();
    if (!register.getSingleMetric('orders_outbox_lag_seconds'))
      new Gauge({
        name: 'orders_outbox_lag_seconds',
        help: 'Age of the oldest outbox row not yet published (0: none waiting)',
        async collect() {
          const row = await oldest().catch(() => undefined);
          this.set(row ? Math.max(0, (Date.now() - Date.parse(row.created_at)) / 1000) : 0);
        },
      });
  }

  onApplicationBootstrap(): void {
    // With the test fault armed this process must not publish what it commits: the restart does.
    if (!this.faults.exitAfterCommit) this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
