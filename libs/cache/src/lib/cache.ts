import { CircuitBreaker, whenReady } from '@shop/redis';
import { EventEmitter } from 'node:events';
import type { BusMessage } from './bus/invalidation-bus';
import { CacheKeys, checkName, namespaceTag, tagKeyPart } from './cache-keys';
import { CacheWriter } from './cache-writer';
import { cacheMetrics, type CacheMetrics } from './cache-metrics';
import { resolveCacheOptions, type CacheOptions, type ResolvedCacheOptions } from './cache-options';
import type { CacheEvents, EntryOptions, LoadOptions } from './cache-types';
import { EntryBuilder } from './entry-builder';
import { CacheError } from './errors';
import { InvalidationLedger } from './invalidation/invalidation-ledger';
import { LocalInvalidation } from './invalidation/local-invalidation';
import { isValidPrefix } from './keys/glob-match';
import { MemoryTier } from './l1/memory-tier';
import { patternDelete } from './l2/pattern-delete';
import { RedisTier } from './l2/redis-tier';
import { VersionStore } from './l2/version-store';
import { LoadCoordinator } from './load-coordinator';

export type { CacheEvents, CacheSource, EntryOptions, LoadOptions } from './cache-types';

/**
 * A two-tier cache: L1 in-process LRU, L2 Redis, cross-instance L1 invalidation over pub/sub. Every
 * pattern of the seed page is a method: `getOrSet` (cache-aside), `readThrough`, `writeThrough`,
 * `set`/`delete`/`invalidateTags`/`bumpNamespace`/`deleteByPattern` (event and version invalidation).
 * Redis trouble never throws out of a read: it falls back to L1, then to the loader. An invalidating
 * write (`set`, `delete`) is never skipped silently: it goes past the breaker, and rejects with
 * `E_L2_UNAVAILABLE` when L2 could not be changed. Typed events: see `CacheEvents`.
 *
 * This class is the facade; key naming (`cache-keys.ts`), the invalidation ledger
 * (`invalidation/invalidation-ledger.ts`), the bus glue (`invalidation/local-invalidation.ts`), entry
 * building (`entry-builder.ts`), load coordination (`load-coordinator.ts`, `load-runner.ts`), the
 * invalidating writes (`cache-writer.ts`) and the pattern delete (`l2/pattern-delete.ts`) live beside it.
 *
 * @example
 * const cache = new Cache({ connections, name: 'orders' });
 * await cache.connect();
 * const order = await cache.getOrSet(`order:${id}`, () => repo.find(id), { tags: [`customer-${cid}`] });
 */
export class Cache extends EventEmitter<CacheEvents> {
  readonly options: ResolvedCacheOptions;
  private readonly l1: MemoryTier;
  private readonly l2: RedisTier;
  private readonly versions: VersionStore;
  private readonly local: LocalInvalidation;
  private readonly breaker: CircuitBreaker;
  private readonly metrics: CacheMetrics;
  private readonly keys: CacheKeys;
  private readonly base: string;
  private readonly labels: { cache: string };
  /** Which invalidations each read or load in flight has missed (see `InvalidationLedger`). */
  private readonly ledger = new InvalidationLedger();
  private readonly entries: EntryBuilder;
  private readonly loads: LoadCoordinator;
  private readonly writer: CacheWriter;

  constructor(options: CacheOptions) {
    super();
    this.options = resolveCacheOptions(options);
    const { connections, name } = this.options;
    checkName(name, 'cache name');
    this.labels = { cache: name };
    this.metrics = cacheMetrics(this.options.registry);
    this.base = connections.keys.key('cache', name);
    this.keys = new CacheKeys(this.base);
    this.breaker = new CircuitBreaker(
      this.options.breakerThreshold,
      this.options.breakerCooldownMs,
      (state) => {
        this.metrics.breaker.set(this.labels, state === 'open' ? 1 : 0);
        this.emit('breaker', state);
      },
    );
    this.l1 = new MemoryTier(this.options.l1MaxEntries, this.options.l1MaxBytes);
    this.l2 = new RedisTier(() => connections.shared('cache', 'request'), this.breaker, this.metrics, name);
    this.versions = new VersionStore(this.l2, (tag) =>
      connections.keys.tagged('cache-v', name, tagKeyPart(tag)),
    );
    this.entries = new EntryBuilder(this.options);
    const parts = {
      ...{ options: this.options, keys: this.keys, l1: this.l1, l2: this.l2, versions: this.versions },
      ...{ ledger: this.ledger, entries: this.entries, metrics: this.metrics, events: this },
      l1Trusted: () => this.local.trusted,
    };
    this.loads = new LoadCoordinator(parts);
    this.writer = new CacheWriter(
      parts,
      this.loads,
      (m) => this.local.publish(m),
      (k) => this.local.dropLocal(k),
    );
    this.local = new LocalInvalidation({ ...parts, base: this.base }, (m) => this.onBusMessage(m));
  }

  /**
   * Subscribes to the invalidation bus and gives the L2 client a moment to connect (a cache used before
   * that would count failures against the breaker). Never fails for Redis being down and never waits
   * longer than the connect timeout (`connectTimeoutMs` of the Redis connections): the subscriptions go
   * on in the background, and until the first one is active L1 serves no hits (invalidations from
   * other instances would go unheard). Call once.
   */
  async connect(): Promise<void> {
    const { connections } = this.options;
    const boundMs = connections.options.connectTimeoutMs;
    await Promise.all([
      this.local.start(boundMs),
      whenReady(connections.shared('cache', 'request'), boundMs),
    ]);
  }

  async close(): Promise<void> {
    await this.local.stop();
  }

  /** The cached value, or undefined. Never throws for Redis trouble. */
  async get<T>(key: string, options: EntryOptions = {}): Promise<T | undefined> {
    const fullKey = this.keys.full(key, options.namespace);
    const local = this.loads.peekL1(fullKey);
    if (local) return EntryBuilder.valueOf(local) as T;
    const found = await this.loads.read(fullKey, this.keys.tags(options), options);
    return found?.fresh ? (found.value as T) : undefined;
  }

  /**
   * The value when this process holds it fresh and current in L1, else undefined: synchronous, no I/O,
   * no load, no grace, no refresh-ahead (for an answer path that cannot wait, e.g. `HttpFastPath`). An
   * L1 hit is counted; a miss is not (the caller falls back to a path that counts it).
   */
  peek<T>(key: string, options: Pick<EntryOptions, 'namespace'> = {}): T | undefined {
    const local = this.loads.peekL1(this.keys.full(key, options.namespace), false);
    return local ? (EntryBuilder.valueOf(local) as T) : undefined;
  }

  /**
   * Cache-aside: the cached value, else `loader()`'s, stored in both tiers. Concurrent calls for one key
   * share one load in this process, and instances share it through a Redis lease; on loader failure or
   * timeout a stale value within grace is served instead of the error.
   */
  async getOrSet<T>(key: string, loader: () => Promise<T> | T, options: LoadOptions = {}): Promise<T> {
    const fullKey = this.keys.full(key, options.namespace);
    const local = this.loads.peekL1(fullKey);
    if (local) {
      this.loads.maybeRefreshAhead(fullKey, local.createdAt, loader, options);
      options.onSource?.('hit');
      return EntryBuilder.valueOf(local) as T;
    }
    const { value, source } = await this.loads.getOrLoad(fullKey, this.keys.tags(options), loader, options);
    options.onSource?.(source);
    return value;
  }

  /**
   * Stores a value in both tiers and tells the other instances to drop their L1 copy. The bus message
   * never overtakes the write: on one connection the SET (which also voids any load lease) and the
   * PUBLISH are issued back to back, on a Cluster the publish waits for the write's reply. If the write
   * fails the key is deleted instead; if L2 cannot be changed at all, the local copy is dropped, nothing
   * is published and this rejects with `E_L2_UNAVAILABLE` (other instances may serve the old value
   * until its TTL).
   */
  async set<T>(key: string, value: T, options: EntryOptions = {}): Promise<void> {
    return this.writer.set(this.keys.full(key, options.namespace), value, options);
  }

  /**
   * Deletes a key in both tiers on every instance (and voids a load lease on it). Rejects with
   * `E_L2_UNAVAILABLE` when L2 could not be changed; the local copy is dropped either way.
   */
  async delete(key: string, options: Pick<EntryOptions, 'namespace'> = {}): Promise<void> {
    return this.writer.remove(this.keys.full(key, options.namespace));
  }

  /** Invalidates every entry carrying one of the tags, on every instance (tag versions via `INCR`). */
  async invalidateTags(tags: string[]): Promise<boolean> {
    tags.forEach((t) => checkName(t, 'tag'));
    return this.writer.bumpTags(tags);
  }

  /** Version-based invalidation of a whole namespace: one counter bump, every key in it is stale. */
  bumpNamespace(namespace: string): Promise<boolean> {
    return this.writer.bumpTags([namespaceTag(namespace)]);
  }

  /**
   * Deletes keys matching a glob with SCAN + UNLINK (never KEYS; per master on a Cluster) and drops them
   * from every instance's L1. A pattern is 1-512 key characters (`[A-Za-z0-9_.:/=&%@+,;-]`) plus `*`
   * (any run, also none) and `?` (one character); nothing else (no classes, no escapes). Matched in
   * linear time. Resolves to the number of L2 keys deleted; rejects with `E_PATTERN_DELETE_FAILED` when
   * L2 could not be cleaned (L1 is dropped everywhere all the same). Prefer `deleteByPrefix`.
   */
  async deleteByPattern(pattern: string): Promise<number> {
    const client = () => this.options.connections.shared('cache', 'request');
    return patternDelete(client, this.base, pattern, this.local);
  }

  /** Deletes every key starting with `prefix` (key characters only), like `deleteByPattern(prefix + '*')`. */
  deleteByPrefix(prefix: string): Promise<number> {
    if (!isValidPrefix(prefix))
      return Promise.reject(
        new CacheError(
          'E_INVALID_KEY',
          `invalid prefix "${String(prefix).slice(0, 80)}" (1-511 of [A-Za-z0-9_.:/=&%@+,;-])`,
        ),
      );
    return this.deleteByPattern(`${prefix}*`);
  }

  /** Read-through: a getter bound to a loader, so callers never see the cache. */
  readThrough<T>(
    loader: (key: string) => Promise<T> | T,
    options: LoadOptions = {},
  ): (key: string) => Promise<T> {
    return (key) => this.getOrSet(key, () => loader(key), options);
  }

  /**
   * Write-through: writes the store first, then the cache (and invalidates `alsoInvalidate` tags). Resolves
   * with the store's result once it committed, even when L2 could not be updated (then it emits
   * `write-through-cache-failed`); rejects only when the store write itself fails.
   */
  async writeThrough<T, R = unknown>(
    key: string,
    value: T,
    write: (value: T) => Promise<R>,
    options: EntryOptions & { alsoInvalidate?: string[] } = {},
  ): Promise<R> {
    const result = await write(value);
    await this.cacheCommitted(key, value, options);
    return result;
  }

  /**
   * Write-through of what the store committed: runs `commit`, then caches the value it resolved with
   * (the row as written: its new version and timestamps), so the cache never holds a value the store
   * does not. Same failure rules as `writeThrough`; a `commit` that throws leaves the cache untouched.
   *
   * Two writers of one key commit in one order and may cache in the other: the older row would stay
   * cached. `stillCurrent(value)` (e.g. "is the row still at this version?", read from the store after
   * the cache write) closes that: if it says no, the entry is deleted, so the next read loads the newer
   * row. It is checked after the cache write, so a writer that committed later also cached later.
   */
  async writeThroughResult<T>(
    key: string,
    commit: () => Promise<T>,
    options: EntryOptions & {
      alsoInvalidate?: string[];
      stillCurrent?: (value: T) => Promise<boolean>;
    } = {},
  ): Promise<T> {
    const value = await commit();
    await this.cacheCommitted(key, value, options);
    if (options.stillCurrent && !(await options.stillCurrent(value))) {
      await this.delete(key, options).catch((err: unknown) =>
        this.emit('write-through-cache-failed', key, err as Error),
      );
    }
    return value;
  }

  // The store is the source of truth and it has committed: a cache that cannot follow must not turn
  // that into a failed write (the caller would retry a write that happened). It is reported instead, and
  // a value too large to cache drops the old entry rather than leaving it to be served.
  private async cacheCommitted<T>(
    key: string,
    value: T,
    options: EntryOptions & { alsoInvalidate?: string[] },
  ): Promise<void> {
    try {
      await this.set(key, value, options);
    } catch (err) {
      if (!(err instanceof CacheError)) throw err;
      if (err.code === 'E_ENTRY_TOO_LARGE') await this.delete(key, options).catch(() => undefined);
      else if (err.code !== 'E_L2_UNAVAILABLE') throw err;
      this.emit('write-through-cache-failed', key, err);
    }
    // `invalidateTags` never throws: false means the bump did not reach Redis, and lists tagged with
    // them stay stale for their TTL. Reported like a failed set, never turned into a failed write.
    if (options.alsoInvalidate?.length && !(await this.invalidateTags(options.alsoInvalidate)))
      this.emit(
        'write-through-cache-failed',
        key,
        new CacheError('E_L2_UNAVAILABLE', `tags ${options.alsoInvalidate.join(', ')} were not invalidated`),
      );
  }

  /** Number of entries and bytes in L1 (for tests and dashboards). */
  get l1Stats(): { entries: number; bytes: number } {
    return { entries: this.l1.size, bytes: this.l1.bytes };
  }

  get breakerState(): string {
    return this.breaker.state;
  }

  /** A peer's invalidation, from the bus (kept on the facade: the ordering tests hook in here). */
  private onBusMessage(message: BusMessage): void {
    this.local.handle(message);
  }
}
