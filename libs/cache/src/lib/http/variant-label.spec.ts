import type { Request } from 'express';
import { variantLabel, type VariantOf } from './variant-label';

const req = {} as Request;
const of = (value: unknown) => variantLabel((() => value) as VariantOf, req);

describe('variantLabel', () => {
  it.each(['admin', 'public', 'tier-2', 'v1.2_b', 'x'.repeat(32)])('takes the label %p as it is', (label) => {
    expect(of(label)).toEqual({ kind: 'label', label });
  });

  it('takes a finite number as its decimal text (7 and "7" are one label)', () => {
    expect(of(7)).toEqual({ kind: 'label', label: '7' });
    expect(of(-1.5)).toEqual({ kind: 'label', label: '-1.5' });
    expect(of('7')).toEqual(of(7));
  });

  it('tells "no variant" (null, undefined) apart from an unusable answer', () => {
    expect(of(undefined)).toEqual({ kind: 'none' });
    expect(of(null)).toEqual({ kind: 'none' });
  });

  it.each([
    ['a separator', 'a;v=admin'],
    ['an encoded separator', 'a%3Bv'],
    ['CR/LF', 'admin\r\nX-Evil: 1'],
    ['a space', 'has space'],
    ['33 characters', 'x'.repeat(33)],
    ['the empty string', ''],
    ['non-ASCII', 'ädmin'],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['an object', { role: 'admin' }],
    ['an array', ['admin']],
    ['a boolean', true],
    ['a bigint', 1n],
  ])('refuses %s', (_name, value) => {
    expect(of(value)).toEqual({ kind: 'unusable' });
  });

  it('a function that throws gives no label (fail closed)', () => {
    const throwing: VariantOf = () => {
      throw new Error('cannot tell');
    };
    expect(variantLabel(throwing, req)).toEqual({ kind: 'unusable' });
  });
});
