import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readMetric } from '../src';

describe('readMetric', () => {
  it('sums the series of one metric that carry the labels, and reads 0 for one that is absent', async () => {
    const body = [
      '# HELP reads_total Reads',
      '# TYPE reads_total counter',
      'reads_total{path="product",service="orders"} 3',
      'reads_total{path="order",service="orders"} 4',
      'reads_total_extra{path="product"} 100',
      'gauge_plain 7',
    ].join('\n');
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await readMetric(url, 'reads_total')).toBe(7);
      expect(await readMetric(url, 'reads_total', 'path="product"')).toBe(3);
      expect(await readMetric(url, 'gauge_plain')).toBe(7);
      expect(await readMetric(url, 'missing_total')).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
