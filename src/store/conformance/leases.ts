import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../core/index.js';
import {
  claim,
  commitOk,
  HOUR,
  historyTypes,
  ids,
  LEASE_MS,
  leasedRun,
  mustGet,
  OWNER,
  OWNER_B,
  pendingEntry,
  pendingRun,
  type StoreTest,
  sorted,
  stepEntry,
  T,
  unitFor,
  WF,
  WF_KEY,
} from './fixtures.js';

const WF_V2 = `${WF}@2`;

export function leaseTests(test: StoreTest): void {
  describe('claimRuns', () => {
    test('claims only listed workflow versions and queues, and leases what it claims', async (store) => {
      const a = await pendingRun(store);
      const b = await pendingRun(store, { version: 2 });
      const c = await pendingRun(store, { queue: 'erp' });
      const d = await pendingRun(store, { workflow: 'conformance.transfer' });

      const first = await claim(store, { now: T + 10 });
      assert.deepEqual(ids(first.map((x) => x.run)), [a.id], 'only v1 in the default queue');
      const got = first[0]!;
      assert.equal(got.recovered, false);
      assert.equal(got.run.status, 'running');
      assert.equal(got.run.leaseOwner, OWNER);
      assert.equal(got.run.leaseToken, 1);
      assert.equal(got.run.leaseUntil, T + 10 + LEASE_MS);
      assert.equal(got.run.claims, 1);
      assert.equal(got.run.startedAt, T + 10);
      assert.deepEqual(await mustGet(store, a.id), got.run);
      assert.deepEqual(await historyTypes(store, a.id), ['run.created', 'run.started']);

      const erp = await claim(store, { now: T + 10, workflows: [WF_KEY, WF_V2], queues: ['erp'] });
      assert.deepEqual(ids(erp.map((x) => x.run)), [c.id]);
      const v2 = await claim(store, { now: T + 10, workflows: [WF_V2], queues: ['default'] });
      assert.deepEqual(ids(v2.map((x) => x.run)), [b.id]);
      assert.deepEqual(
        await claim(store, { now: T + 10, workflows: [WF_KEY, WF_V2], queues: ['default', 'erp'] }),
        [],
      );
      assert.equal((await mustGet(store, d.id)).status, 'pending');
    });

    test('claims only runs that are due, earliest first, up to the limit', async (store) => {
      const late = await pendingRun(store, { nextAt: T + 10_000 });
      const due = [];
      for (let i = 4; i >= 0; i--) due.push(await pendingRun(store, { nextAt: T - i * 100 }));
      // due[4] is due at T, due[0] at T - 400
      const first = await claim(store, { limit: 2 });
      assert.deepEqual(sorted(first.map((x) => x.run.id)), sorted([due[0]!.id, due[1]!.id]));
      const rest = await claim(store, { limit: 10 });
      assert.deepEqual(sorted(rest.map((x) => x.run.id)), sorted([due[2]!.id, due[3]!.id, due[4]!.id]));
      assert.deepEqual(await claim(store, { now: T + 9_999 }), []);
      const last = await claim(store, { now: T + 10_000 });
      assert.deepEqual(
        last.map((x) => x.run.id),
        [late.id],
      );
      assert.deepEqual(await claim(store, { limit: 0, now: T + HOUR }), []);
    });

    test('a run under a live lease is not claimed again, even when woken', async (store) => {
      const run = await pendingRun(store);
      const [first] = await claim(store, { leaseMs: 1000 });
      assert.equal(first?.run.leaseToken, 1);
      assert.deepEqual(await claim(store, { owner: OWNER_B, now: T + 999 }), []);

      // an event makes the run due while its holder still executes it
      const wait = { type: 'payment.captured', since: T };
      await commitOk(
        store,
        unitFor(first!.run, T + 1, { eventWaits: [{ ...pendingEntry(0, 'event', wait.type), input: wait }] }),
      );
      const delivered = await store.deliverEvent({
        id: newId(T),
        type: wait.type,
        data: {},
        receivedAt: T + 2,
      });
      assert.deepEqual(delivered.woke, [run.id]);
      const other = await pendingRun(store, { createdAt: T + 3 });
      const got = await claim(store, { owner: OWNER_B, now: T + 500 });
      assert.deepEqual(
        got.map((x) => x.run.id),
        [other.id],
      );
      const again = await mustGet(store, run.id);
      assert.equal(again.leaseOwner, OWNER);
      assert.equal(again.leaseToken, 1);
      assert.equal(again.claims, 1);
    });

    test('an expired lease is re-claimed as a recovery that names the previous owner', async (store) => {
      // seed a run whose worker vanished four hours ago
      const stale = T - 4 * HOUR;
      const run = await pendingRun(store, { createdAt: stale });
      const [lost] = await claim(store, { owner: OWNER, now: stale, leaseMs: 60_000 });
      assert.equal(lost?.run.leaseToken, 1);

      const [back] = await claim(store, { owner: OWNER_B, now: T });
      assert.ok(back, 'the run is claimed again');
      assert.equal(back.recovered, true);
      assert.equal(back.run.id, run.id);
      assert.equal(back.run.leaseOwner, OWNER_B);
      assert.equal(back.run.leaseToken, 2);
      assert.equal(back.run.leaseUntil, T + LEASE_MS);
      assert.equal(back.run.claims, 2);
      assert.equal(back.run.startedAt, stale, 'startedAt is kept');
      const history = await store.loadHistory(run.id);
      const recovered = history.filter((h) => h.type === 'run.recovered');
      assert.equal(recovered.length, 1);
      assert.equal(recovered[0]?.at, T);
      assert.equal(recovered[0]?.data?.previousOwner, OWNER);

      // the vanished worker is fenced off
      assert.deepEqual(await store.commit(unitFor(lost!.run, T + 1, { history: [{ type: 'x', at: T }] })), {
        ok: false,
        reason: 'lease-lost',
      });
      assert.deepEqual(await store.heartbeat(OWNER, [{ runId: run.id, token: 1 }], LEASE_MS, T + 1), [
        run.id,
      ]);
    });

    test('a released run that is due again is claimed without counting as a recovery', async (store) => {
      const run = await leasedRun(store);
      await commitOk(
        store,
        unitFor(run, T + 10, { run: { status: 'waiting', nextAt: T + 1000, release: true } }),
      );
      assert.deepEqual(await claim(store, { now: T + 999 }), []);
      const [back] = await claim(store, { owner: OWNER_B, now: T + 1000 });
      assert.equal(back?.recovered, false);
      assert.equal(back?.run.status, 'running');
      assert.equal(back?.run.leaseToken, 2);
      assert.equal(back?.run.leaseOwner, OWNER_B);
      assert.ok(!(await historyTypes(store, run.id)).includes('run.recovered'));
    });

    test('per-key concurrency: one run at a time, the next one once the first ends', async (store) => {
      const key = { concurrencyKey: 'order:SO-1', concurrencyLimit: 1 };
      const a = await pendingRun(store, { ...key, nextAt: T - 10 });
      const b = await pendingRun(store, key);
      const free = await pendingRun(store, { concurrencyKey: 'order:SO-2', concurrencyLimit: 1 });
      const first = await claim(store);
      assert.deepEqual(sorted(first.map((x) => x.run.id)), sorted([a.id, free.id]));
      assert.deepEqual(await claim(store, { now: T + 10 }), []);

      // a run that waits still holds its slot
      const heldA = first.find((x) => x.run.id === a.id)!.run;
      await commitOk(
        store,
        unitFor(heldA, T + 20, { run: { status: 'waiting', nextAt: T + 500, release: true } }),
      );
      assert.deepEqual(await claim(store, { now: T + 30 }), []);

      const [resumed] = await claim(store, { now: T + 500 });
      assert.equal(resumed?.run.id, a.id, 'the holder itself resumes');
      await commitOk(
        store,
        unitFor(resumed!.run, T + 600, { run: { status: 'completed', output: null, release: true } }),
      );
      const next = await claim(store, { now: T + 600 });
      assert.deepEqual(
        next.map((x) => x.run.id),
        [b.id],
      );
    });

    test('per-key concurrency allows up to the limit', async (store) => {
      const key = { concurrencyKey: 'erp', concurrencyLimit: 2 };
      for (let i = 0; i < 4; i++) await pendingRun(store, key);
      assert.equal((await claim(store)).length, 2);
      assert.equal((await claim(store, { now: T + 1 })).length, 0);
    });

    test('runs held back by a full key do not block other runs', async (store) => {
      const holder = await leasedRun(store, { concurrencyKey: 'sku:SKU-1', concurrencyLimit: 1 });
      for (let i = 0; i < 10; i++)
        await pendingRun(store, { concurrencyKey: 'sku:SKU-1', concurrencyLimit: 1, nextAt: T - 1000 + i });
      const other = await pendingRun(store);
      const got = await claim(store, { limit: 1, now: T + 1 });
      assert.deepEqual(
        got.map((x) => x.run.id),
        [other.id],
      );
      assert.equal((await mustGet(store, holder.id)).leaseToken, 1);
    });

    test('a run reset to pending waits for its key like a new one', async (store) => {
      const key = { concurrencyKey: 'order:SO-9', concurrencyLimit: 1 };
      const a = await leasedRun(store, key);
      await commitOk(
        store,
        unitFor(a, T + 10, {
          journal: [
            stepEntry(0, 'charge', { status: 'failed', error: { name: 'Error', message: 'declined' } }),
          ],
          run: { status: 'failed', error: { name: 'Error', message: 'declined' }, release: true },
        }),
      );
      const b = await leasedRun(store, { ...key, createdAt: T + 20 });
      await store.resetRun(a.id, { kind: 'retry' }, T + 30);
      assert.deepEqual(await claim(store, { now: T + 40 }), [], 'b holds the key');
      await commitOk(store, unitFor(b, T + 50, { run: { status: 'completed', release: true } }));
      const [again] = await claim(store, { now: T + 60 });
      assert.equal(again?.run.id, a.id);
    });
  });

  describe('heartbeat', () => {
    test('extends held leases and reports the ones taken over', async (store) => {
      const a = await pendingRun(store);
      const b = await pendingRun(store);
      assert.equal((await claim(store, { leaseMs: 1000 })).length, 2);
      assert.deepEqual(await store.heartbeat(OWNER, [], 5000, T + 500), []);
      const both = [
        { runId: a.id, token: 1 },
        { runId: b.id, token: 1 },
      ];
      assert.deepEqual(await store.heartbeat(OWNER, both, 5000, T + 500), []);
      assert.equal((await mustGet(store, a.id)).leaseUntil, T + 5500);
      assert.equal((await mustGet(store, b.id)).leaseUntil, T + 5500);
      assert.deepEqual(await claim(store, { owner: OWNER_B, now: T + 2000 }), [], 'extended leases hold');

      // only a is kept alive; b expires and another worker takes it over
      assert.deepEqual(await store.heartbeat(OWNER, [{ runId: a.id, token: 1 }], 5000, T + 5000), []);
      const taken = await claim(store, { owner: OWNER_B, now: T + 6000 });
      assert.deepEqual(
        taken.map((x) => x.run.id),
        [b.id],
      );
      assert.equal(taken[0]?.recovered, true);

      assert.deepEqual(await store.heartbeat(OWNER, both, 5000, T + 6500), [b.id]);
      assert.equal((await mustGet(store, a.id)).leaseUntil, T + 11_500);
      const bNow = await mustGet(store, b.id);
      assert.equal(bNow.leaseOwner, OWNER_B);
      assert.equal(bNow.leaseUntil, T + 6000 + LEASE_MS, 'the old holder does not extend the new lease');
    });

    test('a lease named by another owner or a released run is reported lost', async (store) => {
      const a = await leasedRun(store);
      const b = await leasedRun(store);
      await commitOk(store, unitFor(b, T + 1, { run: { status: 'waiting', release: true } }));
      assert.deepEqual(await store.heartbeat(OWNER_B, [{ runId: a.id, token: 1 }], 5000, T + 2), [a.id]);
      assert.deepEqual(await store.heartbeat(OWNER, [{ runId: b.id, token: 1 }], 5000, T + 2), [b.id]);
      assert.equal((await mustGet(store, a.id)).leaseUntil, T + LEASE_MS);
    });

    test('a lease the same owner claimed again is lost for the older token', async (store) => {
      const run = await pendingRun(store);
      await claim(store, { leaseMs: 1000 });
      const [again] = await claim(store, { now: T + 5000, leaseMs: 1000 });
      assert.equal(again?.run.leaseToken, 2);
      assert.deepEqual(await store.heartbeat(OWNER, [{ runId: run.id, token: 1 }], 5000, T + 5500), [run.id]);
      assert.equal((await mustGet(store, run.id)).leaseUntil, T + 6000);
      assert.deepEqual(await store.heartbeat(OWNER, [{ runId: run.id, token: 2 }], 5000, T + 5500), []);
      assert.equal((await mustGet(store, run.id)).leaseUntil, T + 10_500);
    });
  });

  describe('markStranded', () => {
    test('runnable runs of unknown versions are stranded once, and claimed by a worker that knows them', async (store) => {
      const known = await pendingRun(store);
      const unknown = await pendingRun(store, { version: 2 });
      const notDue = await pendingRun(store, { version: 2, nextAt: T + 10_000 });
      const parked = await leasedRun(store, { version: 2 });
      await commitOk(store, unitFor(parked, T, { run: { status: 'waiting', release: true } }));

      assert.deepEqual(await store.markStranded([WF_KEY], T + 1), [unknown.id]);
      const stranded = await mustGet(store, unknown.id);
      assert.equal(stranded.status, 'stranded');
      const row = (await store.loadHistory(unknown.id)).find((h) => h.type === 'run.stranded');
      assert.ok(row, 'a run.stranded history row is written');
      assert.equal(row.at, T + 1);
      assert.equal((await mustGet(store, known.id)).status, 'pending');
      assert.equal((await mustGet(store, notDue.id)).status, 'pending');
      assert.equal((await mustGet(store, parked.id)).status, 'waiting');
      assert.deepEqual(await store.markStranded([WF_KEY], T + 2), [], 'stranded once');

      assert.equal((await claim(store, { now: T + 3, workflows: [WF_KEY] })).length, 1, 'only the known run');
      const [back] = await claim(store, { now: T + 4, workflows: [WF_V2] });
      assert.equal(back?.run.id, unknown.id);
      assert.equal(back?.run.status, 'running');
      assert.equal(back?.run.leaseOwner, OWNER);
    });
  });
}
