/**
 * Whether `If-None-Match` matches the current representation's entity tag (RFC 9110 §13.1.2), i.e.
 * whether the answer is 304. Comparison is weak (§8.8.3.2: `W/"x"` matches `"x"`), as that section
 * requires for this header. A malformed header matches nothing: the client just gets the full 200.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const tags = parseIfNoneMatch(header);
  if (tags === '*') return true; // a cached body always exists here, and `*` matches any current one
  if (!tags) return false;
  const current = opaqueTag(etag);
  return tags.some((tag) => tag === current);
}

/**
 * `"*"` or the opaque tags (quotes included, `W/` dropped) of `If-None-Match = "*" / #entity-tag`, or
 * undefined when the header does not follow that grammar.
 */
export function parseIfNoneMatch(header: string): '*' | string[] | undefined {
  if (header.trim() === '*') return '*';
  const tags: string[] = [];
  let i = 0;
  // A scanner rather than `split(',')`: a comma is a legal character inside an opaque tag.
  while (i < header.length) {
    const ch = header[i];
    // RFC 9110 §5.6.1: recipients accept empty list elements and optional whitespace around commas.
    if (ch === ' ' || ch === '\t' || ch === ',') {
      i++;
      continue;
    }
    const start = header.startsWith('W/', i) ? i + 2 : i;
    if (header[start] !== '"') return undefined;
    const end = header.indexOf('"', start + 1);
    if (end === -1) return undefined;
    const tag = header.slice(start, end + 1);
    if (!isOpaqueTag(tag)) return undefined;
    tags.push(tag);
    i = end + 1;
    while (header[i] === ' ' || header[i] === '\t') i++;
    if (i < header.length && header[i] !== ',') return undefined;
  }
  return tags.length > 0 ? tags : undefined;
}

function opaqueTag(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}

/** `DQUOTE *etagc DQUOTE`, etagc = %x21 / %x23-7E / obs-text (Node decodes header bytes as latin1). */
function isOpaqueTag(tag: string): boolean {
  return /^"[\x21\x23-\x7e\x80-\xff]*"$/.test(tag);
}
