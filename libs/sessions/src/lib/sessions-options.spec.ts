import type { RedisConnections } from '@shop/redis';
import { resolveSessionsOptions } from './sessions-options';

const connections = {} as RedisConnections;

describe('resolveSessionsOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveSessionsOptions({ connections })).toEqual({
      connections,
      idleTtlMs: 30 * 60_000,
      absoluteTtlMs: 12 * 3_600_000,
      touchAfter: 0.1,
      tombstoneTtlMs: 5 * 60_000,
      listLimit: 50,
      area: 'sess',
      authField: 'auth',
    });
  });

  it('accepts ms strings and numbers', () => {
    const o = resolveSessionsOptions({ connections, idleTtl: '10m', absoluteTtl: 5000, tombstoneTtl: '1s' });
    expect([o.idleTtlMs, o.absoluteTtlMs, o.tombstoneTtlMs]).toEqual([600_000, 5000, 1000]);
  });

  it('rejects nonsense', () => {
    expect(() => resolveSessionsOptions({ connections, idleTtl: 0 })).toThrow(/idleTtl/);
    expect(() => resolveSessionsOptions({ connections, touchAfter: 1 })).toThrow(/touchAfter/);
    expect(() => resolveSessionsOptions({ connections, listLimit: 0 })).toThrow(/listLimit/);
  });
});
