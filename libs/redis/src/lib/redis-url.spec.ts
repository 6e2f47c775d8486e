import { InvalidRedisUrlError, parseRedisUrl, redactUrl } from './redis-url';

describe('parseRedisUrl', () => {
  it('parses a standalone URL with password and db', () => {
    expect(parseRedisUrl('redis://:s3cret@cache.local:6380/2')).toEqual({
      kind: 'standalone',
      host: 'cache.local',
      port: 6380,
      db: 2,
      auth: { password: 's3cret' },
      tls: undefined,
    });
  });

  it('defaults port and db, and enables TLS for rediss://', () => {
    expect(parseRedisUrl('rediss://user:pw@h')).toMatchObject({
      port: 6379,
      db: 0,
      tls: {},
      auth: { username: 'user', password: 'pw' },
    });
  });

  it('parses sentinel and cluster host lists', () => {
    expect(parseRedisUrl('redis-sentinel://s1,s2:26380/mymaster/1?sentinelPassword=x')).toMatchObject({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      masterName: 'mymaster',
      db: 1,
      sentinelPassword: 'x',
    });
    expect(parseRedisUrl('redis-cluster://n1:7001,n2:7002')).toMatchObject({
      kind: 'cluster',
      nodes: [{ port: 7001 }, { port: 7002 }],
    });
  });

  it('accepts IPv6 hosts in brackets', () => {
    expect(parseRedisUrl('redis://[::1]:6379')).toMatchObject({ host: '::1', port: 6379 });
  });

  it.each([
    ['nonsense', 'expected'],
    ['http://h:1', 'unknown scheme'],
    ['redis://h:99999', 'bad port'],
    ['redis://h/99', 'bad database'],
    ['redis://a,b', 'several hosts'],
    ['redis-sentinel://s1', 'master name'],
  ])('rejects %s', (url, reason) => {
    expect(() => parseRedisUrl(url)).toThrow(InvalidRedisUrlError);
    expect(() => parseRedisUrl(url)).toThrow(reason);
  });

  it.each([
    ['a slash', 'redis://u:pa/ss@h:0', 'pa/ss'],
    ['slashes and an @', 'redis://:top/se@cret@h:0', 'top/se@cret'],
    ['a sentinel password in the query', 'redis-sentinel://s1?sentinelPassword=hunter2', 'hunter2'],
    ['an unparsable rest', 'redis://u:p/w@', 'p/w'],
    ['no scheme', 'u:p/w@h:6379', 'p/w'],
  ])('never shows a password containing %s in an InvalidRedisUrlError', (_, url, secret) => {
    expect(() => parseRedisUrl(url)).toThrow(InvalidRedisUrlError);
    let message = '';
    try {
      parseRedisUrl(url);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain(secret);
    expect(redactUrl(url)).not.toContain(secret);
  });

  it('parses a password with unencoded slashes or @ (up to the last @)', () => {
    expect(parseRedisUrl('redis://u:p/a@ss@cache.local:6380/1')).toMatchObject({
      host: 'cache.local',
      port: 6380,
      db: 1,
      auth: { username: 'u', password: 'p/a@ss' },
    });
  });

  it('never shows a password in errors or redacted URLs', () => {
    expect(redactUrl('redis://u:topsecret@h:1')).toBe('redis://u:***@h:1');
    expect(() => parseRedisUrl('redis://u:topsecret@h:0')).toThrow(/u:\*\*\*@/);
  });
});
