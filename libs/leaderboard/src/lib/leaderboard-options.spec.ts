import type { RedisConnections } from '@shop/redis';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveLeaderboardOptions } from './leaderboard-options';

const connections = { options: { commandTimeoutMs: 500 } } as RedisConnections;
const DAY = 86_400_000;

describe('resolveLeaderboardOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveLeaderboardOptions({ connections, name: 'customers-by-spend' })).toMatchObject({
      area: 'lb',
      markerTtlMs: 7 * DAY,
      dayGraceMs: 7 * DAY,
      weekGraceMs: 28 * DAY,
      rebuildTtlMs: 600_000,
      timeoutMs: 500,
      clock: Date.now,
    });
  });

  it('takes durations as ms strings or milliseconds', () => {
    const o = resolveLeaderboardOptions({
      connections,
      name: 'b',
      markerTtl: '1h',
      dayGrace: 0,
      timeout: 150,
    });
    expect([o.markerTtlMs, o.dayGraceMs, o.timeoutMs]).toEqual([3600_000, 0, 150]);
  });

  it('refuses bad names and durations', () => {
    expect(() => resolveLeaderboardOptions({ connections, name: 'Spend' })).toThrow(
      /invalid leaderboard name/,
    );
    expect(() => resolveLeaderboardOptions({ connections, name: 'a{b}' })).toThrow(
      /invalid leaderboard name/,
    );
    expect(() => resolveLeaderboardOptions({ connections, name: 'b', weekGrace: -1 })).toThrow(/weekGrace/);
    expect(() => resolveLeaderboardOptions({ connections, name: 'b', rebuildTtl: 0 })).toThrow(/rebuildTtl/);
  });
});

describe('README options table', () => {
  // The README is what users read; its defaults must be the ones the code applies.
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const documented = (option: string) =>
    new RegExp(`^\\| \`${option}\` +\\| ([^|]+) \\|`, 'm').exec(readme)?.[1].trim();

  it('states the defaults resolveLeaderboardOptions applies', () => {
    const o = resolveLeaderboardOptions({ connections, name: 'b' });
    expect(documented('area')).toBe(`\`'${o.area}'\``);
    expect(documented('markerTtl')).toBe(`\`'${o.markerTtlMs / DAY}d'\``);
    expect(documented('dayGrace')).toBe(`\`'${o.dayGraceMs / DAY}d'\``);
    expect(documented('weekGrace')).toBe(`\`'${o.weekGraceMs / DAY}d'\``);
    expect(documented('rebuildTtl')).toBe(`\`'${o.rebuildTtlMs / 60_000}m'\``);
    expect(documented('timeout')).toBe("connections' `commandTimeoutMs`");
    expect(o.timeoutMs).toBe(connections.options.commandTimeoutMs);
    expect(documented('clock')).toBe('`Date.now`');
  });
});
