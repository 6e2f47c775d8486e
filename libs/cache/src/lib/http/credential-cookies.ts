import { cookieNames } from './cookie-names';

/** A cookie name (exact, case-sensitive as browsers compare them) or a pattern tested against the name. */
export type CredentialCookie = string | RegExp;

/**
 * Cookies that always count as credentials, even when an allow-list pattern also matches them:
 * express-session's default cookie and the usual spellings of session / auth / token / JWT cookies.
 */
export const DEFAULT_CREDENTIAL_COOKIES: readonly CredentialCookie[] = [
  'connect.sid',
  /sess|auth|token|jwt/i,
];

/**
 * Cookies known to carry no identity the server reads: analytics cookies written by client-side scripts
 * (Google Analytics `_ga`, `_ga_<container>`, `_gid`, `_gat`, `_gat_<tracker>`; Google Ads `_gcl_au`;
 * Meta `_fbp`, `_fbc`). Every other cookie counts as a credential, since the interceptor cannot know
 * what a handler or middleware reads from it (`sid`, `uid`, `remember_me`, `cart`, ...).
 */
export const DEFAULT_ALLOWED_COOKIES: readonly CredentialCookie[] = [
  '_ga',
  /^_ga_[A-Za-z0-9]+$/,
  '_gid',
  '_gat',
  /^_gat_[A-Za-z0-9_]+$/,
  '_gcl_au',
  '_fbp',
  '_fbc',
];

/** Whether a cookie name is one of `list` (exact names, or patterns tested with `search`). */
export function cookieMatches(name: string, list: readonly CredentialCookie[]): boolean {
  // `search` ignores `lastIndex`, so a caller's `/g` or `/y` pattern cannot make the answer flip between calls.
  return list.some((c) => (typeof c === 'string' ? c === name : name.search(c) !== -1));
}

/** Whether the `Cookie` header carries at least one cookie of `credentialCookies`. */
export function hasCredentialCookie(
  header: string | undefined,
  credentialCookies: readonly CredentialCookie[] = DEFAULT_CREDENTIAL_COOKIES,
): boolean {
  if (!header || credentialCookies.length === 0) return false;
  return cookieNames(header).some((name) => cookieMatches(name, credentialCookies));
}

/**
 * Whether the `Cookie` header carries a cookie that may identify the caller: one of `credentials`, or any
 * cookie not in `allowed`. Fails closed: an unknown cookie is a credential.
 */
export function carriesCredentialCookie(
  header: string | undefined,
  allowed: readonly CredentialCookie[],
  credentials: readonly CredentialCookie[] = DEFAULT_CREDENTIAL_COOKIES,
): boolean {
  if (!header) return false;
  return cookieNames(header).some(
    (name) => cookieMatches(name, credentials) || !cookieMatches(name, allowed),
  );
}
