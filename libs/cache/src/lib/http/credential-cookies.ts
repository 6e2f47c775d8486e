import { cookieNames } from './cookie-names';

/** A cookie name (exact, case-sensitive as browsers compare them) or a pattern tested against the name. */
export type CredentialCookie = string | RegExp;

/**
 * express-session's default cookie, plus the usual spellings of session / auth / token / JWT cookies.
 * Analytics and preference cookies (`_ga`, `theme`, ...) match none of these, so they do not cost the cache.
 */
export const DEFAULT_CREDENTIAL_COOKIES: readonly CredentialCookie[] = [
  'connect.sid',
  /sess|auth|token|jwt/i,
];

/** Whether the `Cookie` header carries at least one cookie that identifies the caller. */
export function hasCredentialCookie(
  header: string | undefined,
  credentialCookies: readonly CredentialCookie[] = DEFAULT_CREDENTIAL_COOKIES,
): boolean {
  if (!header || credentialCookies.length === 0) return false;
  return cookieNames(header).some((name) =>
    // `search` ignores `lastIndex`, so a caller's `/g` or `/y` pattern cannot make the answer flip between calls.
    credentialCookies.some((c) => (typeof c === 'string' ? c === name : name.search(c) !== -1)),
  );
}
