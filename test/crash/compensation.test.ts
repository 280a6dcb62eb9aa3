import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '../../src/core/index.js';
import { defineWorkflow } from '../../src/engine/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { startEngine, tempDbPath } from '../helpers.js';
import { finished, fixture, spawnWorker, within } from './fixtures/child.js';
import { startDownstream } from './fixtures/downstream.js';
import { COMPENSATED_STEPS } from './fixtures/workflows.js';

/** Journal of a run whose three compensable steps were undone after the fourth step failed. */
const compensatedJournal = [
  [0, 'step', 'reserve-stock', 'completed'],
  [1, 'step', 'authorize-payment', 'completed'],
  [2, 'step', 'book-carrier', 'completed'],
  [3, 'step', 'release-to-wms', 'failed'],
  [4, 'compensation', 'compensate:book-carrier', 'completed'],
  [5, 'compensation', 'compensate:authorize-payment', 'completed'],
  [6, 'compensation', 'compensate:reserve-stock', 'completed'],
];

test('after a non-retryable failure the compensations run in reverse order, each journaled', async () => {
  const undone: Array<{ name: string; result: unknown; key: string }> = [];
  const workflow = defineWorkflow({
    name: 'test.compensation',
    version: 1,
    async run(ctx) {
      for (const name of COMPENSATED_STEPS) {
        await ctx.step(name, ({ idempotencyKey }) => ({ ref: `${name}@${idempotencyKey}` }), {
          compensate: (result, { idempotencyKey }) => {
            undone.push({ name, result, key: idempotencyKey });
            return { undone: name };
          },
        });
      }
      await ctx.step('release-to-wms', () => {
        throw ApplicationFailure.nonRetryable('the WMS rejected the release', 'WmsRejected');
      });
    },
  });
  const { engine } = startEngine([workflow]);
  const run = await engine.startRun(workflow, {});
  const done = await engine.waitForRun(run.id, 30_000);

  assert.equal(done.status, 'compensated');
  assert.match(done.error?.message ?? '', /the WMS rejected the release/);
  assert.deepEqual(undone, [
    { name: 'book-carrier', result: { ref: `book-carrier@${run.id}:2` }, key: `${run.id}:4` },
    { name: 'authorize-payment', result: { ref: `authorize-payment@${run.id}:1` }, key: `${run.id}:5` },
    { name: 'reserve-stock', result: { ref: `reserve-stock@${run.id}:0` }, key: `${run.id}:6` },
  ]);
  const journal = await engine.journal(run.id);
  assert.deepEqual(
    journal.map((e) => [e.position, e.kind, e.name, e.status]),
    compensatedJournal,
  );
  assert.deepEqual(
    journal.filter((e) => e.kind === 'compensation').map((e) => e.result),
    [{ undone: 'book-carrier' }, { undone: 'authorize-payment' }, { undone: 'reserve-stock' }],
  );
  const types = (await engine.history(run.id)).map((h) => h.type);
  assert.equal(types.filter((t) => t === 'run.compensating').length, 1);
  assert.equal(types.at(-1), 'run.compensated');
  assert.ok(!types.includes('run.failed'));
});

test('a worker killed in the middle of compensating is recovered; each compensation applies once, in reverse order', {
  timeout: 100_000,
}, async (t) => {
  const path = tempDbPath();
  let holding = true;
  const downstream = await startDownstream(t, {
    refuse: (op) => op === 'release-to-wms',
    // the second compensation reaches the downstream, which applies it and never answers
    hold: (req) => {
      if (!holding || req.op !== 'compensate:authorize-payment') return false;
      holding = false;
      return true;
    },
  });
  const script = fixture('compensation-worker.ts');

  const first = spawnWorker(t, script, [path, downstream.url]);
  await within(downstream.held(), 30_000, 'the second compensation to reach the downstream');
  await first.kill();
  downstream.release();

  const store = openSqliteStore({ path });
  t.after(() => store.close());
  const [run, ...others] = await store.searchRuns({ workflow: 'crash.compensation' });
  assert.ok(run);
  assert.equal(others.length, 0);
  assert.equal(run.status, 'compensating');
  assert.deepEqual(
    (await store.loadJournal(run.id)).map((e) => [e.position, e.kind, e.name, e.status]),
    compensatedJournal.slice(0, 5),
    'the kill must land after the first compensation and before the second was recorded',
  );

  const second = spawnWorker(t, script, [path, downstream.url, '--exit-when-done']);
  await finished(second, 60_000, 'the restarted worker to finish compensating');

  const done = await store.getRun(run.id);
  assert.equal(done?.status, 'compensated');
  assert.match(done?.error?.message ?? '', /release-to-wms was refused/);
  assert.deepEqual(
    (await store.loadJournal(run.id)).map((e) => [e.position, e.kind, e.name, e.status]),
    compensatedJournal,
  );

  // every effect, forward and compensating, applied once under its own key
  const expected = new Map(
    compensatedJournal
      .filter(([, , name]) => name !== 'release-to-wms')
      .map(([position, , name]) => [`${run.id}:${position}`, name]),
  );
  assert.deepEqual(new Map([...downstream.applied].map(([key, e]) => [key, e.op])), expected);
  const compensationsInOrder = [...downstream.applied.values()]
    .filter((e) => e.op.startsWith('compensate:'))
    .sort((a, b) => a.seq - b.seq)
    .map((e) => e.op);
  assert.deepEqual(compensationsInOrder, [
    'compensate:book-carrier',
    'compensate:authorize-payment',
    'compensate:reserve-stock',
  ]);

  const requestsFor = (op: string) => downstream.requests.filter((r) => r.op === op);
  // recorded before the kill, so never repeated
  assert.equal(requestsFor('compensate:book-carrier').length, 1);
  assert.equal(requestsFor('release-to-wms').length, 1);
  // cut off mid-call: repeated after recovery with the same key, and refused as a duplicate
  const interrupted = requestsFor('compensate:authorize-payment');
  assert.ok(interrupted.length >= 2, 'the interrupted compensation was not retried');
  assert.deepEqual(
    interrupted.map((r) => r.duplicate),
    [false, ...interrupted.slice(1).map(() => true)],
  );

  const types = (await store.loadHistory(run.id)).map((h) => h.type);
  assert.ok(types.includes('run.recovered'), 'the run was not recovered from the killed worker');
  assert.equal(types.filter((t) => t === 'run.compensating').length, 1);
  assert.equal(types.filter((t) => t === 'run.compensated').length, 1);
});
