import type { RedisTier } from './redis-tier';

/**
 * Tag and namespace versions. The source of truth is a Redis counter per tag (`INCR`, never a host's
 * clock); each instance keeps the versions it has seen, updated by bus messages, so an L1 hit is checked
 * without a round trip. After a bus gap the local copy is dropped and re-read from Redis.
 */
export class VersionStore {
  private readonly local = new Map<string, number>();

  constructor(
    private readonly l2: RedisTier,
    private readonly keyOf: (tag: string) => string,
  ) {}

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

  /** Versions only move forward. */
  adopt(tag: string, version: number): void {
    if ((this.local.get(tag) ?? -1) < version) this.local.set(tag, version);
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
