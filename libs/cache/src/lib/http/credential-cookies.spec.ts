import { carriesCredentialCookie, DEFAULT_ALLOWED_COOKIES, hasCredentialCookie } from './credential-cookies';

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

describe('carriesCredentialCookie', () => {
  it.each(['sid=1', 'uid=42', 'remember_me=1', '_ga=1; cart=x', 'theme=dark', 'session_token'])(
    'counts the unknown cookie in %p',
    (header) => {
      expect(carriesCredentialCookie(header, DEFAULT_ALLOWED_COOKIES)).toBe(true);
    },
  );

  it.each([
    '_ga=GA1.2.3',
    '_ga_ABC123=GS1; _gid=1; _gat=1; _gat_UA_1=1',
    '_gcl_au=1; _fbp=fb.1; _fbc=fb.2',
    '',
  ])('does not count the analytics cookies in %p', (header) => {
    expect(carriesCredentialCookie(header, DEFAULT_ALLOWED_COOKIES)).toBe(false);
  });

  it('does not count a missing header', () => {
    expect(carriesCredentialCookie(undefined, DEFAULT_ALLOWED_COOKIES)).toBe(false);
  });

  it('anchors the analytics patterns: a name that only contains one is unknown', () => {
    expect(carriesCredentialCookie('x_ga_1=1', DEFAULT_ALLOWED_COOKIES)).toBe(true);
    expect(carriesCredentialCookie('_ga_1.sid=1', DEFAULT_ALLOWED_COOKIES)).toBe(true);
  });

  it('still counts a credential cookie that a broad allow-list pattern matches', () => {
    expect(carriesCredentialCookie('_session=1', [/^_/])).toBe(true);
    expect(carriesCredentialCookie('_prefs=1', [/^_/])).toBe(false);
    expect(carriesCredentialCookie('_prefs=1', [/^_/], ['_prefs'])).toBe(true);
  });
});
