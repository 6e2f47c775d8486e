import { encodeEntry, ENTRY_FORMAT, decodeEntry, type StoredEntry } from './cache-entry';
import { toMs, type ResolvedCacheOptions } from './cache-options';
import type { EntryOptions } from './cache-types';
import { CacheError } from './errors';
import type { L1Entry } from './l1/memory-tier';

/** An entry ready for both tiers. */
export interface BuiltEntry {
  entry: StoredEntry;
  text: string;
  bytes: number;
  /** PX for Redis; 0 = no expiry (`ttl: 'never'`). */
  l2TtlMs: number;
}

/**
 * Entry building: TTL, jitter and grace from per-call and cache options, the stored form for L2 and the
 * L1 form. No I/O; clock and randomness are injected so the arithmetic is testable.
 */
export class EntryBuilder {
  constructor(
    private readonly options: ResolvedCacheOptions,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** `versions`: the tag versions captured before the value was read or loaded. */
  build(value: unknown, versions: Record<string, number>, options: EntryOptions): BuiltEntry {
    const now = this.now();
    const forever = options.ttl === 'never';
    const ttl = forever ? 0 : this.ttlOf(options);
    if (!forever && ttl <= 0)
      throw new CacheError('E_NO_TTL', 'every entry needs a TTL > 0 (an entry without one: ttl: "never")');
    const grace = toMs(options.grace ?? this.options.graceMs, 'grace');
    const jittered = Math.round(ttl * (1 + this.random() * this.options.jitter));
    const entry: StoredEntry = {
      f: ENTRY_FORMAT,
      v: value,
      t: versions,
      e: forever ? Number.MAX_SAFE_INTEGER : now + jittered,
      g: forever ? Number.MAX_SAFE_INTEGER : now + jittered + grace,
      c: now,
    };
    const text = encodeEntry(entry);
    // Redis keeps a TTL-less entry until it is deleted or invalidated (0 = no PX).
    return { entry, text, bytes: Buffer.byteLength(text), l2TtlMs: forever ? 0 : jittered + grace };
  }

  tooLarge(bytes: number): boolean {
    return bytes > this.options.maxEntryBytes;
  }

  refusal(fullKey: string, bytes: number): CacheError {
    return new CacheError(
      'E_ENTRY_TOO_LARGE',
      `entry "${fullKey}" is ${bytes} bytes, over maxEntryBytes ${this.options.maxEntryBytes}`,
    );
  }

  /** The L1 form of a stored entry and how long L1 keeps it (the per-call `l1Ttl`, never past grace). */
  l1(entry: StoredEntry, text: string, options: EntryOptions, bytes = Buffer.byteLength(text)) {
    const ttlMs = Math.min(
      toMs(options.l1Ttl ?? this.options.l1TtlMs, 'l1Ttl'),
      Math.max(1, entry.g - this.now()),
    );
    const l1: L1Entry = {
      value: entry.v,
      tags: entry.t,
      tagCount: Object.keys(entry.t).length,
      expiresAt: entry.e,
      staleUntil: entry.g,
      createdAt: entry.c,
      bytes,
      text: this.options.copyOnRead ? text : undefined,
    };
    return { l1, ttlMs };
  }

  /** The value of an L1 entry: the shared object, or with `copyOnRead` a fresh copy decoded from its text. */
  static valueOf(entry: L1Entry): unknown {
    return entry.text === undefined ? entry.value : decodeEntry(entry.text)?.v;
  }

  /** A finite TTL in ms; `Infinity` for `'never'` (handled by the callers that allow it). */
  ttlOf(options: EntryOptions): number {
    const ttl = options.ttl ?? this.options.ttlMs;
    return ttl === 'never' ? Number.POSITIVE_INFINITY : toMs(ttl, 'ttl');
  }
}
