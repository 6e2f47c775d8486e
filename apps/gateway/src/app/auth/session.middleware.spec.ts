import { hasSessionCookie, SECURE_SESSION_COOKIE, SESSION_COOKIE } from './session.middleware';

describe('hasSessionCookie (reads without one skip express-session)', () => {
  it('sees either session cookie wherever it is in the header', () => {
    expect(hasSessionCookie(`${SESSION_COOKIE}=s%3Aabc`)).toBe(true);
    expect(hasSessionCookie(`theme=dark; ${SECURE_SESSION_COOKIE}=s%3Aabc; _ga=1`)).toBe(true);
    expect(hasSessionCookie(`_ga=1;${SESSION_COOKIE}=`)).toBe(true);
  });

  it('sees a session cookie written with blanks before its `=` (express-session reads it too)', () => {
    // The `cookie` parser trims blanks around a name: `sid =v` is the session cookie `sid`.
    expect(hasSessionCookie(`${SESSION_COOKIE} =s%3Aabc`)).toBe(true);
    expect(hasSessionCookie(`theme=dark; ${SESSION_COOKIE}\t=s%3Aabc`)).toBe(true);
    expect(hasSessionCookie(`${SECURE_SESSION_COOKIE}  = s%3Aabc`)).toBe(true);
  });

  it('is false without a Cookie header or without a session cookie in it', () => {
    expect(hasSessionCookie(undefined)).toBe(false);
    expect(hasSessionCookie('')).toBe(false);
    expect(hasSessionCookie('theme=dark; _ga=GA1.2.3')).toBe(false);
  });
});
