import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ConflictError, NotFoundError, newId } from '../../core/index.js';
import type { RunRecord, Store } from '../types.js';
import {
  claim,
  commitOk,
  HOUR,
  historyTypes,
  LEASE_MS,
  leasedRun,
  mustGet,
  newRun,
  newTask,
  OWNER,
  pendingEntry,
  pendingRun,
  type StoreTest,
  stepEntry,
  T,
  unitFor,
  waitOnTasks,
} from './fixtures.js';

const failure = { name: 'StepFailedError', message: 'reserve failed' };

/** A run that failed at position 1 after a completed step, with compensations recorded after it (one failed). */
async function failedRun(store: Store): Promise<RunRecord> {
  const run = await leasedRun(store);
  await commitOk(
    store,
    unitFor(run, T + 10, {
      journal: [
        stepEntry(0, 'validate'),
        stepEntry(1, 'reserve', { status: 'failed', result: undefined, error: failure, attempts: 3 }),
        stepEntry(2, 'undo-validate', { kind: 'compensation' }),
        stepEntry(3, 'undo-charge', {
          kind: 'compensation',
          status: 'failed',
          result: undefined,
          error: failure,
        }),
      ],
      run: { status: 'failed', error: failure, release: true },
    }),
  );
  return mustGet(store, run.id);
}

export function operationTests(test: StoreTest): void {
  describe('requestCancel', () => {
    test('a waiting run is cancelled at once with its open tasks and unfinished children', async (store) => {
      const parent = await leasedRun(store);
      const task = newTask(parent.id, 0);
      const idle = newRun({ parentId: parent.id, parentPosition: 1, nextAt: T + HOUR, createdAt: T + 1 });
      const busy = newRun({ parentId: parent.id, parentPosition: 2, createdAt: T + 1 });
      const done = newRun({ parentId: parent.id, parentPosition: 3, createdAt: T + 1 });
      await commitOk(
        store,
        unitFor(parent, T + 1, {
          journal: [
            pendingEntry(0, 'task', 'approve'),
            pendingEntry(1, 'child', 'idle'),
            pendingEntry(2, 'child', 'busy'),
            pendingEntry(3, 'child', 'done'),
          ],
          tasks: [task],
          children: [idle, busy, done],
          run: { status: 'waiting', release: true },
        }),
      );
      const claimed = await claim(store, { now: T + 2 });
      assert.equal(claimed.length, 2, 'busy and done are leased');
      const doneRun = claimed.find((c) => c.run.id === done.id)!.run;
      await commitOk(
        store,
        unitFor(doneRun, T + 3, { run: { status: 'completed', output: 1, release: true } }),
      );
      // the parent, woken by its child, has not been claimed yet: it holds no lease

      const cancelled = await store.requestCancel(parent.id, T + 10, 'customer asked');
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(cancelled.endedAt, T + 10);
      assert.equal(cancelled.leaseOwner, undefined);
      assert.deepEqual(await store.getRun(parent.id), cancelled);
      const row = (await store.loadHistory(parent.id)).find((h) => h.type === 'run.cancelled');
      assert.equal(row?.at, T + 10);
      assert.equal(row?.data?.reason, 'customer asked');
      assert.equal((await store.getTask(task.id))?.status, 'cancelled');

      const idleNow = await mustGet(store, idle.id);
      assert.equal(idleNow.status, 'cancelled');
      assert.equal(idleNow.endedAt, T + 10);
      assert.ok((await historyTypes(store, idle.id)).includes('run.cancelled'));
      const busyNow = await mustGet(store, busy.id);
      assert.equal(busyNow.status, 'running', 'a leased child is asked to cancel');
      assert.equal(busyNow.cancelRequested, true);
      assert.equal((await mustGet(store, done.id)).status, 'completed');
      assert.deepEqual(await claim(store, { now: T + 2 * HOUR }).then((c) => c.map((x) => x.run.id)), [
        busy.id,
      ]);
    });

    test('a pending run is cancelled at once', async (store) => {
      const run = await pendingRun(store);
      const cancelled = await store.requestCancel(run.id, T + 5, 'duplicate order');
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(cancelled.endedAt, T + 5);
      assert.deepEqual(await claim(store, { now: T + 6 }), []);
      const again = await store.requestCancel(run.id, T + 7, 'again');
      assert.equal(again.status, 'cancelled');
      assert.equal(again.endedAt, T + 5, 'cancelling twice changes nothing');
    });

    test('a leased run is asked to cancel and stays leased', async (store) => {
      const run = await leasedRun(store);
      const res = await store.requestCancel(run.id, T + 5, 'stop');
      assert.equal(res.cancelRequested, true);
      assert.equal(res.status, 'running');
      assert.equal(res.leaseOwner, OWNER);
      assert.equal(res.leaseToken, 1);
      assert.equal(res.leaseUntil, T + LEASE_MS);
      assert.equal(res.endedAt, undefined);
      assert.deepEqual(await store.getRun(run.id), res);
    });

    test('a finished run is a conflict and an unknown run is not found', async (store) => {
      const run = await leasedRun(store);
      await commitOk(store, unitFor(run, T + 1, { run: { status: 'completed', release: true } }));
      await assert.rejects(store.requestCancel(run.id, T + 2, 'late'), ConflictError);
      assert.equal((await mustGet(store, run.id)).status, 'completed');
      await assert.rejects(store.requestCancel(newId(T), T + 2, 'who'), NotFoundError);
    });
  });

  describe('resetRun', () => {
    test('retry puts a failed run back to pending from its first failed position', async (store) => {
      const run = await failedRun(store);
      const reset = await store.resetRun(run.id, { kind: 'retry' }, T + 500);
      assert.equal(reset.status, 'pending');
      assert.equal(reset.error, undefined);
      assert.equal(reset.endedAt, undefined);
      assert.equal(reset.nextAt, T + 500);
      assert.equal(reset.leaseOwner, undefined);
      assert.deepEqual(await store.getRun(run.id), reset);
      assert.deepEqual(
        (await store.loadJournal(run.id)).map((e) => [e.position, e.status]),
        [[0, 'completed']],
      );
      assert.ok((await historyTypes(store, run.id)).includes('run.retried'));
      const [again] = await claim(store, { now: T + 500 });
      assert.equal(again?.run.id, run.id);
      assert.equal(again?.run.leaseToken, run.leaseToken + 1);
    });

    test('retry of a run that has not failed is a conflict; an unknown run is not found', async (store) => {
      const pending = await pendingRun(store);
      await assert.rejects(store.resetRun(pending.id, { kind: 'retry' }, T + 1), ConflictError);
      const done = await leasedRun(store);
      await commitOk(
        store,
        unitFor(done, T + 1, { journal: [stepEntry(0, 'a')], run: { status: 'completed', release: true } }),
      );
      await assert.rejects(store.resetRun(done.id, { kind: 'retry' }, T + 2), ConflictError);
      assert.equal((await mustGet(store, done.id)).status, 'completed');
      assert.equal((await store.loadJournal(done.id)).length, 1);
      await assert.rejects(store.resetRun(newId(T), { kind: 'retry' }, T + 2), NotFoundError);
    });

    test('restart from N keeps earlier entries and cancels tasks from N on', async (store) => {
      const run = await leasedRun(store);
      const low = newTask(run.id, 0);
      const high = newTask(run.id, 2);
      await commitOk(
        store,
        unitFor(run, T + 1, {
          journal: [stepEntry(1, 'validate'), stepEntry(3, 'reserve')],
        }),
      );
      await waitOnTasks(store, run, [low, high], T + 2);

      const reset = await store.resetRun(run.id, { kind: 'restart', from: 2 }, T + 1000);
      assert.equal(reset.status, 'pending');
      assert.equal(reset.nextAt, T + 1000);
      assert.deepEqual(
        (await store.loadJournal(run.id)).map((e) => e.position),
        [0, 1],
      );
      assert.equal((await store.getTask(low.id))?.status, 'open');
      assert.equal((await store.getTask(high.id))?.status, 'cancelled');
      assert.ok((await historyTypes(store, run.id)).includes('run.restarted'));
      assert.equal((await claim(store, { now: T + 1000 }))[0]?.run.id, run.id);
    });

    test('restart of a completed run clears its output and end', async (store) => {
      const run = await leasedRun(store);
      await commitOk(
        store,
        unitFor(run, T + 1, {
          journal: [stepEntry(0, 'a'), stepEntry(1, 'b')],
          run: { status: 'completed', output: { ok: true }, release: true },
        }),
      );
      const reset = await store.resetRun(run.id, { kind: 'restart', from: 1 }, T + 5);
      assert.equal(reset.status, 'pending');
      assert.equal(reset.output, undefined);
      assert.equal(reset.endedAt, undefined);
      assert.deepEqual(
        (await store.loadJournal(run.id)).map((e) => e.position),
        [0],
      );
    });

    test('restart of a run under a live lease is a conflict', async (store) => {
      const run = await leasedRun(store);
      await commitOk(store, unitFor(run, T + 1, { journal: [stepEntry(0, 'a')] }));
      await assert.rejects(store.resetRun(run.id, { kind: 'restart', from: 0 }, T + 2), ConflictError);
      const still = await mustGet(store, run.id);
      assert.equal(still.status, 'running');
      assert.equal(still.leaseOwner, OWNER);
      assert.equal((await store.loadJournal(run.id)).length, 1);
    });
  });
}
