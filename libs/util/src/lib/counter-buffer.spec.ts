import { Counter, Registry } from 'prom-client';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { collectBuffered, CounterBuffer } from './counter-buffer';

describe('CounterBuffer', () => {
  function counter(registry: Registry) {
    return new Counter({
      name: 'things_total',
      help: 'things',
      labelNames: ['outcome'],
      registers: [registry],
      collect() {
        collectBuffered(this);
      },
    });
  }

  it('a scrape reads exactly what was counted, from every buffer of the counter', async () => {
    const registry = new Registry();
    const c = counter(registry);
    const a = new CounterBuffer(c);
    const b = new CounterBuffer(c);
    const ok = a.child({ outcome: 'ok' });
    for (let i = 0; i < 5; i++) ok.inc();
    b.child({ outcome: 'ok' }).inc(2);
    b.child({ outcome: 'no' }).inc();
    const text = await registry.metrics();
    expect(text).toContain('things_total{outcome="ok"} 7');
    expect(text).toContain('things_total{outcome="no"} 1');
    ok.inc();
    expect(await registry.metrics()).toContain('things_total{outcome="ok"} 8'); // nothing counted twice
  });

  it('keeps counting through a child whose buffer is no longer referenced (garbage collected)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const registry = new Registry();
    const ok = new CounterBuffer(counter(registry)).child({ outcome: 'ok' }); // the documented use
    for (let round = 0; round < 3; round++) {
      await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds within one job only
      gc();
    }
    ok.inc(3);
    expect(await registry.metrics()).toContain('things_total{outcome="ok"} 3');
  });

  it('counts nothing from before registry.resetMetrics() or counter.reset(), scraped or not', async () => {
    const registry = new Registry();
    const c = counter(registry);
    const ok = new CounterBuffer(c).child({ outcome: 'ok' });
    ok.inc(4); // not scraped yet
    registry.resetMetrics();
    ok.inc();
    expect(await registry.metrics()).toContain('things_total{outcome="ok"} 1');
    ok.inc(2);
    c.reset();
    ok.inc();
    expect(await registry.metrics()).toContain('things_total{outcome="ok"} 1');
  });

  it('leaves the counter alone without buffers, and keeps direct increments', async () => {
    const registry = new Registry();
    const c = counter(registry);
    c.inc({ outcome: 'ok' }, 3);
    expect(await registry.metrics()).toContain('things_total{outcome="ok"} 3');
  });
});
