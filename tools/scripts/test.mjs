#!/usr/bin/env node
// `npm test`: builds the services (the e2e suites run the built code as separate processes), runs every
// Jest project of the workspace in one Jest process with JSON output, and prints the closing count line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
// Written when Jest hung after its report: .ci/run counts it as a failure.
const hungMarker = join(root, 'reports', 'jest-hung.txt');
rmSync(report, { force: true });
rmSync(hungMarker, { force: true });
const code = await runJest(['--json', `--outputFile=${report}`, '--maxWorkers=2', ...process.argv.slice(2)]);

if (!existsSync(report)) {
  console.error('0 passed, 1 failed (jest wrote no report)');
  process.exit(code || 1);
}
const result = JSON.parse(readFileSync(report, 'utf8'));
const failedSuites = result.testResults.filter(
  (s) => s.status === 'failed' && s.assertionResults.length === 0,
);
for (const suite of failedSuites) console.error(`suite failed to run: ${suite.name}\n${suite.message}`);
const failed = result.numFailedTests + failedSuites.length + (code !== 0 && result.success ? 1 : 0);
console.log(
  `${result.numPassedTests} passed, ${failed} failed, ${result.numPendingTests + result.numTodoTests} skipped`,
);
process.exit(code !== 0 || failed > 0 ? 1 : 0);

/**
 * Jest in its own process group. Once it has written its report it has nothing left to do: if it is
 * still running a minute later, something a test started is holding it (a server left running shares
 * its output pipes). Rather than wait for CI's time limit, the group is killed and the run fails,
 * naming the cause.
 */
function runJest(args) {
  return new Promise((resolve) => {
    const jest = spawn('npx', ['jest', ...args], { cwd: root, env, stdio: 'inherit', detached: true });
    const graceMs = 60_000;
    let reportedAt = 0;
    const watch = setInterval(() => {
      if (!reportedAt && existsSync(report)) reportedAt = Date.now();
      if (reportedAt && Date.now() - reportedAt > graceMs) {
        console.error(
          `jest did not exit ${graceMs / 1000} s after writing its report: a test left a process or handle open; killing it`,
        );
        hung = true;
        writeFileSync(hungMarker, 'jest did not exit after writing its report\n');
        try {
          process.kill(-jest.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, 1000);
    let hung = false;
    // Its own group no longer gets the terminal's Ctrl-C: pass it on.
    const interrupt = () => process.kill(-jest.pid, 'SIGINT');
    process.on('SIGINT', interrupt);
    jest.on('exit', (status) => {
      process.off('SIGINT', interrupt);
      clearInterval(watch);
      resolve(hung ? 1 : (status ?? 1));
    });
  });
}
