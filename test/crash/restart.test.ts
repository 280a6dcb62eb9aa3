import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Engine } from '../../src/engine/index.js';
import { type HistoryRecord, openSqliteStore, type RunRecord, type Store } from '../../src/store/index.js';
import { eventually, tempDbPath } from '../helpers.js';
import { finished, fixture, spawnWorker } from './fixtures/child.js';
import { type ApprovalOutput, restartWorkflows } from './fixtures/workflows.js';

const script = fixture('restart-worker.ts');

/** The test's own view of the database file: a store and an engine that never executes runs. */
function inspect(t: TestContext, path: string): { store: Store; engine: Engine } {
  const store = openSqliteStore({ path });
  t.after(() => store.close());
  return { store, engine: new Engine({ store, workflows: restartWorkflows }) };
}

async function runByKey(store: Store, key: string): Promise<RunRecord> {
  const run = (await store.searchRuns({ limit: 100 })).find((r) => r.idempotencyKey === key);
  assert.ok(run, `no run with idempotency key ${key}`);
  return run;
}

const ofType = (history: HistoryRecord[], type: string) => history.filter((h) => h.type === type);

/** The owner that first executed the run, and the owner of its last claim. */
function owners(history: HistoryRecord[]): { first: unknown; last: unknown } {
  const claims = history.filter((h) => ['run.started', 'run.resumed', 'run.recovered'].includes(h.type));
  return { first: claims[0]?.data?.owner, last: claims.at(-1)?.data?.owner };
}

test('a human task, a timer and an event wait survive a SIGKILL of their worker', {
  timeout: 100_000,
}, async (t) => {
  const path = tempDbPath();
  const first = spawnWorker(t, script, [path, 'start']);
  // open the database before the runs exist, so nothing stands between them turning pending and the kill
  await first.waitForLine(/^ready$/, 30_000);
  const { store, engine } = inspect(t, path);

  const pendingAt = async (run: RunRecord | undefined, kind: string) => {
    const [entry] = run ? await store.loadJournal(run.id) : [];
    return entry?.kind === kind && entry.status === 'pending';
  };
  const pending = await eventually(
    async () => {
      const runs = await store.searchRuns({ limit: 100 });
      const byKey = (key: string) => runs.find((r) => r.idempotencyKey === key);
      const approval = byKey('approval-TR-1');
      const timer = byKey('timer-1');
      const shipment = byKey('shipment-SO-77');
      const ready =
        (await pendingAt(approval, 'task')) &&
        (await pendingAt(timer, 'sleep')) &&
        (await pendingAt(shipment, 'event'));
      return ready && approval && timer && shipment ? { approval, timer, shipment } : undefined;
    },
    20_000,
    'the task, the timer and the event wait to be journaled as pending',
  );
  assert.ok(pending);
  const { approval, timer, shipment } = pending;
  await first.kill();
  assert.ok(
    await pendingAt(timer, 'sleep'),
    'the 1500 ms timer fired before the worker was killed; the machine stalled for over a second',
  );

  // the worker is gone: decide the task and deliver the event straight into the database
  const [task, ...others] = await engine.listTasks({ runId: approval.id });
  assert.equal(others.length, 0);
  assert.ok(task);
  assert.equal(task.status, 'open');
  assert.equal(task.role, 'store-ops');
  await engine.completeTask(task.id, {
    outcome: 'approve',
    values: { note: 'the store has cover' },
    by: 'maria.lopez',
  });
  const other = await engine.deliverEvent({
    type: 'shipment.dispatched',
    id: 'ship-78',
    data: { orderId: 'SO-78', carrier: 'DHL', trackingNumber: 'JD000078' },
  });
  assert.deepEqual(other.woke, [], 'an event for another order must not wake the run');
  const shipped = { orderId: 'SO-77', carrier: 'DHL', trackingNumber: 'JD000077' };
  const delivered = await engine.deliverEvent({ type: 'shipment.dispatched', id: 'ship-77', data: shipped });
  assert.deepEqual(delivered.woke, [shipment.id]);

  const second = spawnWorker(t, script, [path, 'resume']);
  await finished(second, 60_000, 'the restarted worker to finish the three runs');

  const approved = await engine.getRun(approval.id);
  assert.equal(approved.status, 'completed');
  assert.deepEqual(approved.output, {
    outcome: 'approve',
    by: 'maria.lopez',
    values: { note: 'the store has cover' },
  } satisfies ApprovalOutput);
  const decided = await engine.getTask(task.id);
  assert.equal(decided.status, 'completed');
  assert.equal(decided.decidedBy, 'maria.lopez');

  const resumed = await engine.getRun(shipment.id);
  assert.equal(resumed.status, 'completed');
  assert.deepEqual(resumed.output, { shipment: shipped, eventId: 'ship-77' });
  const [wait] = await engine.journal(shipment.id);
  assert.equal(wait?.eventId, 'ship-77');

  const woke = await engine.getRun(timer.id);
  assert.equal(woke.status, 'completed');
  const [sleepEntry, afterSleep] = await engine.journal(timer.id);
  assert.equal(sleepEntry?.status, 'completed');
  const deadline = sleepEntry?.deadline;
  assert.ok(deadline !== undefined);
  // workflow time starts when the run is first started
  assert.equal(deadline, (timer.startedAt ?? timer.createdAt) + 1500);
  assert.ok((sleepEntry?.endedAt ?? 0) >= deadline, 'the timer fired before its deadline');
  assert.equal(afterSleep?.name, 'after-sleep');
  assert.ok((woke.output as { resumedAt: number }).resumedAt >= deadline);
  const timerHistory = await engine.history(timer.id);
  const fired = ofType(timerHistory, 'timer.fired');
  assert.equal(fired.length, 1);
  assert.ok((fired[0]?.at ?? 0) >= deadline);

  // each run was started by the killed worker and finished by the new one
  for (const id of [approval.id, timer.id, shipment.id]) {
    const { first: startedBy, last: finishedBy } = owners(await engine.history(id));
    assert.ok(startedBy && finishedBy && startedBy !== finishedBy, `run ${id} was not resumed elsewhere`);
  }
});

test('an overdue task escalates once to its escalation role, and stays escalated across restarts', {
  timeout: 100_000,
}, async (t) => {
  const path = tempDbPath();
  const first = spawnWorker(t, script, [path, 'escalate']);
  await first.waitForLine(/^started$/, 30_000);
  const { store, engine } = inspect(t, path);
  const run = await runByKey(store, 'escalation-TR-2');

  const escalated = await eventually(
    async () => {
      const [task] = await engine.listTasks({ runId: run.id });
      return task?.escalatedAt !== undefined ? task : undefined;
    },
    20_000,
    'the overdue task to escalate',
  );
  await first.kill();
  assert.ok(escalated);
  assert.equal(escalated.role, 'regional-manager');
  assert.equal(escalated.status, 'open');
  assert.ok(escalated.dueAt !== undefined && (escalated.escalatedAt ?? 0) >= escalated.dueAt);

  // a new worker runs its maintenance over the same task, then dies too
  const second = spawnWorker(t, script, [path, 'maintain']);
  await second.waitForLine(/^maintained$/, 30_000);
  await second.kill();
  const after = await engine.getTask(escalated.id);
  assert.equal(after.role, 'regional-manager');
  assert.equal(after.escalatedAt, escalated.escalatedAt, 'the escalation was repeated');

  await engine.completeTask(escalated.id, { outcome: 'approve', by: 'ken.ito' });
  const third = spawnWorker(t, script, [path, 'resume']);
  await finished(third, 60_000, 'the restarted worker to finish the run');

  const done = await engine.getRun(run.id);
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.output, { outcome: 'approve', by: 'ken.ito' });
  const history = await engine.history(run.id);
  const escalations = ofType(history, 'task.escalated');
  assert.equal(escalations.length, 1, 'escalated exactly once');
  assert.deepEqual(escalations[0]?.data, {
    taskId: escalated.id,
    from: 'store-ops',
    to: 'regional-manager',
    dueAt: escalated.dueAt,
  });
  assert.equal(ofType(history, 'task.overdue').length, 0);
  const types = history.map((h) => h.type);
  assert.ok(types.indexOf('task.escalated') < types.indexOf('task.completed'));
});
