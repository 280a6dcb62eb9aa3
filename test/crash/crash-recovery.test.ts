import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/index.js';
import { sleep, tempDbPath } from '../helpers.js';
import { finished, fixture, spawnWorker } from './fixtures/child.js';
import { startDownstream } from './fixtures/downstream.js';
import { ORDER_CALLS, ORDER_COUNT } from './fixtures/workflows.js';

const ROUNDS = 6;

test('runs of a worker killed with SIGKILL again and again complete with every effect applied exactly once', {
  timeout: 115_000,
}, async (t) => {
  const path = tempDbPath();
  const downstream = await startDownstream(t, { maxDelayMs: 15 });
  const script = fixture('order-worker.ts');

  const delays: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const worker = spawnWorker(t, script, [path, downstream.url]);
    await worker.waitForLine(/^ready$/, 30_000);
    const delay = 200 + Math.floor(Math.random() * 600);
    delays.push(delay);
    await sleep(delay);
    await worker.kill();
    const { signal } = await worker.exited;
    assert.equal(signal, 'SIGKILL', `worker of round ${round} ended on its own:\n${worker.stderr()}`);
  }
  t.diagnostic(`killed after ${delays.join(', ')} ms`);
  const last = spawnWorker(t, script, [path, downstream.url, '--exit-when-done']);
  await finished(last, 90_000, 'the last worker to finish every run');

  const store = openSqliteStore({ path });
  t.after(() => store.close());

  const runs = await store.searchRuns({ workflow: 'crash.order', limit: 10_000 });
  assert.equal(runs.length, ORDER_COUNT, 'restarted workers must not start duplicate runs');
  assert.deepEqual(
    new Set(runs.map((r) => r.idempotencyKey)),
    new Set(Array.from({ length: ORDER_COUNT }, (_, n) => `order-${n}`)),
  );
  assert.deepEqual(
    runs.filter((r) => r.status !== 'completed').map((r) => `${r.idempotencyKey}: ${r.status}`),
    [],
  );

  const expectedCalls = ORDER_CALLS.map(([kind, name], position) => [position, kind, name, 'completed']);
  const expectedEffects = new Map<string, string>();
  let recovered = 0;
  for (const run of runs) {
    const journal = await store.loadJournal(run.id);
    assert.deepEqual(
      journal.map((e) => [e.position, e.kind, e.name, e.status]),
      expectedCalls,
      `journal of ${run.idempotencyKey}`,
    );
    const steps = journal.filter((e) => e.kind === 'step');
    for (const e of steps) expectedEffects.set(`${run.id}:${e.position}`, e.name);
    // the output is built from the recorded answers of the downstream, one per step
    assert.deepEqual(
      (run.output as { refs: string[] }).refs,
      steps.map((e) => (e.result as { ref: string }).ref),
    );
    const history = await store.loadHistory(run.id);
    if (history.some((h) => h.type === 'run.recovered')) recovered++;
  }

  // exactly-once effects: every step position reached the downstream, and nothing else did
  const appliedEffects = new Map([...downstream.applied].map(([key, effect]) => [key, effect.op]));
  assert.deepEqual(appliedEffects, expectedEffects);

  const outbox = await store.readOutbox({ limit: 10_000 });
  assert.equal(outbox.length, ORDER_COUNT);
  const byRun = new Map(runs.map((r) => [r.id, r]));
  assert.equal(new Set(outbox.map((o) => o.runId)).size, ORDER_COUNT, 'one event per run');
  for (const o of outbox) {
    const run = byRun.get(o.runId);
    assert.ok(run, `outbox event ${o.id} belongs to an unknown run`);
    assert.equal(o.type, 'order.confirmed');
    assert.equal(o.position, 3);
    assert.equal((o.data as { orderId: string }).orderId, (run.input as { orderId: string }).orderId);
  }

  assert.ok(recovered > 0, 'no kill landed while a run held a lease; nothing was recovered');
  t.diagnostic(
    `${recovered} runs recovered from expired leases; ${downstream.duplicates()} duplicate requests refused by the downstream`,
  );
});
