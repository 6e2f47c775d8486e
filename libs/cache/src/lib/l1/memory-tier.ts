import { LRUCache } from 'lru-cache';

/** What L1 keeps per key: the decoded value plus what is needed to check it without Redis. */
export interface L1Entry {
  value: unknown;
  /** Tag -> version at write time; the entry is valid while every version is still current. */
  tags: Record<string, number>;
  /** Number of tags, so untagged entries skip the version check. */
  tagCount: number;
  /** Logical expiry (epoch ms of this host); after it the entry is only usable within grace. */
  expiresAt: number;
  /** End of grace: a stale value may be served on loader/Redis errors until then. */
  staleUntil: number;
  /** When it was written, for refresh-ahead. */
  createdAt: number;
  /** Serialized size, for the byte bound. */
  bytes: number;
  /** The stored text, kept only with `copyOnRead` (each read decodes its own copy). */
  text?: string;
}

/** The in-process tier: an LRU bounded by entries and by bytes, with its own (short) TTL. */
export class MemoryTier {
  private readonly lru: LRUCache<string, L1Entry>;

  constructor(maxEntries: number, maxBytes: number) {
    this.lru = new LRUCache<string, L1Entry>({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
      ttlAutopurge: false,
    });
  }

  get(key: string): L1Entry | undefined {
    return this.lru.get(key);
  }

  set(key: string, entry: L1Entry, ttlMs: number): void {
    this.lru.set(key, entry, { ttl: Math.max(1, ttlMs) });
  }

  delete(key: string): void {
    this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }

  /** Deletes keys matching a glob-like prefix pattern (`user:*`). */
  deleteMatching(predicate: (key: string) => boolean): void {
    for (const key of this.lru.keys()) if (predicate(key)) this.lru.delete(key);
  }

  get size(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
