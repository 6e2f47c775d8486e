import { InvalidKeyPartError, KeyBuilder } from './key-builder';

describe('KeyBuilder', () => {
  const keys = new KeyBuilder('shop');

  it('joins prefix, area and parts', () => {
    expect(keys.key('order', 42, 'items')).toBe('shop:order:42:items');
  });

  it('puts a Cluster hash tag in braces', () => {
    expect(keys.tagged('lb', 'week-2026-48', 'spend')).toBe('shop:lb:{week-2026-48}:spend');
  });

  it('builds SCAN patterns that only widen at the end', () => {
    expect(keys.pattern('cache', 'users')).toBe('shop:cache:users:*');
  });

  it.each(['a*b', 'x?', '[abc]', '{tag}', 'a:b', 'with space', 'line\nbreak', '', 'x'.repeat(201)])(
    'refuses the part %j',
    (part) => {
      expect(() => keys.key('order', part)).toThrow(InvalidKeyPartError);
      expect(KeyBuilder.isValidPart(part)).toBe(false);
    },
  );

  it('refuses bad areas and prefixes', () => {
    expect(() => keys.key('Order', 1)).toThrow(InvalidKeyPartError);
    expect(() => new KeyBuilder('a b')).toThrow(InvalidKeyPartError);
    expect(() => keys.key('order', Number.NaN)).toThrow(InvalidKeyPartError);
  });
});
