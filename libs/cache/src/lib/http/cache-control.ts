/** One `Cache-Control` directive: its name lower-cased, its argument (unquoted) when it has one. */
export interface CacheDirective {
  name: string;
  value?: string;
}

/**
 * The directives of a `Cache-Control` value (RFC 9111 §5.2), in order. Commas inside a quoted argument
 * (`no-cache="set-cookie, x-a"`) do not split, so a qualified directive is not mistaken for a bare one
 * of the names it lists.
 */
export function cacheControlDirectives(
  value: number | string | readonly string[] | undefined,
): CacheDirective[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : String(value);
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted && c === '\\') {
      current += c + (text[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      items.push(current);
      current = '';
    } else current += c;
  }
  items.push(current);
  const directives: CacheDirective[] = [];
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    if (eq === -1) directives.push({ name });
    else directives.push({ name, value: unquote(item.slice(eq + 1).trim()) });
  }
  return directives;
}

/** `"a, b"` -> `a, b` (quoted-pair escapes resolved); a token argument as it is. */
function unquote(argument: string): string {
  if (argument.length < 2 || !argument.startsWith('"') || !argument.endsWith('"')) return argument;
  return argument.slice(1, -1).replace(/\\(.)/g, '$1');
}
