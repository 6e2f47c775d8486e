import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { CreateOrderDto, CreateProductDto, ListOrdersDto, canTransition, ORDER_STATUSES } from '../index';

// The options of the services' global ValidationPipe (libs/platform), so these cases mean what a
// service answers.
const strict = { whitelist: true, forbidNonWhitelisted: true };
const caller = { userId: 'alice', role: 'customer' };

async function problems<T extends object>(cls: new () => T, body: unknown): Promise<string[]> {
  const errors = await validate(plainToInstance(cls, body) as object, strict);
  const flat = (e: ValidationError, path: string): string[] => [
    ...Object.values(e.constraints ?? {}).map((m) => `${path}${e.property}: ${m}`),
    ...(e.children ?? []).flatMap((c) => flat(c, `${path}${e.property}.`)),
  ];
  return errors.flatMap((e) => flat(e, ''));
}

describe('order and product payloads', () => {
  const good = { caller, idempotencyKey: 'key-00000001', items: [{ sku: 'MUG-1', quantity: 2 }] };

  it('accepts a well-formed create', async () => {
    expect(await problems(CreateOrderDto, good)).toEqual([]);
  });

  it.each([
    [
      'a client-supplied price',
      { ...good, items: [{ sku: 'MUG-1', quantity: 1, unitPrice: 1 }] },
      /unitPrice should not exist/,
    ],
    [
      'a zero quantity',
      { ...good, items: [{ sku: 'MUG-1', quantity: 0 }] },
      /quantity must not be less than 1/,
    ],
    ['a negative quantity', { ...good, items: [{ sku: 'MUG-1', quantity: -3 }] }, /quantity/],
    [
      'a string quantity',
      { ...good, items: [{ sku: 'MUG-1', quantity: '2' }] },
      /quantity must be an integer/,
    ],
    ['an odd sku', { ...good, items: [{ sku: 'mug 1', quantity: 1 }] }, /sku must match/],
    ['an unknown field', { ...good, discount: 50 }, /discount should not exist/],
    ['no caller', { idempotencyKey: good.idempotencyKey, items: good.items }, /caller/],
    ['a caller that is an empty array', { ...good, caller: [] }, /caller must be an object/],
    ['a caller that is an array of callers', { ...good, caller: [caller] }, /caller must be an object/],
    ['an admin role forged as superuser', { ...good, caller: { userId: 'x', role: 'root' } }, /role/],
    [
      '10,000 items',
      { ...good, items: Array.from({ length: 10_000 }, () => ({ sku: 'MUG-1', quantity: 1 })) },
      /items must contain no more than 100 elements/,
    ],
    ['no items', { ...good, items: [] }, /items must contain at least 1 elements/],
  ])('refuses %s, naming the problem', async (_name, body, expected) => {
    expect((await problems(CreateOrderDto, body)).join('\n')).toMatch(expected);
  });

  it('bounds prices to integer cents 1..10,000,000', async () => {
    const base = { caller, sku: 'MUG-1', name: 'Mug' };
    expect(await problems(CreateProductDto, { ...base, price: 1 })).toEqual([]);
    expect(await problems(CreateProductDto, { ...base, price: 10_000_000 })).toEqual([]);
    for (const price of [0, 10_000_001, 1.5, '100'])
      expect((await problems(CreateProductDto, { ...base, price })).join()).toMatch(/price/);
  });

  it('bounds list page sizes and statuses', async () => {
    expect(await problems(ListOrdersDto, { caller, limit: 100, status: 'paid' })).toEqual([]);
    expect((await problems(ListOrdersDto, { caller, limit: 101 })).join()).toMatch(/limit/);
    expect((await problems(ListOrdersDto, { caller, status: 'lost' })).join()).toMatch(/status/);
  });
});

describe('the status machine', () => {
  it('allows exactly pending->paid->shipped->delivered and cancelled from pending or paid', () => {
    const allowed = ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'paid->cancelled',
        'paid->shipped',
        'pending->cancelled',
        'pending->paid',
        'shipped->delivered',
      ].sort(),
    );
  });
});
