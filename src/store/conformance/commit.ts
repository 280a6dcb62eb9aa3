import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../core/index.js';
import type { CommitUnit, RunRecord, Store } from '../types.js';
import {
  claim,
  commitOk,
  HOUR,
  leasedRun,
  mustGet,
  newRun,
  newTask,
  OWNER_B,
  pendingEntry,
  pendingRun,
  type StoreTest,
  stepEntry,
  T,
  unitFor,
} from './fixtures.js';

/** A parent suspended on one child run at `position`. */
async function parentWaitingOnChild(
  store: Store,
  position: number,
): Promise<{ parent: RunRecord; childId: string }> {
  const parent = await leasedRun(store);
  const child = newRun({
    parentId: parent.id,
    parentPosition: position,
    idempotencyKey: `${parent.id}:${position}`,
    createdAt: T + 1,
  });
  await commitOk(
    store,
    unitFor(parent, T + 1, {
      journal: [
        stepEntry(0, 'prepare'),
        pendingEntry(position, 'child', 'ship', { input: { runId: child.id } }),
      ],
      children: [child],
      run: { status: 'waiting', release: true },
    }),
  );
  return { parent, childId: child.id };
}

export function commitTests(test: StoreTest): void {
  describe('commit', () => {
    test('a unit with an old lease token is refused and writes nothing', async (store) => {
      const stale = T - HOUR;
      const run = await pendingRun(store, { createdAt: stale, tags: { orderId: 'SO-1' } });
      const [old] = await claim(store, { now: stale, leaseMs: 1000 });
      await claim(store, { owner: OWNER_B, now: T });
      const before = await store.loadHistory(run.id);

      const child = newRun({ parentId: run.id, parentPosition: 1, createdAt: T });
      const res = await store.commit(
        unitFor(old!.run, T + 1, {
          journal: [stepEntry(0, 'validate')],
          eventWaits: [{ ...pendingEntry(2, 'event', 'paid'), input: { type: 'paid', since: T - HOUR } }],
          history: [{ type: 'step.completed', position: 0, at: T + 1 }],
          outbox: [{ id: newId(T), position: 0, type: 'order.validated', data: {} }],
          tasks: [newTask(run.id, 3)],
          children: [child],
          tags: { orderId: 'SO-X' },
          run: { status: 'completed', output: { done: true }, release: true },
        }),
      );
      assert.deepEqual(res, { ok: false, reason: 'lease-lost' });
      assert.deepEqual(await store.loadJournal(run.id), []);
      assert.deepEqual(await store.loadHistory(run.id), before);
      assert.deepEqual(await store.readOutbox({}), []);
      assert.deepEqual(await store.listTasks({ runId: run.id }), []);
      assert.equal(await store.getRun(child.id), undefined);
      const now = await mustGet(store, run.id);
      assert.equal(now.status, 'running');
      assert.equal(now.leaseOwner, OWNER_B);
      assert.equal(now.leaseToken, 2);
      assert.deepEqual(now.tags, { orderId: 'SO-1' });

      const unknown: CommitUnit = { runId: newId(T), leaseToken: 1, wakeSeq: 0, at: T };
      assert.deepEqual(await store.commit(unknown), { ok: false, reason: 'lease-lost' });
    });

    test('journal writes insert and then update an entry at the same position', async (store) => {
      const run = await leasedRun(store);
      const retrying = stepEntry(0, 'reserve', {
        status: 'pending',
        result: undefined,
        error: { name: 'Error', message: 'timeout' },
        attempts: 1,
        deadline: T + 5000,
        endedAt: undefined,
      });
      const res = await commitOk(store, unitFor(run, T + 1, { journal: [retrying] }));
      assert.deepEqual(res.resolved, []);
      assert.equal(res.cancelRequested, false);
      assert.equal((await store.loadJournal(run.id))[0]?.deadline, T + 5000);
      await commitOk(
        store,
        unitFor(run, T + 5001, {
          journal: [stepEntry(0, 'reserve', { result: { lines: 2 }, attempts: 2, endedAt: T + 5001 })],
        }),
      );
      const journal = await store.loadJournal(run.id);
      assert.equal(journal.length, 1);
      assert.equal(journal[0]?.status, 'completed');
      assert.deepEqual(journal[0]?.result, { lines: 2 });
      assert.equal(journal[0]?.error, undefined);
      assert.equal(journal[0]?.attempts, 2);
      assert.equal(journal[0]?.deadline, undefined);
      assert.equal(journal[0]?.endedAt, T + 5001);
      assert.deepEqual(await store.listTimers({}), []);
    });

    test('writes history rows, outbox rows and tags', async (store) => {
      const run = await leasedRun(store, { tags: { orderId: 'SO-1', channel: 'web' } });
      const o1 = {
        id: newId(T),
        position: 2,
        type: 'order.confirmed',
        subject: 'SO-1',
        data: { lines: [1, 2] },
      };
      const o2 = { id: newId(T), position: 3, type: 'order.released', data: { wms: 'DC-1' } };
      await commitOk(
        store,
        unitFor(run, T + 7, {
          history: [{ type: 'event.emitted', position: 2, at: T + 7, data: { type: 'order.confirmed' } }],
          outbox: [o1, o2],
          tags: { orderId: 'SO-1b', storeId: 'S-9' },
        }),
      );
      const history = await store.loadHistory(run.id);
      const emitted = history.find((h) => h.type === 'event.emitted');
      assert.deepEqual(
        { position: emitted?.position, at: emitted?.at, data: emitted?.data },
        { position: 2, at: T + 7, data: { type: 'order.confirmed' } },
      );
      const outbox = await store.readOutbox({});
      assert.equal(outbox.length, 2);
      assert.deepEqual({ ...outbox[0], seq: 0 }, { ...o1, seq: 0, runId: run.id, createdAt: T + 7 });
      assert.deepEqual({ ...outbox[1], seq: 0 }, { ...o2, seq: 0, runId: run.id, createdAt: T + 7 });
      assert.ok(outbox[1]!.seq > outbox[0]!.seq);
      assert.deepEqual((await mustGet(store, run.id)).tags, {
        orderId: 'SO-1b',
        channel: 'web',
        storeId: 'S-9',
      });
      assert.deepEqual(
        (await store.searchRuns({ tags: { storeId: 'S-9' } })).map((r) => r.id),
        [run.id],
      );

      // a unit sent again (the worker retried after an unknown outcome) does not duplicate outbox rows
      await commitOk(store, unitFor(run, T + 8, { outbox: [o1] }));
      assert.equal((await store.readOutbox({})).length, 2);
    });

    test('creates tasks with every field', async (store) => {
      const run = await leasedRun(store);
      const task = newTask(run.id, 4, {
        kind: 'exception',
        title: 'Price mismatch on SO-1',
        role: 'pricing',
        assignee: 'alice',
        data: { expected: 10, actual: 12 },
        form: { type: 'object', properties: { price: { type: 'number' } } },
        outcomes: ['accept', 'override'],
        dueAt: T + 2 * HOUR,
        escalateTo: 'pricing-lead',
        createdAt: T + 3,
      });
      await commitOk(store, unitFor(run, T + 3, { tasks: [task] }));
      assert.deepEqual(await store.getTask(task.id), { ...task, status: 'open', updatedAt: T + 3 });
    });

    test('creates child runs linked to the parent, once per idempotency key', async (store) => {
      const parent = await leasedRun(store);
      const child = newRun({
        workflow: 'conformance.shipment',
        input: { orderId: 'SO-1' },
        parentId: parent.id,
        parentPosition: 2,
        idempotencyKey: `${parent.id}:2`,
        queue: 'wms',
        tags: { orderId: 'SO-1' },
        createdAt: T + 5,
      });
      await commitOk(store, unitFor(parent, T + 5, { children: [child] }));
      const stored = await mustGet(store, child.id);
      assert.equal(stored.status, 'pending');
      assert.equal(stored.workflow, 'conformance.shipment');
      assert.equal(stored.parentId, parent.id);
      assert.equal(stored.parentPosition, 2);
      assert.equal(stored.queue, 'wms');
      assert.equal(stored.nextAt, T + 5);
      assert.deepEqual(stored.tags, { orderId: 'SO-1' });

      const again = { ...child, id: newId(T), createdAt: T + 6 };
      await commitOk(store, unitFor(parent, T + 6, { children: [again] }));
      assert.equal(await store.getRun(again.id), undefined);
      assert.deepEqual(
        (await store.searchRuns({ parentId: parent.id })).map((r) => r.id),
        [child.id],
      );
    });

    test('a terminal transition ends the run, releases the lease and cancels its open tasks', async (store) => {
      const run = await leasedRun(store);
      const open = newTask(run.id, 0);
      await commitOk(
        store,
        unitFor(run, T + 1, { journal: [pendingEntry(0, 'task', 'approve')], tasks: [open] }),
      );
      const error = { name: 'StepFailedError', message: 'reserve failed', code: 'STEP_FAILED' };
      await commitOk(store, unitFor(run, T + 100, { run: { status: 'failed', error, release: true } }));
      const ended = await mustGet(store, run.id);
      assert.equal(ended.status, 'failed');
      assert.deepEqual(ended.error, error);
      assert.equal(ended.endedAt, T + 100);
      assert.equal(ended.leaseOwner, undefined);
      assert.equal(ended.leaseUntil, undefined);
      assert.equal(ended.nextAt, undefined);
      assert.equal((await store.getTask(open.id))?.status, 'cancelled');
      assert.deepEqual(await claim(store, { now: T + HOUR }), [], 'a terminal run is never claimed');

      const done = await leasedRun(store);
      await commitOk(
        store,
        unitFor(done, T + 50, { run: { status: 'completed', output: { shipped: 3 }, release: true } }),
      );
      const completed = await mustGet(store, done.id);
      assert.equal(completed.status, 'completed');
      assert.deepEqual(completed.output, { shipped: 3 });
      assert.equal(completed.endedAt, T + 50);
      assert.equal(completed.leaseOwner, undefined);
    });

    test("a completed child completes the parent's pending entry and wakes the parent", async (store) => {
      const { parent, childId } = await parentWaitingOnChild(store, 1);
      const waiting = await mustGet(store, parent.id);
      assert.equal(waiting.status, 'waiting');
      assert.equal(waiting.nextAt, undefined);
      assert.deepEqual(await claim(store, { now: T + 2 }).then((c) => c.map((x) => x.run.id)), [childId]);
      const child = await mustGet(store, childId);
      await commitOk(
        store,
        unitFor(child, T + 50, { run: { status: 'completed', output: { ok: true }, release: true } }),
      );

      const entry = (await store.loadJournal(parent.id)).find((e) => e.position === 1);
      assert.equal(entry?.status, 'completed');
      assert.deepEqual(entry?.result, { ok: true });
      assert.equal(entry?.endedAt, T + 50);
      const woken = await mustGet(store, parent.id);
      assert.equal(woken.wakeSeq, waiting.wakeSeq + 1);
      assert.equal(woken.nextAt, T + 50);
      const [resumed] = await claim(store, { now: T + 50 });
      assert.equal(resumed?.run.id, parent.id);
    });

    test("a failed child fails the parent's pending entry and wakes the parent", async (store) => {
      const { parent, childId } = await parentWaitingOnChild(store, 1);
      await claim(store, { now: T + 2 });
      const child = await mustGet(store, childId);
      await commitOk(
        store,
        unitFor(child, T + 60, {
          run: {
            status: 'failed',
            error: { name: 'ApplicationFailure', message: 'carrier refused' },
            release: true,
          },
        }),
      );
      const entry = (await store.loadJournal(parent.id)).find((e) => e.position === 1);
      assert.equal(entry?.status, 'failed');
      assert.ok(entry?.error, 'the entry carries an error');
      assert.match(entry.error.message, /carrier refused/);
      const woken = await mustGet(store, parent.id);
      assert.equal(woken.wakeSeq, 1);
      assert.equal(woken.nextAt, T + 60);
    });

    test('a waiting transition sets nextAt and releases the lease', async (store) => {
      const run = await leasedRun(store);
      await commitOk(
        store,
        unitFor(run, T + 10, {
          journal: [pendingEntry(0, 'sleep', 'cool-off', { deadline: T + 60_000 })],
          run: { status: 'waiting', nextAt: T + 60_000, release: true },
        }),
      );
      const waiting = await mustGet(store, run.id);
      assert.equal(waiting.status, 'waiting');
      assert.equal(waiting.nextAt, T + 60_000);
      assert.equal(waiting.leaseOwner, undefined);
      assert.equal(waiting.leaseUntil, undefined);
      assert.equal(waiting.endedAt, undefined);
      assert.deepEqual(await claim(store, { now: T + 59_999 }), []);
      assert.equal((await claim(store, { now: T + 60_000 })).length, 1);
    });

    test('a waiting transition makes the run runnable at once when it was woken meanwhile', async (store) => {
      const run = await leasedRun(store);
      await commitOk(
        store,
        unitFor(run, T + 1, {
          eventWaits: [
            {
              ...pendingEntry(0, 'event', 'payment.captured'),
              input: { type: 'payment.captured', since: T },
            },
          ],
        }),
      );
      const delivered = await store.deliverEvent({
        id: newId(T),
        type: 'payment.captured',
        data: { orderId: 'SO-1' },
        receivedAt: T + 5,
      });
      assert.deepEqual(delivered.woke, [run.id]);
      // the lease holder suspends with the wake sequence it saw before the event
      await commitOk(
        store,
        unitFor(run, T + 10, { run: { status: 'waiting', nextAt: T + HOUR, release: true } }),
      );
      const now = await mustGet(store, run.id);
      assert.equal(now.status, 'waiting');
      assert.equal(now.nextAt, T + 10);
      const [again] = await claim(store, { now: T + 10 });
      assert.equal(again?.run.id, run.id);
    });

    test('reports cancelRequested to the lease holder', async (store) => {
      const run = await leasedRun(store);
      assert.equal((await commitOk(store, unitFor(run, T + 1))).cancelRequested, false);
      await store.requestCancel(run.id, T + 2, 'customer cancelled');
      const res = await commitOk(store, unitFor(run, T + 3, { journal: [stepEntry(0, 'validate')] }));
      assert.equal(res.cancelRequested, true);
      assert.equal((await store.loadJournal(run.id)).length, 1, 'the holder may still write');
    });
  });
}
