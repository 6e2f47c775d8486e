import { CacheKeys, namespaceTag, tagKeyPart } from './cache-keys';

describe('CacheKeys', () => {
  const keys = new CacheKeys('shop:cache:orders');

  it('accepts tags with ":" such as order:<id> and customer:<id>:orders', () => {
    expect(keys.tags({ tags: ['order:ord_1', 'customer:u-7:orders'] })).toEqual([
      'order:ord_1',
      'customer:u-7:orders',
    ]);
  });

  it('refuses tags with glob, brace, separator or whitespace characters, and over 128 characters', () => {
    for (const bad of ['a*', 'a?', '{a}', 'ns|catalog', 'a b', '', 'x'.repeat(129)])
      expect(() => keys.tags({ tags: [bad] })).toThrow(/invalid tag/);
  });

  it('keeps namespaces to [A-Za-z0-9_.-], so no tag can stand for a namespace version', () => {
    expect(() => keys.full('item-1', 'cat:alog')).toThrow(/invalid namespace/);
    expect(namespaceTag('catalog')).toBe('ns|catalog');
  });

  it('maps a tag to a key part one-to-one, never onto a namespace counter', () => {
    expect(tagKeyPart('customer:u-7:orders')).toBe('customer/u-7/orders');
    expect(tagKeyPart('ns:catalog')).not.toBe(namespaceTag('catalog'));
  });
});
