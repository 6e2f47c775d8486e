import { counterOnce } from '@shop/platform';
import { register, type Counter, type Registry } from 'prom-client';

/**
 * The orders service's own metrics (the libs add theirs: cache tiers, messaging, write-behind, boards).
 * Per read path: `orders_cache_reads_total` counts reads, `orders_cache_loads_total` the database loads
 * behind them (concurrent misses share one load), so the hit ratio is `1 - loads / reads`.
 */
export class OrdersMetrics {
  readonly created: Counter;
  readonly reads: Counter;
  readonly loads: Counter;
  /** Write-behind: changes accepted into the register vs SQL writes of them (coalesced: fewer). */
  readonly accepted: Counter;
  readonly persisted: Counter;

  constructor(registry: Registry = register) {
    this.created = counterOnce(
      'orders_created_total',
      'Orders created (idempotent replays not counted)',
      [],
      registry,
    );
    this.reads = counterOnce('orders_cache_reads_total', 'Cached reads per path', ['path'], registry);
    this.accepted = counterOnce(
      'orders_write_behind_accepted_total',
      'Order status/tracking changes accepted into the write-behind register',
      [],
      registry,
    );
    this.persisted = counterOnce(
      'orders_write_behind_persisted_total',
      'SQL writes of write-behind order states (coalesced: fewer than the accepted changes)',
      [],
      registry,
    );
    this.loads = counterOnce(
      'orders_cache_loads_total',
      'Database loads behind cached reads, per path',
      ['path'],
      registry,
    );
  }
}
