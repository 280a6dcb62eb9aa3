import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../core/index.js';
import type { IngestedEvent } from '../governance.js';
import type {
  EventWaitInput,
  HistoryRecord,
  InboundEvent,
  JournalEntry,
  RunRecord,
  Store,
} from '../types.js';
import {
  claim,
  commitOk,
  HOUR,
  leasedRun,
  mustGet,
  pendingEntry,
  type StoreTest,
  sorted,
  T,
  unitFor,
} from './fixtures.js';

const SHIPPED = 'shipment.dispatched';

function ingested(id: string, data: unknown, over: Partial<IngestedEvent> = {}): IngestedEvent {
  return {
    id,
    source: 'wms',
    type: SHIPPED,
    subject: 'SO-1',
    time: '2026-01-01T00:00:00Z',
    contractVersion: 1,
    data,
    extensions: { correlationid: `c-${id}`, traceparent: '00-abc-def-01' },
    publishedBy: 'svc:wms-bridge',
    receivedAt: T + 100,
    ...over,
  };
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

/** History without its ids and the event id, which differ between two deliveries of equal events. */
const shape = (h: HistoryRecord[]) =>
  h.map(({ type, position, at, data }) => ({
    type,
    position,
    at,
    data: data && 'eventId' in data ? { ...data, eventId: typeof data.eventId } : data,
  }));

export function ingestedTests(test: StoreTest): void {
  describe('governance: ingested events', () => {
    test('recordIngested keeps events by (source, id) and reads them back as given', async (store) => {
      const g = store.governance;
      const a = ingested('e-1', { orderId: 'SO-1', lines: [{ sku: 'A', qty: 2 }] });
      const bare: IngestedEvent = {
        id: 'e-1',
        source: 'pos',
        type: 'order.created',
        contractVersion: 3,
        data: null,
        receivedAt: T,
      };
      assert.deepEqual(await g.recordIngested([a, bare]), [
        { duplicate: false, woke: [] },
        { duplicate: false, woke: [] },
      ]);
      assert.deepEqual(await g.getIngested('wms', 'e-1'), a);
      assert.deepEqual(await g.getIngested('pos', 'e-1'), bare, 'the same id from another source is its own');
      assert.equal(await g.getIngested('wms', 'e-2'), undefined);
      assert.deepEqual(await g.recordIngested([]), []);
    });

    test('duplicates across and within batches are reported and change nothing', async (store) => {
      const g = store.governance;
      const first = ingested('e-1', { orderId: 'SO-1' });
      await g.recordIngested([first]);
      const changed = ingested('e-1', { orderId: 'SO-9' }, { receivedAt: T + 500 });
      const fresh = ingested('e-2', { orderId: 'SO-2' });
      const freshAgain = ingested('e-2', { orderId: 'SO-3' });
      const res = await g.recordIngested([changed, fresh, freshAgain, fresh]);
      assert.deepEqual(
        res.map((r) => r.duplicate),
        [true, false, true, true],
      );
      assert.deepEqual(await g.getIngested('wms', 'e-1'), first, 'the stored event is not changed');
      assert.deepEqual(await g.getIngested('wms', 'e-2'), fresh, 'the first of the batch wins');
    });

    test('an ingested event completes a pending wait exactly as deliverEvent does', async (store) => {
      const since = T - HOUR;
      const viaDeliver = await waitingOn(store, [{ type: SHIPPED, match: { orderId: 'SO-1' }, since }]);
      const viaIngest = await waitingOn(store, [{ type: SHIPPED, match: { orderId: 'SO-2' }, since }]);
      const untouched = await waitingOn(store, [{ type: SHIPPED, match: { orderId: 'SO-3' }, since }]);

      const delivered: InboundEvent = {
        id: newId(T),
        type: SHIPPED,
        source: 'wms',
        subject: 'SO-1',
        data: { orderId: 'SO-1' },
        receivedAt: T + 100,
      };
      assert.deepEqual((await store.deliverEvent(delivered)).woke, [viaDeliver.id]);
      const event = ingested('wms-77', { orderId: 'SO-2' }, { subject: 'SO-2' });
      assert.deepEqual(await store.governance.recordIngested([event]), [
        { duplicate: false, woke: [viaIngest.id] },
      ]);

      const [byDeliver] = await store.loadJournal(viaDeliver.id);
      const [byIngest] = await store.loadJournal(viaIngest.id);
      assert.ok(byDeliver && byIngest);
      assert.equal(byIngest.status, 'completed');
      assert.equal(byIngest.endedAt, T + 100);
      assert.ok(
        byIngest.eventId && byIngest.eventId !== event.id,
        'the inbox keeps the event under an id of its own',
      );
      // the wait's result is the inbox event: its id, the short type, the source and subject, the data
      assert.deepEqual(byIngest.result, {
        id: byIngest.eventId,
        type: SHIPPED,
        source: 'wms',
        subject: 'SO-2',
        data: { orderId: 'SO-2' },
        receivedAt: T + 100,
      });
      // the rest of the entry is written alike (the runs wait for different orders)
      const same = ({ runId: _r, input: _in, eventId: _e, result: _res, ...rest }: JournalEntry) => rest;
      assert.deepEqual(same(byIngest), same(byDeliver), 'the same journal write');

      const historyDeliver = await store.loadHistory(viaDeliver.id);
      const historyIngest = await store.loadHistory(viaIngest.id);
      assert.deepEqual(shape(historyIngest), shape(historyDeliver), 'the same history');
      assert.equal(historyIngest.at(-1)?.data?.eventId, byIngest.eventId);

      for (const [run, before] of [
        [await mustGet(store, viaDeliver.id), viaDeliver],
        [await mustGet(store, viaIngest.id), viaIngest],
      ] as const) {
        assert.equal(run.wakeSeq, before.wakeSeq + 1);
        assert.equal(run.nextAt, T + 100);
      }
      assert.equal((await store.loadJournal(untouched.id))[0]?.status, 'pending');
      assert.deepEqual(
        sorted((await claim(store, { now: T + 100 })).map((c) => c.run.id)),
        sorted([viaDeliver.id, viaIngest.id]),
      );
    });

    test('an ingested event is in the inbox: a wait registered later finds it in the lookback window', async (store) => {
      await store.governance.recordIngested([ingested('e-1', { orderId: 'SO-1' })]);
      const run = await leasedRun(store);
      const wait: EventWaitInput = { type: SHIPPED, match: { orderId: 'SO-1' }, since: T };
      const res = await commitOk(
        store,
        unitFor(run, T + 200, {
          eventWaits: [{ ...pendingEntry(0, 'event', SHIPPED, { input: wait }), input: wait }],
        }),
      );
      assert.equal(res.resolved.length, 1);
      const found = res.resolved[0]?.result as InboundEvent | undefined;
      assert.deepEqual(found?.data, { orderId: 'SO-1' });
      assert.equal(found?.source, 'wms');
    });

    test('in one batch each event takes one wait per run, in order; duplicates wake nothing', async (store) => {
      const since = T - HOUR;
      const twice = await waitingOn(store, [
        { type: SHIPPED, since },
        { type: SHIPPED, since },
      ]);
      const once = await waitingOn(store, [{ type: SHIPPED, match: { orderId: 'SO-2' }, since }]);
      const cancelled = await waitingOn(store, [{ type: 'order.cancelled', since }]);

      const e1 = ingested('e-1', { orderId: 'SO-1' }, { receivedAt: T + 10 });
      const e2 = ingested('e-2', { orderId: 'SO-2' }, { receivedAt: T + 20 });
      const e3 = ingested('e-3', { orderId: 'SO-3' }, { receivedAt: T + 30 });
      const c1 = ingested('c-1', { orderId: 'SO-9' }, { type: 'order.cancelled', receivedAt: T + 40 });
      const res = await store.governance.recordIngested([e1, e1, e2, e3, c1]);
      assert.deepEqual(
        res.map((r) => r.duplicate),
        [false, true, false, false, false],
      );
      assert.deepEqual(
        res.map((r) => sorted(r.woke)),
        [[twice.id], [], sorted([twice.id, once.id]), [], [cancelled.id]],
      );

      const journal = await store.loadJournal(twice.id);
      assert.deepEqual(
        journal.map((j) => [j.status, j.endedAt]),
        [
          ['completed', T + 10],
          ['completed', T + 20],
        ],
      );
      assert.notEqual(journal[0]?.eventId, journal[1]?.eventId);
      const run = await mustGet(store, twice.id);
      assert.equal(run.wakeSeq, twice.wakeSeq + 2, 'woken once per event, as two deliveries would');
      assert.equal(run.nextAt, T + 20);
      assert.equal((await store.loadJournal(once.id))[0]?.endedAt, T + 20);
      assert.equal((await store.loadJournal(cancelled.id))[0]?.status, 'completed');

      // the same events again: all duplicates, nothing changes
      const again = await store.governance.recordIngested([e1, e2, e3, c1]);
      assert.ok(again.every((r) => r.duplicate && r.woke.length === 0));
      assert.equal((await mustGet(store, twice.id)).wakeSeq, twice.wakeSeq + 2);
    });
  });
}
