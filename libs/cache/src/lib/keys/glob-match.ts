/**
 * Glob patterns for `deleteByPattern`, matched in linear time without RegExp.
 *
 * A pattern is 1-512 characters of the cache-key alphabet `[A-Za-z0-9_.:/=&%@+,;-]` plus two
 * wildcards: `*` (any run of characters, also none) and `?` (exactly one character). Nothing else:
 * no `[...]` classes, no `\` escapes, no `{}` — so a pattern means the same here and in Redis'
 * `SCAN MATCH`, and no character of a pattern can change the meaning of the key it is embedded in.
 *
 * Why not a RegExp: turning each `*` into `.*` gives a backtracking engine a pattern like `*a*a*a…b`
 * whose cost grows exponentially with the number of stars; one 25-character pattern received over
 * the bus froze every instance's event loop for seconds. Here the pattern splits at its stars into
 * literal segments (`?` allowed inside): the first is anchored at the start, the last at the end,
 * and the middle ones are found leftmost-first (greedy leftmost is exact for star-separated
 * segments). Each middle segment is searched with Shift-And (bit-parallel, `?` is a position that
 * accepts every character), so every character of the key is looked at once per 32 pattern
 * characters: O(key length * ceil(segment length / 32)), whatever the pattern.
 *
 * @example
 *   const match = compileGlob('user:*:profile');
 *   match('user:42:profile'); // true
 */
export type GlobMatcher = (text: string) => boolean;

export const MAX_PATTERN_LENGTH = 512;

/** Characters a pattern may hold besides the wildcards (the same alphabet as cache keys). */
function isKeyChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || // 0-9
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    '_.:/=&%@+,;-'.includes(String.fromCharCode(code))
  );
}

const STAR = 42; // '*'
const ANY = 63; // '?'

/** Whether `pattern` is a valid glob (see the module comment); checked without RegExp. */
export function isValidGlob(pattern: unknown): pattern is string {
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH)
    return false;
  for (let i = 0; i < pattern.length; i++) {
    const code = pattern.charCodeAt(i);
    if (code !== STAR && code !== ANY && !isKeyChar(code)) return false;
  }
  return true;
}

/** Whether a key prefix is valid for `deleteByPrefix`: key characters only, no wildcards (room for the `*`). */
export function isValidPrefix(prefix: unknown): prefix is string {
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length >= MAX_PATTERN_LENGTH) return false;
  for (let i = 0; i < prefix.length; i++) if (!isKeyChar(prefix.charCodeAt(i))) return false;
  return true;
}

/** Compiles a pattern; undefined when it is not a valid glob (never throws, never runs a RegExp). */
export function compileGlob(pattern: string): GlobMatcher | undefined {
  if (!isValidGlob(pattern)) return undefined;
  const segments = pattern.split('*');
  if (segments.length === 1) return (text) => text.length === pattern.length && matchesAt(text, 0, pattern);
  const head = segments[0];
  const tail = segments[segments.length - 1];
  // Empty middles come from `**`, which means the same as `*`.
  const middles = segments
    .slice(1, -1)
    .filter((s) => s.length > 0)
    .map(compileSegment);
  const fixed = head.length + tail.length;
  return (text) => {
    if (text.length < fixed) return false;
    if (!matchesAt(text, 0, head)) return false;
    const end = text.length - tail.length;
    if (!matchesAt(text, end, tail)) return false;
    let from = head.length;
    for (const find of middles) {
      const after = find(text, from, end);
      if (after < 0) return false;
      from = after;
    }
    return true;
  };
}

/** `segment` (literal characters and `?`) equals `text` at `offset`. */
function matchesAt(text: string, offset: number, segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    if (code !== ANY && text.charCodeAt(offset + i) !== code) return false;
  }
  return true;
}

/**
 * A leftmost search for one segment in `text[from, end)`, returning the index just past the match or
 * -1. Shift-And: bit j of the state says "the last j+1 characters read match the segment's first
 * j+1"; the state is an array of 32-bit words so segments of any length work.
 */
function compileSegment(segment: string): (text: string, from: number, end: number) => number {
  const length = segment.length;
  const words = Math.ceil(length / 32);
  const wildcard = new Uint32Array(words);
  const byChar = new Map<number, Uint32Array>();
  for (let j = 0; j < length; j++) {
    const code = segment.charCodeAt(j);
    if (code === ANY) wildcard[j >>> 5] |= 1 << (j & 31);
  }
  for (let j = 0; j < length; j++) {
    const code = segment.charCodeAt(j);
    if (code === ANY) continue;
    let mask = byChar.get(code);
    if (!mask) byChar.set(code, (mask = Uint32Array.from(wildcard)));
    mask[j >>> 5] |= 1 << (j & 31);
  }
  const lastWord = (length - 1) >>> 5;
  const lastBit = 1 << ((length - 1) & 31);
  const state = new Uint32Array(words);
  return (text, from, end) => {
    state.fill(0);
    for (let i = from; i < end; i++) {
      const mask = byChar.get(text.charCodeAt(i)) ?? wildcard;
      // state = ((state << 1) | 1) & mask, carried across words.
      let carry = 1;
      for (let w = 0; w < words; w++) {
        const word = state[w];
        state[w] = ((word << 1) | carry) & mask[w];
        carry = word >>> 31;
      }
      if (state[lastWord] & lastBit) return i + 1;
    }
    return -1;
  };
}
