import { compileGlob, isValidGlob, isValidPrefix } from './glob-match';

/** Reference semantics (Redis `stringmatch` for `*` and `?`), by dynamic programming: slow but obviously right. */
function reference(pattern: string, text: string): boolean {
  let row = new Array<boolean>(text.length + 1).fill(false);
  row[0] = true;
  for (const p of pattern) {
    const next = new Array<boolean>(text.length + 1).fill(false);
    next[0] = p === '*' && row[0];
    for (let i = 1; i <= text.length; i++)
      next[i] = p === '*' ? next[i - 1] || row[i] : row[i - 1] && (p === '?' || p === text[i - 1]);
    row = next;
  }
  return row[text.length];
}

describe('compileGlob', () => {
  it.each([
    ['user:*', 'user:42', true],
    ['user:*', 'user:', true],
    ['user:*', 'users:1', false],
    ['*:profile', 'user:1:profile', true],
    ['user:?', 'user:1', true],
    ['user:?', 'user:12', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['*', 'anything', true],
    ['**', 'x', true],
    ['a**b', 'ab', true],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['*aba*', 'xabxaba', true],
    ['ab*ba', 'aba', false], // head and tail may not overlap
  ])('%s against %s is %s', (pattern, text, expected) => {
    const match = compileGlob(pattern);
    expect(match).toBeDefined();
    expect(match?.(text)).toBe(expected);
  });

  it('agrees with a reference matcher on 20k random patterns and keys (segments past 32 characters included)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = (alphabet: string, length: number) =>
      Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    for (let i = 0; i < 20_000; i++) {
      const long = i % 10 === 0;
      // Every tenth: one floating segment of 33-60 characters (two Shift-And words) in a long key.
      const segment = long ? pick('a?', 33 + random(28)) : '';
      const text = long
        ? pick('ab', random(40)) + segment.replace(/\?/g, 'b') + pick('ab', random(40))
        : pick('ab:', random(12));
      const pattern = long
        ? `*${random(2) ? segment : segment.replace('?', 'b')}*`
        : pick('ab:*??', 1 + random(8));
      const match = compileGlob(pattern) as (t: string) => boolean;
      if (match(text) !== reference(pattern, text)) throw new Error(`"${pattern}" vs "${text}"`);
    }
  });

  it('a pathological 25-character pattern over 10k keys finishes in well under 200 ms (a RegExp takes seconds)', () => {
    const pattern = '*a*a*a*a*a*a*a*a*a*a*a*a*b'; // 12 stars: exponential for a backtracking engine
    const keys = Array.from({ length: 10_000 }, (_, i) => `${'a'.repeat(40)}:${i}`);
    const match = compileGlob(pattern) as (t: string) => boolean;
    const started = performance.now();
    expect(keys.filter(match)).toHaveLength(0);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('rejects everything but key characters, * and ?', () => {
    for (const bad of ['', 'a[b]', 'a\\*', '{x}', 'a b', 'x'.repeat(513), '(a+)+$', 'ü'])
      expect(compileGlob(bad)).toBeUndefined();
    expect(isValidGlob(42)).toBe(false);
    expect(isValidGlob('/orders?a=1&b=*')).toBe(true);
  });

  it('prefixes hold key characters only', () => {
    expect(isValidPrefix('user:')).toBe(true);
    expect(isValidPrefix('user:*')).toBe(false);
    expect(isValidPrefix('')).toBe(false);
    expect(isValidPrefix('x'.repeat(511))).toBe(true);
    expect(isValidPrefix('x'.repeat(512))).toBe(false); // the pattern it becomes would be 513
  });
});
