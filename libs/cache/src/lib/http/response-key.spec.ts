import { responseKey, type ResponseKeyParts } from './response-key';

const base: ResponseKeyParts = { route: '/items', query: {}, keyQuery: [], ignoreQuery: [/^utm_/] };
const keyOf = (parts: Partial<ResponseKeyParts>) => responseKey({ ...base, ...parts });

describe('responseKey', () => {
  it('is the route alone without params or query', () => {
    expect(keyOf({})).toEqual({ key: 'http:/items' });
  });

  it('sorts allow-listed query parameters and keeps the order of repeated values', () => {
    const a = keyOf({ keyQuery: ['sort', 'page'], query: { sort: 'asc', page: '2' } });
    const b = keyOf({ keyQuery: ['page', 'sort'], query: { page: '2', sort: 'asc' } });
    expect(a).toEqual({ key: 'http:/items;q=page=2&sort=asc' });
    expect(b).toEqual(a);
    expect(keyOf({ keyQuery: ['tag'], query: { tag: ['b', 'a'] } })).toEqual({
      key: 'http:/items;q=tag=b,a',
    });
  });

  it('bypasses an unlisted parameter, ignores a listed tracking one', () => {
    expect(keyOf({ keyQuery: ['page'], query: { page: '1', junk: 'x' } })).toEqual({ bypass: 'query' });
    expect(keyOf({ keyQuery: ['page'], query: { page: '1', utm_source: 'mail' } })).toEqual({
      key: 'http:/items;q=page=1',
    });
  });

  it('bypasses a value it cannot represent (a nested object from an extended query parser)', () => {
    expect(keyOf({ keyQuery: ['f'], query: { f: { a: '1' } } })).toEqual({ bypass: 'query' });
  });

  it('keeps params, values and users apart: separators never come from input', () => {
    const keys = [
      keyOf({ route: '/search/:term', params: { term: 'a;q=x' } }),
      keyOf({ route: '/search/:term', params: { term: 'a' }, keyQuery: ['x'], query: { x: '' } }),
      keyOf({ route: '/search/:term', params: { term: 'a,b' } }),
      keyOf({ route: '/search/:term', params: { term: ['a', 'b'] } }),
      keyOf({ route: '/me', user: null }),
      keyOf({ route: '/me', user: 'anon' }),
      keyOf({ route: '/me', user: ';anon' }),
      keyOf({ route: '/me' }),
    ].map((k) => ('key' in k ? k.key : k.bypass));
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_.:/=&%@+,;-]{1,512}$/);
  });

  it('puts the variant label after the query, encoded so it cannot forge a separator', () => {
    expect(keyOf({ keyQuery: ['page'], query: { page: '1' }, variant: 'admin' })).toEqual({
      key: 'http:/items;q=page=1;v=admin',
    });
    expect(keyOf({ variant: '1e+21' })).toEqual({ key: 'http:/items;v=1e%2B21' });
    const keys = [
      keyOf({}),
      keyOf({ variant: 'admin' }),
      keyOf({ variant: 'public' }),
      keyOf({ variant: 'a;u=x' }),
      keyOf({ variant: 'a', user: 'x' }),
      keyOf({ keyQuery: ['v'], query: { v: 'admin' } }),
    ].map((k) => ('key' in k ? k.key : k.bypass));
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_.:/=&%@+,;-]{1,512}$/);
  });

  it('encodes what the key grammar refuses', () => {
    expect(keyOf({ route: '/s/:t', params: { t: "é~!'()* " } })).toEqual({
      key: 'http:/s/%3At;p=t=%C3%A9%7E%21%27%28%29%2A%20',
    });
  });

  it('bypasses a key longer than the cache accepts', () => {
    expect(keyOf({ route: '/s/:t', params: { t: 'x'.repeat(600) } })).toEqual({ bypass: 'key-too-long' });
  });
});
