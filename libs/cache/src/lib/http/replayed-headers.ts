import type { OutgoingHttpHeaders } from 'node:http';
import { cacheControlDirectives } from './cache-control';

/** Header values as stored with a cached response (names lower-case). */
export type StoredHeaders = Record<string, string | string[]>;

/**
 * Headers a handler may set that describe the representation itself, so a HIT must send them again
 * (RFC 9110 §8: content metadata; §8.8: validators; RFC 8288 `Link`). Routes add their own custom
 * names with `headers: [...]`.
 */
export const DEFAULT_REPLAYED_HEADERS: readonly string[] = [
  'content-type',
  'content-language',
  'content-disposition',
  'content-location',
  'cache-control',
  'expires',
  'last-modified',
  'link',
];

/**
 * Never stored, whatever a route lists: `Set-Cookie` belongs to one client; the framing and
 * connection headers are recomputed per response; `ETag`, `Age`, `Vary`, `X-Cache` are the cache's own.
 */
const NEVER_REPLAYED = new Set([
  'set-cookie',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'trailer',
  'upgrade',
  'date',
  'etag',
  'age',
  'vary',
  'x-cache',
]);

/** The headers the handler set or changed: `after` compared with the snapshot taken before it ran. */
export function changedHeaders(before: OutgoingHttpHeaders, after: OutgoingHttpHeaders): StoredHeaders {
  const changed: StoredHeaders = {};
  for (const [name, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.map(String) : String(value);
    const previous = before[name];
    const old =
      previous === undefined ? undefined : Array.isArray(previous) ? previous.map(String) : String(previous);
    if (JSON.stringify(old) !== JSON.stringify(text)) changed[name] = text;
  }
  return changed;
}

/** The part of `changed` a HIT replays. */
export function replayable(changed: StoredHeaders, replayed: ReadonlySet<string>): StoredHeaders {
  const stored: StoredHeaders = {};
  for (const [name, value] of Object.entries(changed)) {
    if (replayed.has(name) && !NEVER_REPLAYED.has(name)) stored[name] = value;
  }
  return stored;
}

/** The replayed set for a route: the defaults plus its own names, lower-cased, minus the never-replayed ones. */
export function replayedHeaderSet(extra: readonly string[] = []): ReadonlySet<string> {
  const names = [...DEFAULT_REPLAYED_HEADERS, ...extra].map((n) => n.toLowerCase());
  return new Set(names.filter((n) => !NEVER_REPLAYED.has(n)));
}

/**
 * Why a response must not be stored, or undefined. RFC 9111 §3: `no-store` forbids storing; `private`
 * forbids a shared cache (a per-user entry is this cache's "private" use); `no-cache` would require
 * revalidation on every use, which this cache does not do. A handler-set `Set-Cookie` means the response
 * belongs to that one client (its body may depend on the cookie it just issued). A handler-set `Vary`
 * beyond what the key covers (`keyedVary`) cannot be honoured.
 */
export function notStorableReason(
  set: StoredHeaders,
  perUser: boolean,
  keyedVary: readonly string[],
): 'set-cookie' | 'no-store' | 'private' | 'vary' | undefined {
  if (set['set-cookie'] !== undefined) return 'set-cookie';
  const vary = set['vary'];
  if (vary !== undefined) {
    // The handler says its answer depends on a request header the key does not include (`Accept-Language`,
    // `*`): a stored copy would be served to requests it does not fit (RFC 9111 §4.1).
    const keyed = new Set(keyedVary.map((n) => n.toLowerCase()));
    if (varyFields(vary).some((f) => !keyed.has(f))) return 'vary';
  }
  // Qualified forms (`private="x"`, `no-cache="x"`) count too: storing only part of a response is not an option.
  const directives = cacheControlDirectives(set['cache-control']).map((d) => d.name);
  if (directives.includes('no-store') || directives.includes('no-cache')) return 'no-store';
  if (!perUser && directives.includes('private')) return 'private';
  return undefined;
}

/** The field names of a `Vary` value, lower-cased. */
export function varyFields(vary: number | string | readonly string[] | undefined): string[] {
  if (vary === undefined) return [];
  return (Array.isArray(vary) ? vary.join(',') : String(vary))
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
}
