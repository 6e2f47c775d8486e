/**
 * Whether a raw request path (the request-target up to `?`, exactly as received) is already in the one
 * form every party agrees on, so that the path the router matched and the path any other normaliser
 * (WHATWG URL, a proxy, a CDN) derives from it are the same string.
 *
 * The HTTP cache keys only such paths. Anything else is a poisoning vector: the router (Express matches
 * the raw path) runs `/search/:term` for `/search/x\..\..\promo`, while a WHATWG normaliser turns `\` into
 * `/` and resolves the dot segments to `/promo` (WHATWG URL §4.4 "path state", which also treats `%2e` as
 * `.`). Refused, in raw or percent-encoded form:
 * - `\` (`%5c`), and `/` inside a segment (`%2f`): the segment structure differs between parsers;
 * - empty segments (`//`), except one trailing `/`;
 * - dot segments `.` and `..` (RFC 3986 §5.2.4), including `%2e` spellings;
 * - `%25` (an encoded `%`: decoded twice by some hops, `%252e` becomes `.`), invalid escapes, control
 *   characters, and anything WHATWG would re-encode (spaces, quotes, non-ASCII bytes, `#`).
 */
export function isCanonicalPath(rawPath: string): boolean {
  if (!rawPath.startsWith('/') || rawPath.includes('\\')) return false;
  if (new URL(rawPath, 'http://x').pathname !== rawPath) return false;
  const segments = rawPath.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const raw = segments[i] as string;
    if (raw === '') {
      if (i === segments.length - 1) continue; // `/` itself, or one trailing slash
      return false;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return false; // a malformed escape: parsers disagree on what it means
    }
    if (decoded === '.' || decoded === '..') return false;
    // eslint-disable-next-line no-control-regex
    if (/[/\\%\x00-\x1f\x7f]/.test(decoded)) return false;
  }
  return true;
}
