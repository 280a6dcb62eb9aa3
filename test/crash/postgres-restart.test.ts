import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Engine } from '../../src/engine/index.js';
import { openPostgresStore } from '../../src/store/index.js';
import { sleep } from '../helpers.js';
import { fixture, spawnWorker } from './fixtures/child.js';
import { startDownstream } from './fixtures/downstream.js';
import { clusterUnavailable, startCluster } from './fixtures/pg-cluster.js';
import { ORDER_CALLS, orderWorkflow } from './fixtures/workflows.js';

const RUNS = 600;
const unavailable = clusterUnavailable();
const skip = unavailable && process.env.BATON_REQUIRE_SERVICES !== '1' ? unavailable : undefined;

describe('PostgreSQL restarted in the middle of a run', { skip }, () => {
  test('workers reconnect and finish every run, nothing lost and no effect applied twice', {
    timeout: 180_000,
  }, async (t) => {
    assert.equal(unavailable, undefined, unavailable);
    const cluster = await startCluster(t);
    const schema = 'restart';
    const store = await openPostgresStore({ url: cluster.url, schema });
    t.after(() => store.close());
    const downstream = await startDownstream(t, { maxDelayMs: 5 });
    const wf = orderWorkflow(downstream.url);
    const workers = [0, 1].map(() =>
      spawnWorker(t, fixture('fleet-worker.ts'), [cluster.url, schema, downstream.url]),
    );
    await Promise.all(workers.map((w) => w.waitForLine(/^ready$/, 30_000)));
    const exits: string[] = [];
    for (const w of workers)
      void w.exited.then((e) => exits.push(`${w.pid}: ${e.code ?? e.signal}\n${w.stderr()}`));

    const client = new Engine({ store, workflows: [wf] });
    for (let n = 0; n < RUNS; n++)
      await client.startRun(wf, { orderId: `SO-${n}` }, { idempotencyKey: `restart-${n}` });
    // let the workers get going, then take the database away for a few seconds
    while ((await store.searchRuns({ status: 'completed', limit: 50 })).length < 50) await sleep(50);
    cluster.stop();
    await sleep(3000);
    cluster.start();

    const deadline = Date.now() + 120_000;
    let open = 1;
    while (open > 0) {
      assert.ok(Date.now() < deadline, 'runs did not finish after the restart');
      await sleep(500);
      try {
        open = (await store.searchRuns({ status: ['pending', 'running', 'waiting'], limit: 1 })).length;
      } catch {
        open = 1; // this process's pool reconnects too
      }
    }
    const runs = await store.searchRuns({ workflow: 'crash.order', limit: 10_000 });
    assert.equal(runs.length, RUNS, 'no run lost');
    assert.ok(runs.every((r) => r.status === 'completed'));
    const expected = new Map<string, string>();
    for (const run of runs) {
      const journal = await store.loadJournal(run.id);
      assert.deepEqual(
        journal.map((e) => [e.kind, e.name]),
        ORDER_CALLS.map(([kind, name]) => [kind, name]),
      );
      for (const e of journal) if (e.kind === 'step') expected.set(`${run.id}:${e.position}`, e.name);
    }
    assert.deepEqual(new Map([...downstream.applied].map(([k, v]) => [k, v.op])), expected);
    assert.deepEqual(exits, [], 'the workers survived the outage');
    t.diagnostic(`${downstream.duplicates()} duplicate requests refused by the downstream`);
  });
});
