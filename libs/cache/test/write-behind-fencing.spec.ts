import { createDatabase } from '@shop/database';
import { createTestDatabase, describeEachDialect, waitFor, type TestDatabase } from '@shop/testing';
import { sql } from 'kysely';
import { join } from 'node:path';
import { consumerProcess, LATEST, useWriteBehindHarness } from './fixtures/write-behind-harness';

const FIXTURE = join(__dirname, 'fixtures', 'write-behind-sql-consumer.ts');

describeEachDialect('write-behind fencing (a paused consumer taken over, real SQL store)', (dialect) => {
  const h = useWriteBehindHarness();
  let database: TestDatabase;
  let store: ReturnType<typeof createDatabase<unknown>>['db'];

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    store = createDatabase<unknown>({ url: database.url }).db;
    await sql`create table wb_rows (k varchar(200) primary key, v integer not null, seq bigint not null)`.execute(
      store,
    );
  });

  afterEach(async () => {
    await store.destroy();
    await database.dispose();
  });

  async function row(key: string): Promise<{ v: number; seq: number } | undefined> {
    const { rows } = await sql<{
      v: number;
      seq: string | number;
    }>`select v, seq from wb_rows where k = ${key}`.execute(store);
    return rows[0] ? { v: Number(rows[0].v), seq: Number(rows[0].seq) } : undefined;
  }

  /**
   * The takeover interleaving: the victim has value 1 of `order-1` in hand and is frozen (SIGSTOP, as a
   * long GC pause or CPU throttling would) before its store write; value 2 is written; the heir takes the
   * idle entry over and persists 2; the victim resumes and writes 1 last. Returns the final row.
   */
  async function pausedTakeover(fencing: 'on' | 'off') {
    const env = {
      REDIS_URL: h.redis.url,
      DATABASE_URL: database.url,
      FENCING: fencing,
      CLAIM_IDLE_MS: '1000',
    };
    const victim = await consumerProcess(FIXTURE, 'victim', { ...env, GATE: '1' });
    h.procs.push(victim);
    await h.producer.write('order-1', 1);
    await waitFor(
      'the victim holds value 1 inside persist',
      async () => Number(await h.db().get('db:batches-started:victim')) >= 1,
    );
    process.kill(victim.pid, 'SIGSTOP');
    try {
      await h.producer.write('order-1', 2);
      h.procs.push(await consumerProcess(FIXTURE, 'heir', env));
      await waitFor('the heir persisted value 2', async () => (await row('order-1'))?.v === 2, {
        timeoutMs: 20_000,
      });
      await waitFor('nothing left pending', async () => (await h.pendingCount()) === 0, {
        timeoutMs: 10_000,
      });
      expect(await h.db().hlen(LATEST)).toBe(1); // only the sequence counter
    } finally {
      process.kill(victim.pid, 'SIGCONT');
    }
    await h.db().set('db:release:victim', '1');
    await waitFor('the victim finished its late write', () => victim.logs.includes('PERSISTED'), {
      timeoutMs: 20_000,
    });
    expect(await h.pendingCount()).toBe(0);
    return row('order-1');
  }

  it('persist gets a per-key sequence: the paused consumer resuming after a takeover cannot write the older value last', async () => {
    expect(await pausedTakeover('on')).toEqual({ v: 2, seq: 2 });
  });

  it('without the conditional write the same interleaving lands the older value last (why the contract exists)', async () => {
    expect((await pausedTakeover('off'))?.v).toBe(1);
  });
});
