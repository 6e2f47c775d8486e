/**
 * Names of the cookies in a `Cookie` request header (RFC 6265 §5.4: `name=value` pairs joined by `;`).
 * Only names are needed to decide whether a request is credentialed, so values are never decoded.
 */
export function cookieNames(header: string | undefined): string[] {
  if (!header) return [];
  const names: string[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    // A pair without `=` is not valid, but browsers send it as a nameless value; it is kept as a name so
    // that a credential-looking token still counts (failing closed is the safe side for a shared cache).
    const name = (eq === -1 ? pair : pair.slice(0, eq)).trim();
    if (name) names.push(name);
  }
  return names;
}
