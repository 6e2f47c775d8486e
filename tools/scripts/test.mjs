#!/usr/bin/env node
// `npm test`: builds the services (the e2e suites run the built code as separate processes), runs every
// Jest project of the workspace in one Jest process with JSON output, and prints the closing count line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' };
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' }).status ?? 1;

if (!process.env.SKIP_BUILD) {
  console.log('> building services for the e2e suites');
  if (
    run('npx', [
      'nx',
      'run-many',
      '-t',
      'build',
      '-p',
      'gateway',
      'orders',
      'notifications',
      '--output-style=static',
    ]) !== 0
  ) {
    console.error('build failed');
    process.exit(1);
  }
}
if (!process.env.TEST_DATABASE_URL) {
  console.log(
    '! TEST_DATABASE_URL is not set: PostgreSQL cases will be reported as skipped (set it to postgres://postgres@127.0.0.1:5432/test to run them)',
  );
}

mkdirSync(join(root, 'reports'), { recursive: true });
const report = join(root, 'reports', 'jest.json');
const code = run('npx', [
  'jest',
  '--json',
  `--outputFile=${report}`,
  '--maxWorkers=2',
  ...process.argv.slice(2),
]);

if (!existsSync(report)) {
  console.error('0 passed, 1 failed (jest wrote no report)');
  process.exit(code || 1);
}
const result = JSON.parse(readFileSync(report, 'utf8'));
const failedSuites = result.testResults.filter(
  (s) => s.status === 'failed' && s.assertionResults.length === 0,
);
for (const suite of failedSuites) console.error(`suite failed to run: ${suite.name}\n${suite.message}`);
const failed = result.numFailedTests + failedSuites.length;
console.log(
  `${result.numPassedTests} passed, ${failed} failed, ${result.numPendingTests + result.numTodoTests} skipped`,
);
process.exit(code !== 0 || failed > 0 ? 1 : 0);
