// A tiny TS program started by service-process.spec.ts through ts-node: typed code runs as its own process.
import { sleep } from '../src/lib/wait-for';

const id: string = process.env['FIXTURE_ID'] ?? 'none';
process.stdout.write(`fx:area:${id}\n`);
process.on('SIGTERM', () => {
  process.stdout.write('draining\n');
  void sleep(10).then(() => process.exit(0));
});
setInterval(() => undefined, 1000);
