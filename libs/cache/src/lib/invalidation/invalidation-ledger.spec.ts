import { InvalidationLedger } from './invalidation-ledger';

describe('InvalidationLedger', () => {
  it('an operation sees invalidations of its key, its tags and everything after it began, not before', () => {
    const ledger = new InvalidationLedger();
    const other = ledger.begin();
    ledger.markKey('k');
    const op = ledger.begin();
    expect(ledger.invalidated(op, 'k')).toBe(false);
    ledger.markTags(['t1']);
    expect(ledger.invalidated(op, 'k', ['t2'])).toBe(false);
    expect(ledger.invalidated(op, 'k', ['t2', 't1'])).toBe(true);
    ledger.markKey('k');
    expect(ledger.invalidated(op, 'k')).toBe(true);
    const late = ledger.begin();
    expect(ledger.invalidated(late, 'k', ['t1'])).toBe(false);
    ledger.markAll();
    expect(ledger.invalidated(late, 'x')).toBe(true);
    [other, op, late].forEach((t) => ledger.end(t));
  });

  it('keeps a mark as long as the oldest operation that began before it runs, however long', () => {
    const ledger = new InvalidationLedger();
    const slow = ledger.begin(); // e.g. hardTimeout 0
    ledger.markKey('k');
    for (let i = 0; i < 1000; i++) {
      const quick = ledger.begin();
      ledger.markKey(`other-${i}`);
      ledger.end(quick);
    }
    expect(ledger.invalidated(slow, 'k')).toBe(true);
    ledger.end(slow);
    expect(ledger.size).toBe(0); // nothing in flight: nothing kept
  });

  it('keeps no marks while nothing is in flight', () => {
    const ledger = new InvalidationLedger();
    for (let i = 0; i < 100; i++) ledger.markKey(`k${i}`);
    expect(ledger.size).toBe(0);
    const op = ledger.begin();
    expect(ledger.invalidated(op, 'k1')).toBe(false);
    ledger.end(op);
  });

  it('is bounded: forgetting a mark makes every older operation count as invalidated', () => {
    const ledger = new InvalidationLedger(10);
    const old = ledger.begin();
    for (let i = 0; i < 25; i++) ledger.markKey(`k${i}`);
    expect(ledger.size).toBe(10);
    expect(ledger.invalidated(old, 'never-marked')).toBe(true);
    const fresh = ledger.begin();
    expect(ledger.invalidated(fresh, 'never-marked')).toBe(false);
    ledger.end(old);
    ledger.end(fresh);
  });

  it('prunes marks older than the oldest running operation when another one ends', () => {
    const ledger = new InvalidationLedger();
    const first = ledger.begin();
    ledger.markKey('a');
    const second = ledger.begin();
    ledger.markKey('b');
    ledger.end(first);
    expect(ledger.size).toBe(1); // 'a' is older than every running operation
    expect(ledger.invalidated(second, 'b')).toBe(true);
    ledger.end(second);
    ledger.end(second); // ending twice is harmless
    expect(ledger.inFlight).toBe(0);
  });
});
