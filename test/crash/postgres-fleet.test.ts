import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Engine } from '../../src/engine/index.js';
import { migrateStore, openPostgresStore } from '../../src/store/index.js';
import { postgresAvailable, postgresUrl, skipReason } from '../backends.js';
import { sleep } from '../helpers.js';
import { fixture, spawnWorker, type WorkerProcess } from './fixtures/child.js';
import { startDownstream } from './fixtures/downstream.js';
import { ORDER_CALLS, orderWorkflow } from './fixtures/workflows.js';

const RUNS = 2000;
const WORKERS = 3;

describe('a fleet of workers on PostgreSQL', { skip: skipReason(await postgresAvailable()) }, () => {
  test('3 workers run 2,000 workflows while one of them is killed every few seconds: all complete, no effect applied twice', {
    timeout: 240_000,
  }, async (t) => {
    const url = postgresUrl();
    const schema = `fleet_${process.pid}`;
    await migrateStore({ databaseUrl: url, databaseSchema: schema, databasePath: '' });
    const store = await openPostgresStore({ url, schema, migrate: false });
    t.after(async () => {
      await store.close();
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    });
    const downstream = await startDownstream(t, { maxDelayMs: 5 });
    const wf = orderWorkflow(downstream.url);
    const script = fixture('fleet-worker.ts');
    const spawn = () => spawnWorker(t, script, [url, schema, downstream.url]);
    const workers: WorkerProcess[] = [];
    for (let i = 0; i < WORKERS; i++) workers.push(spawn());
    await Promise.all(workers.map((w) => w.waitForLine(/^ready$/, 30_000)));

    // another process (this one) starts the runs; the workers are woken by the database
    // while the kills begin, so that they fall in the middle of the work however fast the fleet is
    const client = new Engine({ store, workflows: [wf] });
    let started = false;
    const starting = (async () => {
      for (let n = 0; n < RUNS; n++)
        await client.startRun(wf, { orderId: `SO-${n}` }, { idempotencyKey: `fleet-${n}` });
    })().finally(() => {
      started = true;
    });

    let kills = 0;
    const deadline = Date.now() + 200_000;
    for (;;) {
      const open = await store.searchRuns({ status: ['pending', 'running', 'waiting'], limit: 1 });
      if (started && open.length === 0) break;
      assert.ok(Date.now() < deadline, 'the fleet did not finish in time');
      await sleep(1000 + Math.random() * 1500);
      const i = Math.floor(Math.random() * WORKERS);
      await workers[i]!.kill();
      kills++;
      workers[i] = spawn();
      await workers[i]!.waitForLine(/^ready$/, 30_000);
    }
    await starting;
    assert.ok(kills >= 2, `only ${kills} kill(s) happened before the runs finished`);

    const runs = await store.searchRuns({ workflow: 'crash.order', limit: 10_000 });
    assert.equal(runs.length, RUNS);
    assert.deepEqual(
      runs.filter((r) => r.status !== 'completed').map((r) => r.status),
      [],
    );
    const expected = new Map<string, string>();
    let recovered = 0;
    const owners = new Set<string>();
    for (const run of runs) {
      const journal = await store.loadJournal(run.id);
      assert.deepEqual(
        journal.map((e) => [e.kind, e.name, e.status]),
        ORDER_CALLS.map(([kind, name]) => [kind, name, 'completed']),
      );
      for (const e of journal) if (e.kind === 'step') expected.set(`${run.id}:${e.position}`, e.name);
      const history = await store.loadHistory(run.id);
      assert.equal(history.filter((h) => h.type === 'run.started').length, 1, 'a run is started once');
      if (history.some((h) => h.type === 'run.recovered')) recovered++;
      for (const h of history) if (h.data?.owner) owners.add(String(h.data.owner));
    }
    // every step reached the downstream, and no effect was applied twice
    assert.deepEqual(new Map([...downstream.applied].map(([k, v]) => [k, v.op])), expected);
    assert.equal((await store.readOutbox({ limit: 10_000 })).length, RUNS);
    assert.ok(owners.size >= WORKERS, `runs were spread over ${owners.size} worker processes`);
    t.diagnostic(
      `${kills} kills, ${owners.size} worker processes, ${recovered} runs recovered, ${downstream.duplicates()} duplicate requests refused`,
    );
  });
});
