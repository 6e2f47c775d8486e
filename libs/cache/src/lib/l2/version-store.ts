import type { RedisTier } from './redis-tier';

/** Most tag versions one process keeps (see `VersionStore`). */
export const MAX_KNOWN_TAGS = 10_000;

/**
 * Tag and namespace versions. The source of truth is a Redis counter per tag (`INCR`, never a host's
 * clock); each instance keeps the versions it has seen, updated by bus messages, so an L1 hit is checked
 * without a round trip. After a bus gap the local copy is dropped and re-read from Redis.
 *
 * Bounded: at most `maxTags` versions, the least recently read from Redis or bumped dropped first, and a
 * bus message updates only tags already known here (tags bumped elsewhere and never used here are not
 * kept). Forgetting a version is always safe: an unknown tag makes an L1 entry carrying it a miss, and
 * the next read fetches the version from Redis again.
 */
export class VersionStore {
  private readonly local = new Map<string, number>();

  constructor(
    private readonly l2: RedisTier,
    private readonly keyOf: (tag: string) => string,
    private readonly maxTags = MAX_KNOWN_TAGS,
  ) {}

  get size(): number {
    return this.local.size;
  }

  /** Local versions if all are known, without I/O. */
  known(tags: string[]): Record<string, number> | undefined {
    const out: Record<string, number> = {};
    for (const tag of tags) {
      const v = this.local.get(tag);
      if (v === undefined) return undefined;
      out[tag] = v;
    }
    return out;
  }

  /** Current versions, reading the unknown ones from Redis; undefined if they cannot be known. */
  async current(tags: string[]): Promise<Record<string, number> | undefined> {
    const missing = tags.filter((t) => !this.local.has(t));
    if (missing.length > 0) {
      const fetched = await this.l2.versions(missing.map(this.keyOf));
      if (!fetched) return undefined;
      missing.forEach((tag, i) => this.adopt(tag, fetched[i]));
    }
    return this.known(tags);
  }

  /** Increments tags in Redis; returns the new versions (adopted locally), or undefined if Redis is down. */
  async bump(tags: string[]): Promise<Record<string, number> | undefined> {
    const versions = await this.l2.bump(tags.map(this.keyOf));
    if (!versions) return undefined;
    const out: Record<string, number> = {};
    tags.forEach((tag, i) => {
      this.adopt(tag, versions[i]);
      out[tag] = versions[i];
    });
    return out;
  }

  /** Versions only move forward; (re)inserted as the most recent, the oldest beyond the bound dropped. */
  adopt(tag: string, version: number): void {
    const known = this.local.get(tag) ?? -1;
    this.local.delete(tag);
    this.local.set(tag, Math.max(known, version));
    if (this.local.size > this.maxTags) {
      const oldest = this.local.keys().next();
      if (!oldest.done) this.local.delete(oldest.value);
    }
  }

  /** A version announced on the bus: taken only for a tag this process already knows. */
  adoptIfKnown(tag: string, version: number): void {
    const known = this.local.get(tag);
    if (known !== undefined && known < version) this.local.set(tag, version);
  }

  clear(): void {
    this.local.clear();
  }

  /** Whether an entry written with `written` versions is still current. */
  static matches(written: Record<string, number>, current: Record<string, number>): boolean {
    for (const tag of Object.keys(written)) if (current[tag] !== written[tag]) return false;
    return true;
  }
}
