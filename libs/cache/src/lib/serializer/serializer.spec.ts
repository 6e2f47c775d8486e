import { deserialize, serialize } from './serializer';

describe('serializer', () => {
  it.each([
    ['Date', new Date('2026-11-28T10:00:00.123Z')],
    ['BigInt', 12345678901234567890n],
    [
      'Map',
      new Map<unknown, unknown>([
        ['a', 1],
        [2, { b: new Date(0) }],
      ]),
    ],
    ['Set', new Set([1, 'two', 3n])],
    ['Buffer', Buffer.from([0, 1, 2, 255])],
    ['Uint8Array', new Uint8Array([9, 8, 7])],
    ['undefined', undefined],
    ['null', null],
    ['NaN and Infinity', [NaN, Infinity, -Infinity]],
    [
      'nested',
      { when: new Date(5), tags: new Set(['x']), big: [1n, { deep: new Map([['k', Buffer.from('v')]]) }] },
    ],
    ['an object with a $t key', { $t: 'Date', v: 'not a date' }],
  ])('round-trips %s exactly', (_name, value) => {
    expect(deserialize(serialize(value))).toEqual(value);
  });

  it('keeps an invalid Date invalid', () => {
    const back = deserialize<Date>(serialize(new Date(NaN)));
    expect(back).toBeInstanceOf(Date);
    expect(Number.isNaN(back.getTime())).toBe(true);
  });

  it('keeps types, not just shapes', () => {
    const back = deserialize<{ d: Date; b: bigint; m: Map<string, number>; buf: Buffer; u8: Uint8Array }>(
      serialize({
        d: new Date(1),
        b: 1n,
        m: new Map([['a', 1]]),
        buf: Buffer.from('x'),
        u8: new Uint8Array([1]),
      }),
    );
    expect(back.d).toBeInstanceOf(Date);
    expect(typeof back.b).toBe('bigint');
    expect(back.m).toBeInstanceOf(Map);
    expect(Buffer.isBuffer(back.buf)).toBe(true);
    expect(back.u8).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(back.u8)).toBe(false);
  });

  it('writes plain values with JSON.stringify alone, byte for byte what the replacer path wrote', () => {
    const deep: unknown[] = [];
    let cur = deep;
    for (let i = 0; i < 40; i++) cur.push((cur = [])); // deeper than the walk goes: the replacer's path
    const values = [
      { id: 42, name: 'Ada', tags: ['a', 'b'], total: 1.5, ok: false, none: null },
      [],
      {},
      'text with "quotes" and ünïcödé',
      -0,
      Object.assign(Object.create(null) as object, { a: 1 }),
      deep,
    ];
    for (const value of values) expect(serialize(value)).toBe(`{"j":${JSON.stringify(value)}}`);
  });

  it('leaves what JSON.stringify alone would change to the replacer: holes, toJSON, classes, cycles', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holes = [1, , 3];
    expect(serialize(holes).startsWith('{"x":')).toBe(true);
    expect(deserialize(serialize(holes))).toEqual([1, undefined, 3]);
    const withToJson = { toJSON: () => 'replaced' };
    expect(deserialize(serialize({ v: withToJson }))).toEqual({ v: 'replaced' });
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    expect(deserialize(serialize(new Point(1, 2)))).toEqual({ x: 1, y: 2 });
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => serialize(cycle)).toThrow(TypeError);
  });

  it('reads back a Date from a toJSON the fast path cannot see (non-enumerable, or on an array), as the replacer path does', () => {
    const at = new Date(0);
    // A non-enumerable toJSON (for...in skips it) and an array's own toJSON: JSON.stringify calls both.
    const hiddenToJson = Object.defineProperty({ x: 1 }, 'toJSON', { value: () => ({ at }) });
    const arrayToJson = Object.assign([1], { toJSON: () => ({ at }) });
    for (const value of [hiddenToJson, arrayToJson]) {
      expect(deserialize<{ at: Date }>(serialize(value)).at).toEqual(at);
    }
  });

  it('writes plain JSON values in the reviver-free form and tagged ones in the tagged form', () => {
    const plain = { id: 1, name: 'a', list: [1, 'b', null], nested: { ok: true } };
    expect(serialize(plain).startsWith('{"j":')).toBe(true);
    expect(deserialize(serialize(plain))).toEqual(plain);
    for (const tagged of [{ at: new Date(0) }, [undefined], { $t: 'user data' }, { n: NaN }]) {
      expect(serialize(tagged).startsWith('{"x":')).toBe(true);
      expect(deserialize(serialize(tagged))).toEqual(tagged);
    }
    // Entries written before the plain form existed still read back.
    expect(deserialize('{"x":{"a":1}}')).toEqual({ a: 1 });
  });
});
