import { SenderLedger } from './sender-ledger';

describe('SenderLedger', () => {
  it('reports skipped numbers of a remembered sender, not its first message', () => {
    const ledger = new SenderLedger();
    expect(ledger.record('a', 41)).toBe(false); // first heard mid-sequence: nothing to compare with
    expect(ledger.record('a', 42)).toBe(false);
    expect(ledger.record('a', 44)).toBe(true);
  });

  it('forgets senders silent for longer than the idle horizon', () => {
    let now = 0;
    const ledger = new SenderLedger(60_000, 1_000, () => now);
    ledger.record('old', 1);
    now = 30_000;
    ledger.record('recent', 1);
    now = 70_000;
    ledger.record('new', 1);
    expect(ledger.size).toBe(2); // 'old' went; 'recent' is within the horizon
  });

  it('keeps at most maxSenders, however many senders come and go', () => {
    const ledger = new SenderLedger(Number.POSITIVE_INFINITY, 100);
    for (let i = 0; i < 10_000; i++) ledger.record(`sender-${i}`, 1);
    expect(ledger.size).toBe(100);
    expect(ledger.record('sender-9999', 3)).toBe(true); // the most recent are the ones kept
  });
});
