import { isCanonicalPath } from './canonical-path';

describe('isCanonicalPath', () => {
  it.each([
    '/',
    '/promo',
    '/items/',
    '/search/apple',
    '/search/caf%C3%A9',
    '/a/b.c/d-e_f~g',
    '/search/a%20b',
    '/x/%61b',
  ])('accepts %s', (path) => {
    expect(isCanonicalPath(path)).toBe(true);
  });

  it.each([
    ['a backslash', '/search/x\\..\\..\\promo'],
    ['an encoded backslash', '/search/x%5c..'],
    ['an upper-case encoded backslash', '/search/x%5C'],
    ['an encoded slash', '/search/a%2Fb'],
    ['a doubled slash', '//promo'],
    ['a doubled slash inside', '/search//promo'],
    ['a dot segment', '/search/..'],
    ['a single dot segment', '/search/./x'],
    ['encoded dots', '/search/%2e%2e'],
    ['upper-case encoded dots', '/search/%2E%2E'],
    ['half-encoded dots', '/search/.%2e'],
    ['an encoded single dot', '/a/%2e/b'],
    ['a double-encoded dot', '/search/%252e%252e'],
    ['a malformed escape', '/search/%zz'],
    ['a truncated escape', '/search/%2'],
    ['an encoded NUL', '/search/a%00'],
    ['a raw space', '/search/a b'],
    ['a raw quote', '/search/"x"'],
    ['a fragment', '/promo#x'],
    ['non-ASCII bytes', '/caf\xe9'],
    ['a relative path', 'promo'],
    ['an absolute-form target', 'http://evil/promo'],
    ['empty', ''],
  ])('refuses %s (%p)', (_name, path) => {
    expect(isCanonicalPath(path)).toBe(false);
  });
});
