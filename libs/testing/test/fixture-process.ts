// A tiny TS program started by service-process.spec.ts through ts-node: typed code runs as its own process.
import { sleep } from '../src/lib/wait-for';

const id: string = process.env['FIXTURE_ID'] ?? 'none';
// The handler before the line the test waits for: until a listener exists, a SIGTERM takes the default
// action (the process dies by the signal, code null), and the test sends it as soon as it sees the line.
process.on('SIGTERM', () => {
  process.stdout.write('draining\n');
  void sleep(10).then(() => process.exit(0));
});
process.stdout.write(`fx:area:${id}\n`);
setInterval(() => undefined, 1000);
