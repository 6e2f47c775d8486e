import { cacheControlDirectives } from './cache-control';

describe('cacheControlDirectives', () => {
  it('lower-cases names, keeps arguments, skips empty items', () => {
    expect(cacheControlDirectives('Private, MAX-AGE=60,, no-cache')).toEqual([
      { name: 'private' },
      { name: 'max-age', value: '60' },
      { name: 'no-cache' },
    ]);
  });

  it('does not split a quoted argument at its commas, and unquotes it', () => {
    expect(cacheControlDirectives('private="set-cookie, x-a", no-store')).toEqual([
      { name: 'private', value: 'set-cookie, x-a' },
      { name: 'no-store' },
    ]);
    expect(cacheControlDirectives('no-cache="a\\"b, c"')).toEqual([{ name: 'no-cache', value: 'a"b, c' }]);
  });

  it('reads a header set more than once, and nothing from nothing', () => {
    expect(cacheControlDirectives(['public', 'max-age=5'])).toEqual([
      { name: 'public' },
      { name: 'max-age', value: '5' },
    ]);
    expect(cacheControlDirectives(undefined)).toEqual([]);
    expect(cacheControlDirectives('')).toEqual([]);
  });
});
