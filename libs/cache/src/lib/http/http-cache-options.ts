import {
  DEFAULT_ALLOWED_COOKIES,
  DEFAULT_CREDENTIAL_COOKIES,
  type CredentialCookie,
} from './credential-cookies';
import { defaultIdentify, type IdentifyRequest } from './request-identity';

/** HTTP response cache options for every `@CacheResponse` route (`CacheModule.forRoot({ http })`). */
export interface HttpCacheOptions {
  /** Reads the caller's id for `perUser` routes. @default `req.user.id ?? .userId ?? .sub ?? ._id ?? req.session.userId` */
  identify?: IdentifyRequest;
  /**
   * Cookies that carry no identity; any other cookie makes a request credentialed (shared routes bypass,
   * per-user routes need an id). Replaces the default; routes add to it with `allowCookies`.
   * @default the analytics cookies `_ga`, `_ga_*`, `_gid`, `_gat`, `_gat_*`, `_gcl_au`, `_fbp`, `_fbc`
   */
  allowCookies?: readonly CredentialCookie[];
  /**
   * Request headers that carry credentials: a request with any of them bypasses shared routes, and every
   * answer sends them in `Vary`. Add custom ones (`x-api-key`). Lower-case names.
   * @default ['authorization']
   */
  credentialHeaders?: readonly string[];
  /** Cookies that are credentials even when `allowCookies` matches them. @default `['connect.sid', /sess|auth|token|jwt/i]` */
  credentialCookies?: readonly CredentialCookie[];
  /**
   * Query parameters dropped from every key without a bypass (tracking parameters handlers never read).
   * @default `[/^utm_/, 'gclid', 'fbclid', 'msclkid']`
   */
  ignoreQuery?: readonly CredentialCookie[];
  /** Distinct keys a route may hold per process; new keys beyond it bypass. Routes override with `maxKeys`. @default 1000 */
  maxKeysPerRoute?: number;
}

export interface ResolvedHttpCacheOptions {
  identify: IdentifyRequest;
  allowCookies: readonly CredentialCookie[];
  credentialCookies: readonly CredentialCookie[];
  credentialHeaders: readonly string[];
  ignoreQuery: readonly CredentialCookie[];
  maxKeysPerRoute: number;
}

/** The one source of the HTTP defaults (README's table mirrors it). */
export const HTTP_CACHE_DEFAULTS: ResolvedHttpCacheOptions = {
  identify: defaultIdentify,
  allowCookies: DEFAULT_ALLOWED_COOKIES,
  credentialCookies: DEFAULT_CREDENTIAL_COOKIES,
  credentialHeaders: ['authorization'],
  ignoreQuery: [/^utm_/, 'gclid', 'fbclid', 'msclkid'],
  maxKeysPerRoute: 1000,
};

/** Injection token of the resolved options (provided by `CacheModule`). */
export const HTTP_CACHE_OPTIONS = Symbol('HTTP_CACHE_OPTIONS');

export function resolveHttpCacheOptions(o: HttpCacheOptions = {}): ResolvedHttpCacheOptions {
  const maxKeysPerRoute = o.maxKeysPerRoute ?? HTTP_CACHE_DEFAULTS.maxKeysPerRoute;
  if (!Number.isInteger(maxKeysPerRoute) || maxKeysPerRoute < 1)
    throw new Error(`invalid http.maxKeysPerRoute: ${String(o.maxKeysPerRoute)}`);
  return {
    identify: o.identify ?? HTTP_CACHE_DEFAULTS.identify,
    allowCookies: o.allowCookies ?? HTTP_CACHE_DEFAULTS.allowCookies,
    credentialCookies: o.credentialCookies ?? HTTP_CACHE_DEFAULTS.credentialCookies,
    credentialHeaders: (o.credentialHeaders ?? HTTP_CACHE_DEFAULTS.credentialHeaders).map((n) =>
      n.toLowerCase(),
    ),
    ignoreQuery: o.ignoreQuery ?? HTTP_CACHE_DEFAULTS.ignoreQuery,
    maxKeysPerRoute,
  };
}
