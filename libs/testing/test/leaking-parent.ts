// Started by child-registry.spec.ts: starts a long-running child, registers it, prints its pid and
// exits without stopping it (what a Jest worker does after a suite that failed half-way).
import { spawn } from 'node:child_process';
import { trackChild } from '../src/lib/child-registry';

const child = trackChild(spawn('sleep', ['60'], { stdio: 'ignore' }));
process.stdout.write(`child:${child.pid}\n`);
setTimeout(() => process.exit(0), 50);
