import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveWriteBehindOptions, type WriteBehindOptions } from './write-behind-options';

// The README's write-behind options table is what users read: its defaults must be the code's.
describe('write-behind options', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  // The first table after the fencing contract is the write-behind options table (others follow it).
  const after = readme.slice(readme.indexOf('**Fencing contract.**')).split('\n');
  const first = after.findIndex((line) => line.startsWith('|'));
  const length = after.slice(first).findIndex((line) => !line.startsWith('|'));
  const section = after.slice(first, length === -1 ? undefined : first + length).join('\n');
  const rows = [...section.matchAll(/^\| `(\w+)`\s*\| `(\d+)`\s*\|/gm)].map(([, name, value]) => [
    name,
    Number(value),
  ]);

  it('the README table states every numeric default the code applies', () => {
    const resolved = resolveWriteBehindOptions({
      persist: async () => undefined,
    } as unknown as WriteBehindOptions<unknown>) as unknown as Record<string, unknown>;
    const numeric = Object.entries(resolved).filter(([, v]) => typeof v === 'number');
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(numeric));
  });

  it('refuses a delivery limit below 1', () => {
    expect(() =>
      resolveWriteBehindOptions({ maxDeliveries: 0 } as unknown as WriteBehindOptions<unknown>),
    ).toThrow('maxDeliveries');
  });
});
