import { CounterBuffer } from '@shop/util';
import type { EventEmitter } from 'node:events';
import { InvalidationBus, type BusMessage } from '../bus/invalidation-bus';
import { TrackingListener } from '../bus/tracking-listener';
import type { CacheMetrics } from '../cache-metrics';
import type { ResolvedCacheOptions } from '../cache-options';
import type { CacheEvents } from '../cache-types';
import { compileGlob } from '../keys/glob-match';
import type { MemoryTier } from '../l1/memory-tier';
import type { VersionStore } from '../l2/version-store';
import type { InvalidationLedger } from './invalidation-ledger';

/** What the cache facade shares with the bus glue. */
export interface LocalInvalidationParts {
  options: ResolvedCacheOptions;
  /** The cache's key base (`<prefix>:cache:<name>`); L2 keys are `<base>:{<fullKey>}`. */
  base: string;
  l1: MemoryTier;
  versions: VersionStore;
  ledger: InvalidationLedger;
  metrics: CacheMetrics;
  events: EventEmitter<CacheEvents>;
}

/**
 * Keeps this instance's L1 in step with every other instance: wires the invalidation bus (and, with
 * `serverAssistedInvalidation`, the client-tracking listener) to L1, the tag versions and the ledger,
 * and publishes this instance's invalidations. It exists so the facade holds no bus plumbing. Rules it
 * keeps:
 * - every local drop also marks the ledger, so a read or load still in flight cannot put the old value
 *   back into L1 after it was invalidated;
 * - a gap (missed sequence, reconnect, flush) empties L1 and forgets every tag version: what was missed
 *   is unknowable, so nothing local is trusted any more;
 * - a tag bump heard from a peer also marks loads in flight carrying the tag before anything else runs;
 * - `publish` issues its command synchronously (before its first await) on the shared request
 *   connection: `set()`/`delete()` rely on that to put the PUBLISH right behind their write on
 *   standalone Redis.
 */
export class LocalInvalidation {
  readonly bus: InvalidationBus;
  private tracking?: TrackingListener;
  private readonly labels: { cache: string };
  /** Every message in and out is counted: in plain numbers, handed to the counter at each scrape. */
  private readonly busIn: { inc(): void };
  private readonly busOut: { inc(): void };

  /**
   * @param handle called for each bus message after its tags were marked; the facade passes its own
   *   `onBusMessage`, which calls `handle()` here (kept there as a seam the ordering tests hook into).
   */
  constructor(
    private readonly parts: LocalInvalidationParts,
    handle: (message: BusMessage) => void,
  ) {
    const { connections, name } = parts.options;
    this.labels = { cache: name };
    const bus = new CounterBuffer(parts.metrics.bus);
    this.busIn = bus.child({ cache: name, direction: 'in' });
    this.busOut = bus.child({ cache: name, direction: 'out' });
    this.bus = new InvalidationBus(connections, connections.keys.channel('cache-bus', name), {
      onMessage: (m) => {
        // A tag bump elsewhere also invalidates loads in flight that carry the tag (their result is old).
        if (m.t) parts.ledger.markTags(Object.keys(m.t));
        handle(m);
      },
      onGap: (reason) => this.expireLocal(reason),
    });
  }

  /** False until the bus (and tracking) first listen: invalidations would go unheard. */
  get trusted(): boolean {
    return this.bus.active && this.tracking?.active !== false;
  }

  /** Starts tracking (if enabled) and the bus; bounded by `boundMs`, they go on in the background. */
  async start(boundMs: number): Promise<void> {
    const { options, base, metrics } = this.parts;
    const { connections } = options;
    this.bus.on('rejected', () => metrics.bus.inc({ ...this.labels, direction: 'rejected' }));
    if (options.serverAssistedInvalidation) {
      const prefix = `${base}:{`;
      this.tracking = new TrackingListener(
        connections,
        prefix,
        (keys) => {
          for (const key of keys)
            if (key.startsWith(prefix))
              this.dropLocal(key.slice(prefix.length, key.indexOf('}', prefix.length)));
        },
        () => this.expireLocal('reconnect'),
        () => this.expireLocal('flush'),
      );
    }
    await Promise.all([this.tracking?.start(boundMs), this.bus.start(boundMs)]);
  }

  async stop(): Promise<void> {
    await this.tracking?.stop();
    await this.bus.stop();
  }

  /** Applies a peer's invalidation to this instance. */
  handle(message: BusMessage): void {
    const { versions } = this.parts;
    this.busIn.inc();
    if (message.c) this.clearLocal();
    for (const key of message.k ?? []) this.dropLocal(key);
    // Only tags this process already knows: adopting every tag bumped anywhere grows without bound.
    for (const [tag, version] of Object.entries(message.t ?? {})) versions.adoptIfKnown(tag, version);
    if (message.p) this.deleteLocalPattern(message.p);
  }

  /** Drops a key from L1 and marks it, for reads and loads still in flight. */
  dropLocal(fullKey: string): void {
    this.parts.l1.delete(fullKey);
    this.parts.ledger.markKey(fullKey);
  }

  deleteLocalPattern(pattern: string): void {
    // Linear-time glob, no RegExp: a pattern arrives from every instance through the bus.
    const match = compileGlob(pattern);
    if (!match) return; // the bus and deleteByPattern validated it; nothing to execute otherwise
    this.parts.l1.deleteMatching(match);
    this.parts.ledger.markAll(); // rare: treat every read in flight as affected
  }

  /**
   * Must issue its command synchronously (before its first await) on the shared request connection:
   * `set()`/`delete()` rely on that to put the PUBLISH right behind their write on standalone Redis.
   */
  async publish(message: Omit<BusMessage, 's' | 'q'>): Promise<void> {
    if (await this.bus.publish(message)) this.busOut.inc();
  }

  private expireLocal(reason: 'sequence' | 'reconnect' | 'flush'): void {
    const { versions, metrics, events } = this.parts;
    this.clearLocal();
    versions.clear();
    metrics.gaps.inc({ ...this.labels, reason });
    events.emit('gap', reason);
  }

  /** Empties L1; every read or load in flight counts as invalidated. */
  private clearLocal(): void {
    this.parts.l1.clear();
    this.parts.ledger.markAll();
  }
}
