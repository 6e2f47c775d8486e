import type { RedisConnections } from '@shop/redis';
import ms, { type StringValue } from 'ms';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('README options table', () => {
  it('states the defaults resolveSessionsOptions() applies', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Options'), readme.indexOf('## Key layout'));
    const rows = new Map(
      [...table.matchAll(/^\| `(\w+)`\s*\| ([^|]+?)\s*\|/gm)].map((m) => [m[1], m[2]] as [string, string]),
    );
    const resolved = resolveSessionsOptions({ connections });
    const durations = {
      idleTtl: 'idleTtlMs',
      absoluteTtl: 'absoluteTtlMs',
      tombstoneTtl: 'tombstoneTtlMs',
    } as const;
    for (const [option, field] of Object.entries(durations)) {
      expect(ms((rows.get(option) ?? '').replace(/[`']/g, '') as StringValue)).toBe(resolved[field]);
    }
    expect(rows.get('touchAfter')).toBe(`\`${resolved.touchAfter}\``);
    expect(rows.get('listLimit')).toBe(`\`${resolved.listLimit}\``);
    expect(rows.get('area')).toBe(`\`'${resolved.area}'\``);
    expect(rows.get('authField')).toBe(`\`'${resolved.authField}'\``);
    expect(rows.get('connections')).toBe('required');
  });
});
