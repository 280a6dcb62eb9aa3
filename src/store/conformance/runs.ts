import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../core/index.js';
import {
  claim,
  commitOk,
  historyTypes,
  ids,
  LEASE_MS,
  leasedRun,
  newRun,
  OWNER_B,
  pendingEntry,
  pendingRun,
  type StoreTest,
  stepEntry,
  T,
  unitFor,
  WF,
} from './fixtures.js';

export function runTests(test: StoreTest): void {
  describe('createRun', () => {
    test('stores every field and getRun returns the same record', async (store) => {
      const input = { orderId: 'SO-1', lines: [{ sku: 'SKU-9', qty: 2 }], rush: true, note: null };
      const spec = newRun({
        input,
        idempotencyKey: 'order:SO-1',
        queue: 'erp',
        concurrencyKey: 'order:SO-1',
        concurrencyLimit: 2,
        tags: { orderId: 'SO-1', storeId: 'S-042' },
      });
      const res = await store.createRun(spec);
      assert.equal(res.created, true);
      assert.equal(res.claimed, false);
      const run = res.run;
      assert.equal(run.id, spec.id);
      assert.equal(run.workflow, WF);
      assert.equal(run.version, 1);
      assert.equal(run.status, 'pending');
      assert.deepEqual(run.input, input);
      assert.equal(run.idempotencyKey, 'order:SO-1');
      assert.equal(run.queue, 'erp');
      assert.equal(run.concurrencyKey, 'order:SO-1');
      assert.equal(run.concurrencyLimit, 2);
      assert.deepEqual(run.tags, { orderId: 'SO-1', storeId: 'S-042' });
      assert.equal(run.nextAt, T, 'nextAt defaults to createdAt');
      assert.equal(run.leaseOwner, undefined);
      assert.equal(run.leaseUntil, undefined);
      assert.equal(run.leaseToken, 0);
      assert.equal(run.wakeSeq, 0);
      assert.equal(run.cancelRequested, false);
      assert.equal(run.claims, 0);
      assert.equal(run.createdAt, T);
      assert.equal(run.startedAt, undefined);
      assert.equal(run.endedAt, undefined);
      assert.deepEqual(await store.getRun(run.id), run);
      assert.deepEqual(await historyTypes(store, run.id), ['run.created']);
    });

    test('uses the default queue, an explicit nextAt and no tags', async (store) => {
      const run = await pendingRun(store, { nextAt: T + 5000 });
      assert.equal(run.queue, 'default');
      assert.equal(run.nextAt, T + 5000);
      assert.deepEqual(run.tags, {});
      assert.equal(run.concurrencyKey, undefined);
    });

    test('getRun of an unknown id returns undefined', async (store) => {
      assert.equal(await store.getRun(newId(T)), undefined);
    });

    test('an existing idempotency key returns the existing run, created=false', async (store) => {
      const first = await pendingRun(store, { idempotencyKey: 'start:SO-7', input: { n: 1 } });
      const again = newRun({ idempotencyKey: 'start:SO-7', input: { n: 2 } });
      const res = await store.createRun(again, { owner: OWNER_B, leaseMs: LEASE_MS });
      assert.equal(res.created, false);
      assert.equal(res.claimed, false);
      assert.equal(res.run.id, first.id);
      assert.deepEqual(res.run.input, { n: 1 });
      assert.equal(res.run.status, 'pending');
      assert.equal(await store.getRun(again.id), undefined);
      assert.equal((await store.searchRuns({})).length, 1);
    });

    test('with a claim, leases the run to the caller at once', async (store) => {
      const res = await store.createRun(newRun(), { owner: OWNER_B, leaseMs: 10_000 });
      assert.equal(res.created, true);
      assert.equal(res.claimed, true);
      assert.equal(res.run.status, 'running');
      assert.equal(res.run.leaseOwner, OWNER_B);
      assert.equal(res.run.leaseToken, 1);
      assert.equal(res.run.leaseUntil, T + 10_000);
      assert.equal(res.run.claims, 1);
      assert.equal(res.run.startedAt, T);
      assert.deepEqual(await store.getRun(res.run.id), res.run);
      assert.deepEqual(await claim(store, { now: T + 1 }), [], 'a leased run is not claimed again');
    });

    test('with a claim, is refused when the concurrency key has its limit of active runs', async (store) => {
      const key = { concurrencyKey: 'sku:SKU-1', concurrencyLimit: 2 };
      const lease = { owner: OWNER_B, leaseMs: LEASE_MS };
      assert.equal((await store.createRun(newRun(key), lease)).claimed, true);
      assert.equal((await store.createRun(newRun(key), lease)).claimed, true);
      const third = await store.createRun(newRun(key), lease);
      assert.equal(third.created, true);
      assert.equal(third.claimed, false);
      assert.equal(third.run.status, 'pending');
      assert.equal(third.run.leaseOwner, undefined);
      assert.equal(third.run.leaseToken, 0);
      const other = await store.createRun(
        newRun({ concurrencyKey: 'sku:SKU-2', concurrencyLimit: 2 }),
        lease,
      );
      assert.equal(other.claimed, true, 'another key is not affected');
    });
  });

  describe('searchRuns', () => {
    test('filters by status, workflow, version, tags, creation time and parent; newest first', async (store) => {
      const a = await pendingRun(store, { createdAt: T, tags: { orderId: 'SO-1', storeId: 'S1' } });
      const b = await pendingRun(store, {
        createdAt: T + 1000,
        version: 2,
        tags: { orderId: 'SO-2', storeId: 'S1' },
      });
      const c = await pendingRun(store, {
        createdAt: T + 2000,
        workflow: 'conformance.transfer',
        tags: { orderId: 'SO-1', storeId: 'S2' },
      });
      const d = await pendingRun(store, { createdAt: T + 3000, parentId: a.id, parentPosition: 0 });
      const e = await leasedRun(store, { createdAt: T + 4000 });
      const f = await leasedRun(store, { createdAt: T + 5000 });
      await commitOk(store, unitFor(f, T + 5100, { run: { status: 'completed', output: 1, release: true } }));

      assert.deepEqual(ids(await store.searchRuns({})), ids([f, e, d, c, b, a]));
      assert.deepEqual(ids(await store.searchRuns({ status: 'pending' })), ids([d, c, b, a]));
      assert.deepEqual(ids(await store.searchRuns({ status: ['running', 'completed'] })), ids([f, e]));
      assert.deepEqual(ids(await store.searchRuns({ workflow: WF })), ids([f, e, d, b, a]));
      assert.deepEqual(ids(await store.searchRuns({ workflow: WF, version: 1 })), ids([f, e, d, a]));
      assert.deepEqual(ids(await store.searchRuns({ version: 2 })), ids([b]));
      assert.deepEqual(ids(await store.searchRuns({ tags: { orderId: 'SO-1' } })), ids([c, a]));
      assert.deepEqual(ids(await store.searchRuns({ tags: { storeId: 'S1' } })), ids([b, a]));
      assert.deepEqual(ids(await store.searchRuns({ tags: { orderId: 'SO-1', storeId: 'S1' } })), ids([a]));
      assert.deepEqual(ids(await store.searchRuns({ tags: { orderId: 'SO-1', storeId: 'S9' } })), []);
      assert.deepEqual(ids(await store.searchRuns({ createdAfter: T + 500 })), ids([f, e, d, c, b]));
      assert.deepEqual(ids(await store.searchRuns({ createdBefore: T + 2500 })), ids([c, b, a]));
      assert.deepEqual(
        ids(await store.searchRuns({ createdAfter: T + 500, createdBefore: T + 2500 })),
        ids([c, b]),
      );
      assert.deepEqual(ids(await store.searchRuns({ parentId: a.id })), ids([d]));
      assert.deepEqual(
        ids(await store.searchRuns({ status: 'pending', tags: { storeId: 'S1' } })),
        ids([b, a]),
      );
      const found = await store.searchRuns({ tags: { orderId: 'SO-2' } });
      assert.deepEqual(found[0]?.tags, { orderId: 'SO-2', storeId: 'S1' }, 'results carry their tags');
    });

    test('limit and before page through the runs, newest first', async (store) => {
      const runs = [];
      for (let i = 0; i < 5; i++) runs.push(await pendingRun(store, { createdAt: T + i * 1000 }));
      const [r0, r1, r2, r3, r4] = runs;
      const page1 = await store.searchRuns({ limit: 2 });
      assert.deepEqual(ids(page1), ids([r4!, r3!]));
      const page2 = await store.searchRuns({ limit: 2, before: page1[1]!.id });
      assert.deepEqual(ids(page2), ids([r2!, r1!]));
      const page3 = await store.searchRuns({ limit: 2, before: page2[1]!.id });
      assert.deepEqual(ids(page3), ids([r0!]));
      assert.deepEqual(await store.searchRuns({ limit: 2, before: r0!.id }), []);
    });
  });

  describe('loadJournal, loadHistory, listTimers', () => {
    test('loadJournal returns entries in position order with every field', async (store) => {
      const run = await leasedRun(store);
      const failed = stepEntry(1, 'reserve', {
        status: 'failed',
        result: undefined,
        error: { name: 'ApplicationFailure', message: 'no stock', type: 'OutOfStock' },
        attempts: 3,
        startedAt: T + 10,
        endedAt: T + 20,
      });
      await commitOk(
        store,
        unitFor(run, T + 30, {
          journal: [
            pendingEntry(2, 'sleep', 'cool-off', { input: { ms: 1000 }, deadline: T + 1000 }),
            stepEntry(0, 'validate', { input: { check: 'price' }, result: { ok: true, price: 12.5 } }),
            failed,
          ],
        }),
      );
      const journal = await store.loadJournal(run.id);
      assert.deepEqual(
        journal.map((e) => e.position),
        [0, 1, 2],
      );
      assert.deepEqual(journal[0], {
        runId: run.id,
        position: 0,
        kind: 'step',
        name: 'validate',
        status: 'completed',
        input: { check: 'price' },
        result: { ok: true, price: 12.5 },
        attempts: 1,
        startedAt: T,
        endedAt: T,
      });
      assert.deepEqual(journal[1]?.error, failed.error);
      assert.equal(journal[1]?.status, 'failed');
      assert.equal(journal[1]?.attempts, 3);
      assert.equal(journal[2]?.status, 'pending');
      assert.equal(journal[2]?.deadline, T + 1000);
      assert.equal(journal[2]?.endedAt, undefined);
      assert.deepEqual(await store.loadJournal(newId(T)), []);
    });

    test('loadHistory returns rows in the order they were written', async (store) => {
      const run = await leasedRun(store);
      await commitOk(
        store,
        unitFor(run, T + 5, {
          history: [
            { type: 'step.started', position: 0, at: T + 3 },
            { type: 'step.completed', position: 0, at: T + 1, data: { attempts: 1 } },
          ],
        }),
      );
      await commitOk(store, unitFor(run, T + 6, { history: [{ type: 'note', at: T + 2 }] }));
      const history = await store.loadHistory(run.id);
      assert.deepEqual(
        history.map((h) => h.type),
        ['run.created', 'run.started', 'step.started', 'step.completed', 'note'],
      );
      for (let i = 1; i < history.length; i++) assert.ok(history[i]!.id > history[i - 1]!.id);
      const completed = history[3]!;
      assert.equal(completed.runId, run.id);
      assert.equal(completed.position, 0);
      assert.equal(completed.at, T + 1);
      assert.deepEqual(completed.data, { attempts: 1 });
    });

    test('listTimers returns pending entries with a deadline, soonest first', async (store) => {
      const r1 = await leasedRun(store);
      const r2 = await leasedRun(store);
      await commitOk(
        store,
        unitFor(r1, T, {
          journal: [
            stepEntry(0, 'done', { deadline: T + 100 }),
            pendingEntry(1, 'sleep', 'nap', { deadline: T + 5000 }),
          ],
          run: { status: 'waiting', nextAt: T + 5000, release: true },
        }),
      );
      await commitOk(
        store,
        unitFor(r2, T, {
          journal: [
            pendingEntry(0, 'task', 'approve'),
            pendingEntry(1, 'event', 'shipment.dispatched', { deadline: T + 2000 }),
          ],
          run: { status: 'waiting', nextAt: T + 2000, release: true },
        }),
      );
      assert.deepEqual(await store.listTimers({}), [
        { runId: r2.id, position: 1, kind: 'event', name: 'shipment.dispatched', deadline: T + 2000 },
        { runId: r1.id, position: 1, kind: 'sleep', name: 'nap', deadline: T + 5000 },
      ]);
      assert.deepEqual(
        (await store.listTimers({ dueBefore: T + 3000 })).map((t) => t.runId),
        [r2.id],
      );
      assert.deepEqual(
        (await store.listTimers({ limit: 1 })).map((t) => t.runId),
        [r2.id],
      );
      assert.deepEqual(await store.listTimers({ dueBefore: T + 1000 }), []);
    });
  });
}
