import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { CodedError, redactUrl as redactCredentials } from '@shop/util';

/** Where and how to reach one Redis deployment, parsed from a URL. */
export type RedisEndpoint =
  | { kind: 'standalone'; host: string; port: number; db: number; auth: RedisAuth; tls?: TlsOptions }
  | {
      kind: 'sentinel';
      sentinels: HostPort[];
      masterName: string;
      db: number;
      auth: RedisAuth;
      sentinelPassword?: string;
      tls?: TlsOptions;
    }
  | { kind: 'cluster'; nodes: HostPort[]; auth: RedisAuth; tls?: TlsOptions };

export interface HostPort {
  host: string;
  port: number;
}

export interface RedisAuth {
  username?: string;
  password?: string;
}

/** Thrown for a URL that cannot name a Redis deployment; the message says what is wrong. */
export class InvalidRedisUrlError extends CodedError<'E_INVALID_REDIS_URL'> {
  constructor(url: string, reason: string) {
    super('E_INVALID_REDIS_URL', `invalid Redis URL "${redactUrl(url)}": ${reason}`);
  }
}

const SCHEMES = new Set([
  'redis:',
  'rediss:',
  'redis-sentinel:',
  'rediss-sentinel:',
  'redis-cluster:',
  'rediss-cluster:',
]);

/**
 * Parses the URL forms the project accepts:
 * - `redis://[user:pass@]host[:port][/db]`, `rediss://` for TLS
 * - `redis-sentinel://[user:pass@]s1:26379,s2:26379/<master>[/db][?sentinelPassword=..]`
 * - `redis-cluster://[user:pass@]n1:7001,n2:7002`
 * Several hosts are comma separated, which `new URL()` refuses, so the authority is split by hand.
 */
export function parseRedisUrl(url: string): RedisEndpoint {
  // The user info runs to the LAST '@': a password with an unencoded '/' or '@' still parses (and is
  // redacted) instead of being read as a path.
  const match = /^([a-z-]+:)\/\/(?:(.*)@)?([^@/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(url.trim());
  if (!match) throw new InvalidRedisUrlError(url, 'expected <scheme>://[user:pass@]host[:port][/path]');
  const [, rawScheme, userInfo, hostList, path = '', query = ''] = match;
  const scheme = rawScheme.toLowerCase();
  if (!SCHEMES.has(scheme)) {
    throw new InvalidRedisUrlError(
      url,
      `unknown scheme "${scheme}" (use redis:, rediss:, redis-sentinel: or redis-cluster:)`,
    );
  }
  const tls = scheme.startsWith('rediss') ? {} : undefined;
  const auth = parseUserInfo(userInfo);
  const defaultPort = scheme.includes('sentinel') ? 26379 : 6379;
  const hosts = parseHosts(url, hostList, defaultPort);
  const params = new URLSearchParams(query);
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);

  if (scheme.includes('sentinel')) {
    const [masterName, db] = segments;
    if (!masterName) throw new InvalidRedisUrlError(url, 'a sentinel URL needs the master name as its path');
    return {
      kind: 'sentinel',
      sentinels: hosts,
      masterName,
      db: parseDb(url, db),
      auth,
      sentinelPassword: params.get('sentinelPassword') ?? undefined,
      tls,
    };
  }
  if (scheme.includes('cluster')) {
    if (segments.length > 0) throw new InvalidRedisUrlError(url, 'a cluster has no database number');
    return { kind: 'cluster', nodes: hosts, auth, tls };
  }
  if (hosts.length !== 1)
    throw new InvalidRedisUrlError(url, 'several hosts need redis-sentinel:// or redis-cluster://');
  return { kind: 'standalone', ...hosts[0], db: parseDb(url, segments[0]), auth, tls };
}

/** Hides the passwords of a Redis URL so it can be logged: the user info's and a `sentinelPassword`. */
export function redactUrl(url: string): string {
  return redactCredentials(url, ['sentinelPassword']);
}

function parseUserInfo(userInfo: string | undefined): RedisAuth {
  if (!userInfo) return {};
  const colon = userInfo.indexOf(':');
  if (colon === -1) return { username: decodeURIComponent(userInfo) || undefined };
  const username = decodeURIComponent(userInfo.slice(0, colon)) || undefined;
  const password = decodeURIComponent(userInfo.slice(colon + 1)) || undefined;
  return { username, password };
}

function parseHosts(url: string, hostList: string, defaultPort: number): HostPort[] {
  if (!hostList) throw new InvalidRedisUrlError(url, 'no host');
  return hostList.split(',').map((entry) => {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (!m || !m[1]) throw new InvalidRedisUrlError(url, `bad host "${entry}"`);
    const port = m[2] === undefined ? defaultPort : Number(m[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new InvalidRedisUrlError(url, `bad port in "${entry}"`);
    return { host: m[1].replace(/^\[|\]$/g, ''), port };
  });
}

function parseDb(url: string, raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const db = Number(raw);
  if (!Number.isInteger(db) || db < 0 || db > 15)
    throw new InvalidRedisUrlError(url, `bad database number "${raw}"`);
  return db;
}
