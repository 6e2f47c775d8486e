import { cookieMatches, type CredentialCookie } from './credential-cookies';

/** What the response depends on, as the router and the framework's query parser gave it to the handler. */
export interface ResponseKeyParts {
  /** The route the router matched (`/search/:term`), or the raw path when there is no route object. */
  route: string;
  /** The route's params, decoded by the router; omitted when `route` is the raw path. */
  params?: Record<string, unknown>;
  /** The parsed query (`req.query`). */
  query: Record<string, unknown>;
  /** Query parameters that form the key. */
  keyQuery: readonly string[];
  /** Query parameters left out of the key without bypassing (tracking parameters the handler never reads). */
  ignoreQuery: readonly CredentialCookie[];
  /** For a per-user route: the caller's id, or `null` for an anonymous caller; `undefined` for a shared route. */
  user?: string | null;
  /** For a shared route with a `variant`: the caller's variant label (`admin`, `public`). */
  variant?: string;
}

export type ResponseKey = { key: string } | { bypass: 'query' | 'key-too-long' };

/** The cache's key grammar (`Cache` refuses anything else). */
const KEY_PATTERN = /^[A-Za-z0-9_.:/=&%@+,;-]{1,512}$/;

/**
 * `http:<route>[;p=<params>][;q=<query>][;v=<variant>][;u=<id>|;anon]`, every component percent-encoded so that it holds
 * only `[A-Za-z0-9_.%-]` (and `/` in the route): the separators `; = & ,` can never come from input, so
 * two different requests can never produce one key. Query parameters are sorted by name; repeated values
 * keep their order (a handler may read `?tag=a&tag=b` differently from `?tag=b&tag=a`).
 *
 * A query parameter that is neither in `keyQuery` nor in `ignoreQuery` makes the request bypass the
 * cache, as does a value the key cannot represent faithfully (a nested object from an extended parser):
 * the key can then never be missing something the handler read, and junk parameters create no keys.
 */
export function responseKey(parts: ResponseKeyParts): ResponseKey {
  let key = `http:${parts.route.split('/').map(encode).join('/')}`;
  const params = Object.keys(parts.params ?? {}).sort();
  if (params.length > 0) {
    const encoded = params.map((name) => pair(name, (parts.params as Record<string, unknown>)[name]));
    if (encoded.includes(undefined)) return { bypass: 'query' };
    key += `;p=${encoded.join('&')}`;
  }
  const query: string[] = [];
  for (const name of Object.keys(parts.query).sort()) {
    if (parts.keyQuery.includes(name)) {
      const encoded = pair(name, parts.query[name]);
      if (encoded === undefined) return { bypass: 'query' };
      query.push(encoded);
    } else if (!cookieMatches(name, parts.ignoreQuery)) return { bypass: 'query' };
  }
  if (query.length > 0) key += `;q=${query.join('&')}`;
  if (parts.variant !== undefined) key += `;v=${encode(parts.variant)}`;
  if (parts.user !== undefined) key += parts.user === null ? ';anon' : `;u=${encode(parts.user)}`;
  return KEY_PATTERN.test(key) ? { key } : { bypass: 'key-too-long' };
}

/** `name=v1,v2` for a string or an array of strings, undefined for anything else. */
function pair(name: string, value: unknown): string | undefined {
  const values = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) return undefined;
  return `${encode(name)}=${(values as string[]).map(encode).join(',')}`;
}

/** `encodeURIComponent`, plus the five characters it leaves alone that the key grammar refuses or uses. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}
