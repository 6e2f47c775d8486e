// A tiny TS program started by service-process.spec.ts through ts-node with the path aliases.
import { KeyBuilder } from '@shop/redis';

process.stdout.write(`${new KeyBuilder('fx').key('area', process.env['FIXTURE_ID'] ?? 'none')}\n`);
process.on('SIGTERM', () => {
  process.stdout.write('draining\n');
  process.exit(0);
});
setInterval(() => undefined, 1000);
