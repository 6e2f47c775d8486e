import { InvalidDatabaseUrlError, parseDatabaseUrl } from './database-url';

describe('parseDatabaseUrl', () => {
  it('reads SQLite files and memory databases', () => {
    expect(parseDatabaseUrl('sqlite:./data/orders.sqlite')).toEqual({
      dialect: 'sqlite',
      file: './data/orders.sqlite',
    });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', file: ':memory:' });
    expect(parseDatabaseUrl('file:///tmp/x.db')).toEqual({ dialect: 'sqlite', file: '/tmp/x.db' });
  });

  it('passes Postgres URLs through', () => {
    expect(parseDatabaseUrl('postgresql://u:p@db:5432/shop?sslmode=require')).toEqual({
      dialect: 'postgres',
      connectionString: 'postgresql://u:p@db:5432/shop?sslmode=require',
    });
  });

  it.each(['mysql://h/db', 'nonsense', 'postgres://'])('rejects %s', (url) => {
    expect(() => parseDatabaseUrl(url)).toThrow(InvalidDatabaseUrlError);
  });

  it('hides passwords in errors', () => {
    expect(() => parseDatabaseUrl('mysql://u:secret@h/db')).toThrow(/u:\*\*\*@/);
  });

  it.each([
    ['a / in the password', 'mysql://u:se/cr@et@h/db'],
    ['an @ in the password', 'mysql://u:s@cret@h/db'],
    ['a password query parameter', 'mysql://h/db?user=u&password=secret'],
  ])('never prints the password with %s', (_what, url) => {
    expect(() => parseDatabaseUrl(url)).toThrow(InvalidDatabaseUrlError);
    try {
      parseDatabaseUrl(url);
    } catch (err) {
      expect((err as Error).message).not.toMatch(/se\/cr|cret|secret/);
    }
  });
});
