import type { RedisConnections } from '@shop/redis';
import { resolveRateLimitOptions } from './rate-limit.module-definition';

const connections = {} as RedisConnections;

describe('resolveRateLimitOptions', () => {
  it('fills the documented defaults', () => {
    const o = resolveRateLimitOptions({ connections, policies: [{ name: 'api', limit: 600, window: '1m' }] });
    expect(o).toMatchObject({
      area: 'rl',
      timeoutMs: 200,
      breakerThreshold: 3,
      breakerCooldownMs: 2000,
      localMaxKeys: 10_000,
      name: 'default',
    });
    expect(o.policies.get('api')).toEqual({
      name: 'api',
      limit: 600,
      windowMs: 60_000,
      mode: 'counter',
      onRedisDown: 'local',
    });
  });

  it('refuses bad policies at start-up', () => {
    const bad = (policy: object) => () =>
      resolveRateLimitOptions({ connections, policies: [policy as never] });
    expect(bad({ name: 'API', limit: 1, window: 1000 })).toThrow(/name/);
    expect(bad({ name: 'a', limit: 0, window: 1000 })).toThrow(/limit/);
    expect(bad({ name: 'a', limit: 1, window: '1 fortnight' })).toThrow(/duration/);
    expect(() =>
      resolveRateLimitOptions({
        connections,
        policies: [
          { name: 'a', limit: 1, window: 1 },
          { name: 'a', limit: 2, window: 1 },
        ],
      }),
    ).toThrow(/duplicate/);
  });
});

describe('README options table', () => {
  // The README is the documentation users read; its defaults must be the ones the code applies.
  const readme = require('node:fs').readFileSync(
    require('node:path').join(__dirname, '../../README.md'),
    'utf8',
  ) as string;
  const documented = (option: string) =>
    new RegExp(`^\\| \`${option}\` +\\| ([^|]+) \\|`, 'm').exec(readme)?.[1].trim();

  it('states the defaults resolveRateLimitOptions applies', () => {
    const o = resolveRateLimitOptions({ connections });
    expect(documented('area')).toBe(`\`'${o.area}'\``);
    expect(documented('timeout')).toBe(`\`${o.timeoutMs}\` (ms)`);
    expect(documented('breakerThreshold')).toBe(`\`${o.breakerThreshold}\``);
    expect(documented('breakerCooldown')).toBe(`\`'${o.breakerCooldownMs / 1000}s'\``);
    expect(documented('localMaxKeys')).toBe('`10_000`');
    expect(o.localMaxKeys).toBe(10_000);
    expect(documented('name')).toBe(`\`'${o.name}'\``);
    expect(documented('policies')).toBe('`[]`');
  });
});
