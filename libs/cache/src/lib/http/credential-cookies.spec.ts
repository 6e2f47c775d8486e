import { hasCredentialCookie } from './credential-cookies';

describe('hasCredentialCookie', () => {
  it.each([
    'connect.sid=s%3Aabc.sig',
    '_ga=1; connect.sid=x',
    'PHPSESSID=1',
    'next-auth.session-token=x',
    'access_token=x',
    'JWT=x',
    'Authorization=x',
  ])('counts %s by default', (header) => {
    expect(hasCredentialCookie(header)).toBe(true);
  });

  it.each(['_ga=1', '_ga=1; _gid=2; theme=dark', 'lang=en', 'x=connect.sid', ''])(
    'does not count %p by default',
    (header) => {
      expect(hasCredentialCookie(header)).toBe(false);
    },
  );

  it('does not count a missing header', () => {
    expect(hasCredentialCookie(undefined)).toBe(false);
  });

  it('uses the given list instead of the default: exact names and patterns', () => {
    expect(hasCredentialCookie('shop_login=1', ['shop_login'])).toBe(true);
    expect(hasCredentialCookie('Shop_Login=1', ['shop_login'])).toBe(false);
    expect(hasCredentialCookie('connect.sid=1', ['shop_login'])).toBe(false);
    expect(hasCredentialCookie('tenant-7=1', [/^tenant-\d+$/])).toBe(true);
    expect(hasCredentialCookie('connect.sid=1', [])).toBe(false);
  });

  it('gives the same answer on every call with a global pattern', () => {
    const patterns = [/sid/g];
    expect([1, 2, 3].map(() => hasCredentialCookie('sid=1', patterns))).toEqual([true, true, true]);
  });
});
