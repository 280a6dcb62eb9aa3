import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../core/index.js';
import type { EventWaitInput, InboundEvent, JournalWrite, RunRecord, Store } from '../types.js';
import {
  claim,
  commitOk,
  HOUR,
  historyTypes,
  leasedRun,
  mustGet,
  pendingEntry,
  type StoreTest,
  sorted,
  T,
  unitFor,
} from './fixtures.js';

const SHIPPED = 'shipment.dispatched';

function event(data: unknown, receivedAt: number, type = SHIPPED): InboundEvent {
  return { id: newId(T), type, source: 'wms', subject: 'SO-1', data, receivedAt };
}

function eventWait(position: number, input: EventWaitInput, over: Partial<JournalWrite> = {}) {
  return { ...pendingEntry(position, 'event', input.type, { input, ...over }), input };
}

/** A run suspended on event waits written as plain journal entries, so no lookback runs for them. */
async function waitingOn(store: Store, waits: EventWaitInput[]): Promise<RunRecord> {
  const run = await leasedRun(store);
  await commitOk(
    store,
    unitFor(run, T, {
      journal: waits.map((w, i) => pendingEntry(i, 'event', w.type, { input: w })),
      run: { status: 'waiting', release: true },
    }),
  );
  return mustGet(store, run.id);
}

export function eventTests(test: StoreTest): void {
  describe('commit: event waits and timeouts', () => {
    test('an event wait is matched from the lookback window inside the commit', async (store) => {
      const tooOld = event({ orderId: 'SO-1', carrier: { code: 'DHL' } }, T - 2 * HOUR);
      const match = event({ orderId: 'SO-1', carrier: { code: 'DHL' } }, T - 10_000);
      const otherCarrier = event({ orderId: 'SO-1', carrier: { code: 'UPS' } }, T - 9000);
      const otherOrder = event({ orderId: 'SO-2', carrier: { code: 'DHL' } }, T - 8000);
      const otherType = event({ orderId: 'SO-1', carrier: { code: 'DHL' } }, T - 7000, 'order.cancelled');
      for (const e of [tooOld, match, otherCarrier, otherOrder, otherType]) await store.deliverEvent(e);

      const run = await leasedRun(store);
      const res = await commitOk(
        store,
        unitFor(run, T, {
          eventWaits: [
            eventWait(0, {
              type: SHIPPED,
              match: { orderId: 'SO-1', 'carrier.code': 'DHL' },
              since: T - HOUR,
            }),
          ],
        }),
      );
      assert.equal(res.resolved.length, 1);
      const got = res.resolved[0]!;
      assert.equal(got.runId, run.id);
      assert.equal(got.position, 0);
      assert.equal(got.status, 'completed');
      assert.equal(got.eventId, match.id);
      assert.deepEqual(got.result, match);
      assert.deepEqual((await store.loadJournal(run.id))[0], got);
      assert.ok((await historyTypes(store, run.id)).includes('event.matched'));
    });

    test('an event already consumed by the run is not matched twice; other runs may match it', async (store) => {
      const first = event({ orderId: 'SO-1' }, T - 5000);
      await store.deliverEvent(first);
      const wait = { type: SHIPPED, match: { orderId: 'SO-1' }, since: T - HOUR };

      const run = await leasedRun(store);
      const one = await commitOk(store, unitFor(run, T, { eventWaits: [eventWait(0, wait)] }));
      assert.equal(one.resolved[0]?.eventId, first.id);
      const two = await commitOk(store, unitFor(run, T + 1, { eventWaits: [eventWait(1, wait)] }));
      assert.deepEqual(two.resolved, []);
      assert.equal((await store.loadJournal(run.id))[1]?.status, 'pending');

      const other = await leasedRun(store);
      const mine = await commitOk(store, unitFor(other, T + 2, { eventWaits: [eventWait(0, wait)] }));
      assert.equal(mine.resolved[0]?.eventId, first.id);

      const second = event({ orderId: 'SO-1' }, T + 3);
      assert.deepEqual(sorted((await store.deliverEvent(second)).woke), [run.id]);
      const entry = (await store.loadJournal(run.id))[1];
      assert.equal(entry?.status, 'completed');
      assert.equal(entry?.eventId, second.id);
    });

    test('two waits in one unit take two different events, oldest first', async (store) => {
      const e1 = event({ n: 1 }, T - 3000);
      const e2 = event({ n: 2 }, T - 2000);
      await store.deliverEvent(e2);
      await store.deliverEvent(e1);
      const run = await leasedRun(store);
      const wait = { type: SHIPPED, since: T - HOUR };
      const res = await commitOk(
        store,
        unitFor(run, T, { eventWaits: [eventWait(0, wait), eventWait(1, wait)] }),
      );
      assert.deepEqual(
        res.resolved.map((e) => [e.position, e.eventId]),
        [
          [0, e1.id],
          [1, e2.id],
        ],
      );
    });

    test('an event received before since is not matched', async (store) => {
      await store.deliverEvent(event({ orderId: 'SO-1' }, T - 1));
      const run = await leasedRun(store);
      const res = await commitOk(
        store,
        unitFor(run, T, { eventWaits: [eventWait(0, { type: SHIPPED, since: T })] }),
      );
      assert.deepEqual(res.resolved, []);
      assert.equal((await store.loadJournal(run.id))[0]?.status, 'pending');
    });

    test('a timeout completes a pending wait with the timeout result', async (store) => {
      const run = await leasedRun(store);
      await commitOk(
        store,
        unitFor(run, T, {
          eventWaits: [eventWait(0, { type: SHIPPED, since: T }, { deadline: T + 1000 })],
          run: { status: 'waiting', nextAt: T + 1000, release: true },
        }),
      );
      const [claimed] = await claim(store, { now: T + 1000, limit: 1 });
      assert.ok(claimed);
      const res = await commitOk(
        store,
        unitFor(claimed.run, T + 1000, { timeouts: [{ position: 0, result: { timedOut: true } }] }),
      );
      assert.deepEqual(res.resolved, []);
      const entry = (await store.loadJournal(run.id))[0];
      assert.equal(entry?.status, 'completed');
      assert.deepEqual(entry?.result, { timedOut: true });
      assert.equal(entry?.endedAt, T + 1000);
      assert.equal(entry?.eventId, undefined);
      assert.deepEqual(await store.listTimers({}), []);
    });

    test('a timeout loses to an event that completed the wait first', async (store) => {
      const run = await leasedRun(store);
      await commitOk(
        store,
        unitFor(run, T, { eventWaits: [eventWait(0, { type: SHIPPED, since: T }, { deadline: T + 1000 })] }),
      );
      const e = event({ orderId: 'SO-1' }, T + 900);
      assert.deepEqual((await store.deliverEvent(e)).woke, [run.id]);
      const res = await commitOk(
        store,
        unitFor(run, T + 1000, { timeouts: [{ position: 0, result: { timedOut: true } }] }),
      );
      assert.equal(res.resolved.length, 1);
      assert.equal(res.resolved[0]?.position, 0);
      assert.equal(res.resolved[0]?.status, 'completed');
      assert.equal(res.resolved[0]?.eventId, e.id);
      assert.deepEqual(res.resolved[0]?.result, e);
      assert.deepEqual((await store.loadJournal(run.id))[0], res.resolved[0]);
    });
  });

  describe('deliverEvent', () => {
    test('is idempotent on the event id: a duplicate wakes nothing', async (store) => {
      const waitInput = { type: SHIPPED, match: { orderId: 'SO-1' }, since: T - HOUR };
      const early = await waitingOn(store, [waitInput]);
      const e = event({ orderId: 'SO-1' }, T + 10);
      const first = await store.deliverEvent(e);
      assert.equal(first.duplicate, false);
      assert.deepEqual(first.event, e);
      assert.deepEqual(first.woke, [early.id]);

      const late = await waitingOn(store, [waitInput]);
      const dup = await store.deliverEvent({
        ...e,
        data: { orderId: 'SO-1', changed: true },
        receivedAt: T + 20,
      });
      assert.equal(dup.duplicate, true);
      assert.deepEqual(dup.woke, []);
      assert.deepEqual(dup.event, e, 'the stored event is returned');
      assert.equal((await store.loadJournal(late.id))[0]?.status, 'pending');
      assert.equal((await mustGet(store, late.id)).wakeSeq, late.wakeSeq);
      assert.equal((await mustGet(store, early.id)).wakeSeq, early.wakeSeq + 1);
    });

    test('completes matching waits, one per run, wakes their runs and leaves the rest untouched', async (store) => {
      const since = T - HOUR;
      const byOrder = await waitingOn(store, [{ type: SHIPPED, match: { orderId: 'SO-1' }, since }]);
      const byPath = await waitingOn(store, [{ type: SHIPPED, match: { 'carrier.code': 'DHL' }, since }]);
      const byTypes = await waitingOn(store, [
        { type: SHIPPED, match: { parcels: 2, express: true }, since },
      ]);
      const twice = await waitingOn(store, [
        { type: SHIPPED, since },
        { type: SHIPPED, since },
      ]);
      const otherOrder = await waitingOn(store, [{ type: SHIPPED, match: { orderId: 'SO-2' }, since }]);
      const wrongType = await waitingOn(store, [{ type: SHIPPED, match: { parcels: '2' }, since }]);
      const otherEvent = await waitingOn(store, [{ type: 'order.cancelled', since }]);
      const tooLate = await waitingOn(store, [{ type: SHIPPED, since: T + 101 }]);

      const e = event({ orderId: 'SO-1', carrier: { code: 'DHL' }, parcels: 2, express: true }, T + 100);
      const res = await store.deliverEvent(e);
      assert.equal(res.duplicate, false);
      assert.deepEqual(sorted(res.woke), sorted([byOrder.id, byPath.id, byTypes.id, twice.id]));

      for (const run of [byOrder, byPath, byTypes]) {
        const [entry] = await store.loadJournal(run.id);
        assert.equal(entry?.status, 'completed');
        assert.equal(entry?.eventId, e.id);
        assert.deepEqual(entry?.result, e);
        assert.equal(entry?.endedAt, T + 100);
        const now = await mustGet(store, run.id);
        assert.equal(now.wakeSeq, run.wakeSeq + 1);
        assert.equal(now.nextAt, T + 100);
        assert.ok((await historyTypes(store, run.id)).includes('event.matched'));
      }
      assert.deepEqual(
        (await store.loadJournal(twice.id)).map((x) => x.status),
        ['completed', 'pending'],
      );
      for (const run of [otherOrder, wrongType, otherEvent, tooLate]) {
        assert.equal((await store.loadJournal(run.id))[0]?.status, 'pending');
        const now = await mustGet(store, run.id);
        assert.equal(now.wakeSeq, run.wakeSeq);
        assert.equal(now.nextAt, undefined);
      }
      const woken = await claim(store, { now: T + 100 });
      assert.deepEqual(sorted(woken.map((c) => c.run.id)), sorted(res.woke));
    });
  });
}
