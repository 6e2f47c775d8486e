import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from './service-process';

/**
 * Prints a benchmark's markdown table and writes it, with the raw rows, to
 * `reports/bench-<name>.md` and `.json` (the files the READMEs quote).
 */
export function writeBenchReport(name: string, markdown: string, rows: unknown): void {
  process.stdout.write(`\n${markdown}\n`);
  const dir = join(workspaceRoot(), 'reports');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `bench-${name}.md`), `${markdown}\n`);
  writeFileSync(join(dir, `bench-${name}.json`), JSON.stringify(rows, null, 2));
}

/** Runs a benchmark's main and exits 1 with the stack if it fails. */
export function runBench(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
