import type { RedisClient } from '@shop/redis';
import type { SessionData } from 'express-session';
import { Cluster, type Redis } from 'ioredis';
import { SessionKeys, tagOfSid, userTag } from './session-keys';
import { listScript, revokeAllScript, revokeScript } from './session-scripts';
import type { ResolvedSessionsOptions } from './sessions-options';

/** One entry of a user's session list. */
export interface SessionSummary {
  id: string;
  createdAt: Date;
  /** When the session was last extended (granularity: the touch throttle window). */
  lastSeenAt: Date;
  /** When it expires if idle from now on. */
  expiresAt: Date;
  /** The absolute deadline (creation + absoluteTtl). */
  absoluteExpiresAt: Date;
  userAgent: string;
  ip: string;
}

export interface SessionList {
  /** Live sessions of the user in the index (may exceed `sessions.length`). */
  total: number;
  /** The newest sessions by expiry, at most the limit asked for. */
  sessions: SessionSummary[];
}

const SCAN_COUNT = 500;
const REVOKE_BATCH = 1000;
const FIELDS_PER_ROW = 7;

/**
 * Per-user operations go through the user's index (one script each, never SCAN). The whole-store
 * operations express-session defines (`all`, `length`, `ids`, `clear`) have no index to use and SCAN, per
 * master on a Cluster, like connect-redis: they are for administration, not for the request path.
 */
export class SessionIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: SessionKeys,
    private readonly options: ResolvedSessionsOptions,
  ) {}

  async list(userId: string, limit: number): Promise<SessionList> {
    const idx = this.keys.userIndex(userId);
    const bounded = Math.max(1, Math.min(limit, 1000));
    const reply = await listScript.run(this.redis, [idx], [this.sessionPrefix(idx), bounded]);
    const sessions: SessionSummary[] = [];
    for (let i = 2; i + FIELDS_PER_ROW <= reply.length; i += FIELDS_PER_ROW) {
      const [id, c, s, exp, abs, ua, ip] = reply.slice(i, i + FIELDS_PER_ROW);
      sessions.push({
        id: String(id),
        createdAt: new Date(Number(c)),
        lastSeenAt: new Date(Number(s)),
        expiresAt: new Date(Number(exp)),
        absoluteExpiresAt: new Date(Number(abs)),
        userAgent: String(ua),
        ip: String(ip),
      });
    }
    return { total: Number(reply[0]), sessions };
  }

  async revoke(userId: string, sid: string): Promise<boolean> {
    if (!SessionKeys.isValidSid(sid)) return false;
    const idx = this.keys.userIndex(userId);
    // Another user's id cannot be in this index's slot: refuse before naming keys across slots.
    if (tagOfSid(sid) !== userTag(userId)) return false;
    const revoked = await revokeScript.run(
      this.redis,
      [this.keys.session(sid), this.keys.tombstone(sid), idx],
      [sid, this.options.tombstoneTtlMs, userId],
    );
    return revoked === 1;
  }

  async revokeAll(userId: string, keepSid: string): Promise<number> {
    const idx = this.keys.userIndex(userId);
    let total = 0;
    // Bounded: each call removes up to REVOKE_BATCH entries (ZRANGE 0..BATCH covers BATCH others + the kept one).
    for (let call = 0; call < 100_000; call++) {
      const [revoked, removed] = await revokeAllScript.run(
        this.redis,
        [idx],
        [
          this.sessionPrefix(idx),
          this.tombstonePrefix(idx),
          this.options.tombstoneTtlMs,
          keepSid,
          userId,
          REVOKE_BATCH,
        ],
      );
      total += revoked;
      if (removed < REVOKE_BATCH) break;
    }
    return total;
  }

  async sessionKeys(): Promise<string[]> {
    const found = new Set<string>(); // SCAN may return a key twice
    await this.eachNode(this.keys.sessionPattern(), async (_node, keys) => keys.forEach((k) => found.add(k)));
    return [...found];
  }

  async all(): Promise<Record<string, SessionData>> {
    const out: Record<string, SessionData> = {};
    await this.eachNode(this.keys.sessionPattern(), async (node, keys) => {
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.hget(key, 'd');
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([err, data], i) => {
        if (!err && typeof data === 'string')
          out[this.keys.sidOfKey(keys[i])] = JSON.parse(data) as SessionData;
      });
    });
    return out;
  }

  async clear(): Promise<void> {
    await this.eachNode(this.keys.storePattern(), async (node, keys) => {
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.unlink(key);
      await pipeline.exec();
    });
  }

  /**
   * SCANs each master (the only way to enumerate a Cluster) and hands each page of keys to `fn` with the
   * node that holds them: a pipeline on that node may mix slots, a Cluster-wide pipeline may not.
   */
  private async eachNode(pattern: string, fn: (node: Redis, keys: string[]) => Promise<void>): Promise<void> {
    const nodes: Redis[] = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis as Redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        cursor = next;
        if (keys.length > 0) await fn(node, keys);
      } while (cursor !== '0');
    }
  }

  /** `<prefix>:<area>:{<tag>}:s:` of the user's tag, derived from the index key `...:{<tag>}:u:<id>`. */
  private sessionPrefix(idx: string): string {
    return `${this.tagPart(idx)}:s:`;
  }

  private tombstonePrefix(idx: string): string {
    return `${this.tagPart(idx)}:x:`;
  }

  private tagPart(idx: string): string {
    return idx.slice(0, idx.indexOf('}') + 1);
  }
}
