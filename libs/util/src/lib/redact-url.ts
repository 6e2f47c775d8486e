/**
 * A connection URL with its passwords hidden, for logs and error messages: the one in the user info
 * (everything between the first ':' after the user name and the last '@', whatever characters it holds:
 * a naive `//user:pass@` pattern stops at a '/' or '@' inside the password and prints it) and the values
 * of the query parameters named in `secretParams` (case-insensitive). Without a scheme, whatever
 * precedes an '@' may be a password and is hidden whole.
 */
export function redactUrl(url: string, secretParams: readonly string[] = []): string {
  let redacted = /^[^:/?#]*:\/\//.test(url)
    ? url.replace(/^([^:/?#]*:\/\/)([^:@/]*):(.*)@/, '$1$2:***@')
    : url.replace(/^.*@/, '***@');
  for (const name of secretParams) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    redacted = redacted.replace(new RegExp(`([?&]${escaped}=)[^&#]*`, 'gi'), '$1***');
  }
  return redacted;
}
