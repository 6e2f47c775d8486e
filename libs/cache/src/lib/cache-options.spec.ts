import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DEFAULTS, resolveCacheOptions, type CacheOptions } from './cache-options';

/** The rows of the README's `new Cache(options)` table: option -> default cell. */
function readmeOptions(): Map<string, string> {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const section = readme.split('## Options (`new Cache(options)`')[1]?.split('\n## ')[0] ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`(\w+)`$/.exec(cells[1] ?? '')?.[1];
    if (name) rows.set(name, cells[2]);
  }
  return rows;
}

/** How the README writes a default: strings quoted, numbers plain, both in backticks. */
const shown = (value: string | number | boolean) =>
  typeof value === 'string' ? `\`'${value}'\`` : `\`${String(value)}\``;

describe('cache options', () => {
  it('the README options table lists every option with its default from CACHE_DEFAULTS', () => {
    const rows = readmeOptions();
    for (const [option, value] of Object.entries(CACHE_DEFAULTS)) {
      expect({ option, readme: rows.get(option) }).toEqual({ option, readme: shown(value) });
    }
    const documented = [...rows.keys()].filter((o) => !(o in CACHE_DEFAULTS));
    expect(documented.sort()).toEqual(['connections', 'registry']); // the two without a plain default
  });

  it('resolves every default from CACHE_DEFAULTS', () => {
    const resolved = resolveCacheOptions({ connections: {} as CacheOptions['connections'] });
    expect(resolved).toMatchObject({
      name: CACHE_DEFAULTS.name,
      ttlMs: 300_000,
      l1TtlMs: 60_000,
      graceMs: 600_000,
      jitter: CACHE_DEFAULTS.jitter,
      maxEntryBytes: CACHE_DEFAULTS.maxEntryBytes,
      softTimeoutMs: 1000,
      hardTimeoutMs: 10_000,
      lockTimeoutMs: 3000,
      breakerCooldownMs: 5000,
      serverAssistedInvalidation: false,
      copyOnRead: false,
    });
  });
});
