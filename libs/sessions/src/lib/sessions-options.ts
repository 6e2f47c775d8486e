import type { RedisConnections } from '@shop/redis';
import { toMs, type Duration } from '@shop/util';

/** Milliseconds, or a string `ms` understands (`'30m'`, `'12h'`) (`@shop/util`). */
export type { Duration };

/**
 * Options of `RedisSessionStore`. Durations are milliseconds or `ms` strings; resolved once by
 * `resolveSessionsOptions()` into milliseconds.
 */
export interface SessionsOptions {
  /** Where the connection comes from: the shared fail-fast `request` client of the `data` role. */
  connections: RedisConnections;
  /** Idle expiry: a session not seen for this long is gone (rolling; extended by set/touch). @default '30m' */
  idleTtl?: Duration;
  /** Absolute lifetime from creation, enforced by Redis (the key's expiry never passes it). @default '12h' */
  absoluteTtl?: Duration;
  /**
   * Touch throttle: a touch extends the idle expiry only once this fraction of `idleTtl` has passed since
   * the session was last extended (so reads don't write on every request). 0 extends on every touch.
   * @default 0.1
   */
  touchAfter?: number;
  /** How long a destroyed id stays refused (covers requests still in flight at logout). @default '5m' */
  tombstoneTtl?: Duration;
  /** How many sessions `listSessions()` returns at most (the newest by expiry). @default 50 */
  listLimit?: number;
  /** Key area below the connection's prefix: keys are `<prefix>:<area>:{<tag>}:...`. @default 'sess' */
  area?: string;
  /** The session field the store reads the user binding from (`{ userId, userAgent?, ip? }`). @default 'auth' */
  authField?: string;
}

export interface ResolvedSessionsOptions {
  connections: RedisConnections;
  idleTtlMs: number;
  absoluteTtlMs: number;
  touchAfter: number;
  tombstoneTtlMs: number;
  listLimit: number;
  area: string;
  authField: string;
}

/** Fills the defaults and checks them; a pure function so the mapping is testable on its own. */
export function resolveSessionsOptions(o: SessionsOptions): ResolvedSessionsOptions {
  const resolved: ResolvedSessionsOptions = {
    connections: o.connections,
    idleTtlMs: positiveMs(o.idleTtl ?? '30m', 'idleTtl'),
    absoluteTtlMs: positiveMs(o.absoluteTtl ?? '12h', 'absoluteTtl'),
    touchAfter: o.touchAfter ?? 0.1,
    tombstoneTtlMs: positiveMs(o.tombstoneTtl ?? '5m', 'tombstoneTtl'),
    listLimit: o.listLimit ?? 50,
    area: o.area ?? 'sess',
    authField: o.authField ?? 'auth',
  };
  if (!(resolved.touchAfter >= 0 && resolved.touchAfter < 1))
    throw new Error(`touchAfter must be in [0, 1): ${resolved.touchAfter}`);
  if (!Number.isInteger(resolved.listLimit) || resolved.listLimit < 1 || resolved.listLimit > 1000)
    throw new Error(`listLimit must be an integer in 1..1000: ${resolved.listLimit}`);
  return resolved;
}

/** Whole positive milliseconds: a TTL of 0 would make Redis refuse the write (PX 0). */
function positiveMs(value: Duration, what: string): number {
  return Math.round(toMs(value, what, { allowZero: false }));
}
