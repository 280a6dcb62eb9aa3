import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ConflictError, NotFoundError, newId } from '../../core/index.js';
import {
  claim,
  HOUR,
  ids,
  leasedRun,
  mustGet,
  newTask,
  type StoreTest,
  sorted,
  T,
  waitOnTasks,
} from './fixtures.js';

export function taskTests(test: StoreTest): void {
  describe('tasks', () => {
    test('getTask and listTasks by role, assignee, status, run and overdue time', async (store) => {
      const a = await leasedRun(store);
      const b = await leasedRun(store);
      const t1 = newTask(a.id, 0, { role: 'ops', assignee: 'alice', dueAt: T + 1000 });
      const t2 = newTask(a.id, 1, { role: 'finance', dueAt: T + 5000 });
      const t3 = newTask(b.id, 0, { role: 'ops' });
      const t4 = newTask(b.id, 1, { role: 'ops', dueAt: T + 500 });
      await waitOnTasks(store, a, [t1, t2]);
      await waitOnTasks(store, b, [t3, t4]);
      await store.changeTask(
        t4.id,
        { action: 'complete', outcome: 'approve', values: {}, by: 'bob' },
        T + 100,
      );

      const list = async (q: Parameters<typeof store.listTasks>[0]) => sorted(ids(await store.listTasks(q)));
      assert.deepEqual(await list({}), sorted(ids([t1, t2, t3, t4])));
      assert.deepEqual(await list({ role: 'ops' }), sorted(ids([t1, t3, t4])));
      assert.deepEqual(await list({ assignee: 'alice' }), [t1.id]);
      assert.deepEqual(await list({ status: 'open' }), sorted(ids([t1, t2, t3])));
      assert.deepEqual(await list({ status: ['completed', 'cancelled'] }), [t4.id]);
      assert.deepEqual(await list({ runId: b.id }), sorted(ids([t3, t4])));
      assert.deepEqual(await list({ role: 'ops', status: 'open' }), sorted(ids([t1, t3])));
      assert.deepEqual(await list({ overdueAt: T + 2000 }), [t1.id]);
      assert.deepEqual(await list({ overdueAt: T + 6000 }), sorted(ids([t1, t2])));
      assert.deepEqual(await list({ overdueAt: T + 2000, role: 'finance' }), []);
      assert.equal((await store.listTasks({ limit: 2 })).length, 2);

      const got = await store.getTask(t1.id);
      assert.deepEqual(got, { ...t1, status: 'open', updatedAt: T });
      assert.equal(await store.getTask(newId(T)), undefined);
    });

    test('claim, delegate and reassign', async (store) => {
      const run = await leasedRun(store);
      const task = newTask(run.id, 0, { role: 'ops' });
      await waitOnTasks(store, run, [task]);

      const claimed = await store.changeTask(task.id, { action: 'claim', by: 'alice' }, T + 1);
      assert.equal(claimed.status, 'claimed');
      assert.equal(claimed.claimedBy, 'alice');
      assert.equal(claimed.assignee, 'alice');
      assert.equal(claimed.updatedAt, T + 1);
      await assert.rejects(store.changeTask(task.id, { action: 'claim', by: 'bob' }, T + 2), ConflictError);
      assert.equal((await store.getTask(task.id))?.claimedBy, 'alice');
      assert.equal(
        (await store.changeTask(task.id, { action: 'claim', by: 'alice' }, T + 3)).status,
        'claimed',
      );

      const delegated = await store.changeTask(
        task.id,
        { action: 'delegate', to: 'carol', by: 'lead' },
        T + 4,
      );
      assert.equal(delegated.assignee, 'carol');
      assert.equal(delegated.delegatedFrom, 'alice');
      assert.equal(delegated.status, 'open');
      assert.equal(delegated.claimedBy, undefined);

      const moved = await store.changeTask(
        task.id,
        { action: 'reassign', role: 'finance', assignee: null, by: 'lead' },
        T + 5,
      );
      assert.equal(moved.role, 'finance');
      assert.equal(moved.assignee, undefined);
      assert.equal(moved.status, 'open');
      assert.deepEqual(await store.getTask(task.id), moved);
      const reassigned = await store.changeTask(
        task.id,
        { action: 'reassign', assignee: 'dave', by: 'lead' },
        T + 6,
      );
      assert.equal(reassigned.role, 'finance', 'an absent role is kept');
      assert.equal(reassigned.assignee, 'dave');

      const types = (await store.loadHistory(run.id)).map((h) => h.type);
      for (const type of ['task.claimed', 'task.delegated', 'task.reassigned'])
        assert.ok(types.includes(type), `${type} is recorded`);
      await assert.rejects(store.changeTask(newId(T), { action: 'claim', by: 'x' }, T), NotFoundError);
    });

    test('complete records the decision in the journal and wakes the run, once', async (store) => {
      const run = await leasedRun(store);
      const task = newTask(run.id, 0, { outcomes: ['approve', 'reject'] });
      await waitOnTasks(store, run, [task]);
      const waiting = await mustGet(store, run.id);

      const bad = { action: 'complete', outcome: 'maybe', values: {}, by: 'alice' } as const;
      await assert.rejects(store.changeTask(task.id, bad, T + 100), ConflictError);
      assert.equal((await store.getTask(task.id))?.status, 'open');
      assert.equal((await store.loadJournal(run.id))[0]?.status, 'pending');

      const values = { limit: 500, note: 'ok for key account' };
      const done = await store.changeTask(
        task.id,
        { action: 'complete', outcome: 'approve', values, by: 'alice' },
        T + 200,
      );
      assert.equal(done.status, 'completed');
      assert.equal(done.outcome, 'approve');
      assert.deepEqual(done.values, values);
      assert.equal(done.decidedBy, 'alice');
      assert.equal(done.completedAt, T + 200);
      const entry = (await store.loadJournal(run.id))[0];
      assert.equal(entry?.status, 'completed');
      assert.deepEqual(entry?.result, { outcome: 'approve', values, by: 'alice', at: T + 200 });
      const woken = await mustGet(store, run.id);
      assert.equal(woken.wakeSeq, waiting.wakeSeq + 1);
      assert.equal(woken.nextAt, T + 200);
      assert.ok(
        (await store.loadHistory(run.id)).some((h) => h.type === 'task.completed' && h.position === 0),
      );
      assert.equal((await claim(store, { now: T + 200 }))[0]?.run.id, run.id);

      await assert.rejects(
        store.changeTask(task.id, { action: 'complete', outcome: 'reject', values: {}, by: 'bob' }, T + 300),
        ConflictError,
      );
      assert.equal((await store.getTask(task.id))?.outcome, 'approve');
      await assert.rejects(store.changeTask(task.id, { action: 'claim', by: 'bob' }, T + 300), ConflictError);
    });

    test('escalateDueTasks escalates once to escalateTo and marks the others overdue once', async (store) => {
      const run = await leasedRun(store);
      const escalating = newTask(run.id, 0, {
        role: 'ops',
        assignee: 'alice',
        dueAt: T + HOUR,
        escalateTo: 'ops-lead',
      });
      const overdue = newTask(run.id, 1, { role: 'finance', dueAt: T + HOUR });
      const later = newTask(run.id, 2, { role: 'ops', dueAt: T + 10 * HOUR, escalateTo: 'ops-lead' });
      const undated = newTask(run.id, 3, { role: 'ops', escalateTo: 'ops-lead' });
      await waitOnTasks(store, run, [escalating, overdue, later, undated]);
      await store.changeTask(escalating.id, { action: 'claim', by: 'alice' }, T + 1);

      assert.deepEqual(await store.escalateDueTasks(T + HOUR / 2), []);
      const now = T + 2 * HOUR;
      const first = await store.escalateDueTasks(now);
      assert.deepEqual(sorted(ids(first)), sorted(ids([escalating, overdue])));
      const up = await store.getTask(escalating.id);
      assert.equal(up?.role, 'ops-lead');
      assert.equal(up?.assignee, undefined);
      assert.equal(up?.claimedBy, undefined);
      assert.equal(up?.status, 'open');
      assert.equal(up?.escalatedAt, now);
      assert.deepEqual(
        first.find((t) => t.id === escalating.id),
        up,
      );
      const marked = await store.getTask(overdue.id);
      assert.equal(marked?.role, 'finance');
      assert.equal(marked?.escalatedAt, now);

      assert.deepEqual(await store.escalateDueTasks(now + HOUR), [], 'each task once');
      const history = await store.loadHistory(run.id);
      const escalated = history.filter((h) => h.type === 'task.escalated');
      assert.deepEqual(
        escalated.map((h) => [h.position, h.at]),
        [[0, now]],
      );
      assert.deepEqual(
        history.filter((h) => h.type === 'task.overdue').map((h) => [h.position, h.at]),
        [[1, now]],
      );
      assert.deepEqual(ids(await store.escalateDueTasks(T + 11 * HOUR)), [later.id]);
    });
  });
}
