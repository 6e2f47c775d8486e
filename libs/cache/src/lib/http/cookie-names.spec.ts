import { cookieNames } from './cookie-names';

describe('cookieNames', () => {
  it('returns the names of a Cookie header, trimmed, values untouched', () => {
    expect(cookieNames('a=1; b = 2;c=x=y')).toEqual(['a', 'b', 'c']);
  });

  it('tolerates empty pairs, a trailing separator and quoted values', () => {
    expect(cookieNames(';; a="v=1"; b=; ;')).toEqual(['a', 'b']);
  });

  it('splits on every ";" as browsers do (RFC 6265 allows none in a value, quoted or not)', () => {
    expect(cookieNames('a="x; sid=1"')).toEqual(['a', 'sid']);
  });

  it('keeps a pair without "=" as a name, so it can still count as a credential', () => {
    expect(cookieNames('session_token; _ga=1')).toEqual(['session_token', '_ga']);
  });

  it('returns nothing for a missing or blank header', () => {
    expect(cookieNames(undefined)).toEqual([]);
    expect(cookieNames('')).toEqual([]);
    expect(cookieNames(' ; ')).toEqual([]);
    expect(cookieNames('=value')).toEqual([]);
  });
});
