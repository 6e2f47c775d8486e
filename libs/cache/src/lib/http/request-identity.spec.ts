import type { Request } from 'express';
import { carriesUser, defaultIdentify, identityOf } from './request-identity';

const req = (fields: Record<string, unknown>) => fields as unknown as Request;

describe('defaultIdentify', () => {
  it.each([
    [{ user: { id: 7 } }, 7],
    [{ user: { userId: 'u1' } }, 'u1'],
    [{ user: { sub: 'auth0|1' } }, 'auth0|1'],
    [{ user: { _id: 'm1' } }, 'm1'],
    [{ user: { id: 'a', userId: 'b' } }, 'a'],
    [{ session: { userId: 's1' } }, 's1'],
    [{ user: { email: 'x' }, session: { userId: 's1' } }, 's1'],
    [{ user: { email: 'x' } }, undefined],
    [{}, undefined],
  ])('%p -> %p', (fields, id) => {
    expect(defaultIdentify(req(fields))).toBe(id);
  });
});

describe('carriesUser', () => {
  it.each([{ user: {} }, { user: 'alice' }, { user: { email: 'x' } }, { session: { userId: 0 } }])(
    'is true for %p',
    (fields) => {
      expect(carriesUser(req(fields))).toBe(true);
    },
  );

  it.each([
    {},
    { user: undefined },
    { user: null },
    { user: false },
    { session: {} },
    { session: { userId: null } },
  ])('is false for %p', (fields) => {
    expect(carriesUser(req(fields))).toBe(false);
  });
});

describe('identityOf', () => {
  class ObjectIdLike {
    constructor(private readonly hex: string) {}
    toString(): string {
      return this.hex;
    }
  }

  it('turns strings, finite numbers, bigints and toString()-able ids into one string form', () => {
    expect(identityOf('alice')).toBe('alice');
    expect(identityOf(7)).toBe('7');
    expect(identityOf(7n)).toBe('7');
    expect(identityOf(new ObjectIdLike('65f0c0ffee'))).toBe('65f0c0ffee');
  });

  it.each([
    ['an empty string', ''],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a plain object', { id: 1 }],
    ['an array', ['a']],
    ['a function', () => 'a'],
    ['a boolean', true],
    ['null', null],
    ['undefined', undefined],
    ['an object stringifying to nothing', new ObjectIdLike('')],
  ])('refuses %s', (_name, value) => {
    expect(identityOf(value)).toBeUndefined();
  });
});
