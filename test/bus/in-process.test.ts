import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { Bus, type BusEvent, type CloudEvent } from '../../src/bus/index.js';
import { ConflictError, NotFoundError, newId } from '../../src/core/index.js';
import { defineWorkflow } from '../../src/engine/index.js';
import { openSqliteStore, type QuarantineRecord } from '../../src/store/index.js';
import { eventually, startEngine } from '../helpers.js';

const confirm = defineWorkflow({
  name: 'test.confirm',
  version: 1,
  input: Type.Object({ orderId: Type.String() }),
  async run(ctx, input) {
    await ctx.emit('order.confirmed', { orderId: input.orderId }, { subject: input.orderId });
  },
});

const awaitConfirmation = defineWorkflow({
  name: 'test.await-confirmation',
  version: 1,
  input: Type.Object({ orderId: Type.String() }),
  async run(ctx, input) {
    const e = await ctx.waitForEvent('order.confirmed', { match: { orderId: input.orderId }, timeout: '1h' });
    return { eventId: e?.id, subject: e?.subject };
  },
});

const fulfil = defineWorkflow({
  name: 'test.fulfil',
  version: 1,
  input: Type.Object({ orderId: Type.String() }),
  async run() {
    return 'ok';
  },
});

const orderEvent = (id: string, orderId: string): BusEvent => ({
  id,
  type: 'order.confirmed',
  subject: orderId,
  time: Date.now(),
  data: { orderId },
});

test('an emitted event reaches the waitForEvent of another run through the in-process transport', async (t) => {
  const { engine } = startEngine([confirm, awaitConfirmation]);
  const bus = await new Bus({ engine }).start();
  t.after(() => bus.stop());

  const waiter = await engine.startRun(awaitConfirmation, { orderId: 'SO-1' });
  await eventually(async () => (await engine.getRun(waiter.id)).status === 'waiting', 5_000, 'run to wait');
  const emitting = await engine.startRun(confirm, { orderId: 'SO-1' });
  await engine.waitForRun(emitting.id, 10_000);
  const done = await engine.waitForRun(waiter.id, 10_000);

  const emitted = (await engine.journal(emitting.id)).find((j) => j.kind === 'emit');
  const eventId = (emitted?.result as { eventId?: string } | undefined)?.eventId;
  assert.ok(eventId);
  assert.deepEqual(done.output, { eventId, subject: 'SO-1' }, 'the waiter got the emitted event, same id');
  await eventually(() => bus.stats().relay?.published === 1, 5_000, 'relay to count the event');
  assert.equal(bus.stats().transport, 'in-process');
});

test('a trigger starts one run per event, however often the event arrives', async (t) => {
  const { engine } = startEngine([confirm, fulfil]);
  const bus = new Bus({ engine }).trigger('order.confirmed', fulfil, {
    input: (e) => ({ orderId: (e.data as { orderId: string }).orderId }),
  });
  await bus.start();
  t.after(() => bus.stop());

  await engine.waitForRun((await engine.startRun(confirm, { orderId: 'SO-2' })).id);
  const runs = await eventually(async () => {
    const r = await engine.searchRuns({ workflow: 'test.fulfil' });
    return r.length === 1 ? r : undefined;
  }, 5_000);
  const eventId = (await engine.store.readOutbox({})).at(0)?.id;
  assert.equal(runs[0]?.idempotencyKey, `event:${eventId}:test.fulfil`);

  // the same event again (a redelivery) starts nothing new and is a duplicate for the engine's inbox
  const again = await bus.receive(orderEvent(eventId as string, 'SO-2'));
  assert.equal(again.duplicate, true);
  assert.deepEqual(again.runs, [runs[0]?.id]);
  assert.equal((await engine.searchRuns({ workflow: 'test.fulfil' })).length, 1);
});

test('a trigger keyed on a business key starts one run for several events of that key', async (t) => {
  const { engine } = startEngine([fulfil]);
  const bus = new Bus({ engine }).trigger('order.confirmed', fulfil, {
    input: (e) => e.data as { orderId: string },
    key: (e) => `order:${(e.data as { orderId: string }).orderId}`,
  });
  await bus.start();
  t.after(() => bus.stop());
  const a = await bus.receive(orderEvent('evt-a', 'SO-3'));
  const b = await bus.receive(orderEvent('evt-b', 'SO-3'));
  assert.equal(b.duplicate, false);
  assert.deepEqual(b.runs, a.runs);
  assert.equal((await engine.searchRuns({ workflow: 'test.fulfil' })).length, 1);
});

test('an event whose trigger cannot map it is quarantined in the store and can be replayed once fixed', async (t) => {
  const { engine, path } = startEngine([confirm, fulfil]);
  let fixed = false;
  const bus = new Bus({ engine }).trigger('order.confirmed', fulfil, {
    input: (e) => {
      if (!fixed) throw new Error('no mapping for this order yet');
      return e.data as { orderId: string };
    },
  });
  await bus.start();
  t.after(() => bus.stop());

  for (const orderId of ['SO-4', 'SO-5'])
    await engine.waitForRun((await engine.startRun(confirm, { orderId })).id);
  const held = await eventually(
    async () => {
      const list = await bus.quarantine.list({ status: 'held' });
      return list.length === 2 ? list : undefined;
    },
    5_000,
    'two quarantined events',
  );
  // quarantined events count as handled: they do not block the outbox
  await eventually(
    async () => (await engine.store.readOutbox({ unpublishedOnly: true })).length === 0,
    5_000,
  );
  assert.equal(bus.stats().quarantined, 2);
  const [newest, first] = held as [QuarantineRecord, QuarantineRecord];
  assert.match(
    first.reason,
    /trigger order\.confirmed -> test\.fulfil: mapping the event failed: no mapping/,
  );
  assert.equal(first.origin, 'in-process');
  assert.equal(first.type, 'order.confirmed');
  assert.deepEqual(first.issues, [{ path: '', message: first.reason }]);
  assert.equal(first.attempts.length, 0);
  // kept as a structured CloudEvent, the form the HTTP API keeps too
  const payload = first.payload as CloudEvent;
  assert.equal(payload.specversion, '1.0');
  assert.equal(payload.id, first.eventId);
  assert.equal(payload.type, 'com.baton.retail.order.confirmed');
  assert.deepEqual(payload.data, { orderId: 'SO-4' });
  assert.deepEqual((newest.payload as CloudEvent).data, { orderId: 'SO-5' });

  // durable: another process on the same file sees the entries
  const other = openSqliteStore({ path, durability: 'normal' });
  try {
    assert.deepEqual(await other.governance.listQuarantined({}), held);
  } finally {
    await other.close();
  }

  // a replay before the fix fails the same way: the attempt is noted, the entry stays held, no new entry
  const again = await bus.replay(first.id, 'user:ana');
  assert.match(again.quarantined ?? '', /no mapping for this order yet/);
  const stillHeld = await bus.quarantine.get(first.id);
  assert.equal(stillHeld?.status, 'held');
  assert.deepEqual(
    stillHeld?.attempts.map((a) => [a.by, a.ok, a.reason]),
    [['user:ana', false, again.quarantined]],
  );
  assert.equal((await bus.quarantine.list({})).length, 2);

  fixed = true;
  const replayed = await bus.replay(first.id, 'user:ana');
  assert.equal(replayed.quarantined, undefined);
  assert.equal(replayed.runs.length, 1);
  assert.equal(replayed.duplicate, true, 'the engine had recorded the event the first time');
  assert.deepEqual((await engine.getRun(replayed.runs[0]!)).input, { orderId: 'SO-4' });
  const closed = await bus.quarantine.get(first.id);
  assert.equal(closed?.status, 'replayed');
  assert.equal(closed?.resolvedBy, 'user:ana');
  assert.deepEqual(
    closed?.attempts.map((a) => a.ok),
    [false, true],
  );
  assert.deepEqual(
    (await bus.quarantine.list({ status: 'held' })).map((q) => q.id),
    [newest.id],
  );
  await assert.rejects(bus.replay(first.id), ConflictError);
  await assert.rejects(bus.replay(newId()), NotFoundError);
});

test('a quarantined event is replayed as corrected; a discarded one is not replayed', async (t) => {
  const { engine } = startEngine([fulfil]);
  const bus = new Bus({ engine }).trigger('order.confirmed', fulfil, {
    input: (e) => {
      const data = e.data as { orderId?: string };
      if (!data.orderId) throw new Error('the event has no orderId');
      return { orderId: data.orderId };
    },
  });
  await bus.start();
  t.after(() => bus.stop());

  const bad = await bus.receive({ ...orderEvent('evt-c1', 'SO-7'), data: { order: 'SO-7' } });
  assert.match(bad.quarantined ?? '', /no orderId/);
  const [entry] = await bus.quarantine.list({ status: 'held' });
  assert.ok(entry);
  const payload = entry.payload as CloudEvent;
  await bus.quarantine.correct(entry.id, { ...payload, data: { orderId: 'SO-7' } }, 'user:ana');
  const replayed = await bus.replay(entry.id, 'user:ana');
  assert.equal(replayed.runs.length, 1);
  assert.deepEqual((await engine.getRun(replayed.runs[0]!)).input, { orderId: 'SO-7' });
  assert.equal((await bus.quarantine.get(entry.id))?.status, 'replayed');

  await bus.receive({ ...orderEvent('evt-c2', 'SO-8'), data: {} });
  const [second] = await bus.quarantine.list({ status: 'held' });
  assert.ok(second);
  const discarded = await bus.quarantine.discard(second.id, 'user:ana');
  assert.equal(discarded.status, 'discarded');
  await assert.rejects(bus.replay(second.id), ConflictError);
  assert.equal((await engine.searchRuns({ workflow: 'test.fulfil' })).length, 1);
});

test('a quarantined payload that is not an event fails its replay with the reason and stays held', async (t) => {
  const { engine } = startEngine([]);
  const bus = await new Bus({ engine }).start();
  t.after(() => bus.stop());
  const kept = await bus.quarantine.add({
    origin: 'nats:erp.junk',
    reason: 'not JSON',
    received: 'not json at all',
  });
  assert.equal(kept.payload, 'not json at all');
  const result = await bus.replay(kept.id);
  assert.match(result.quarantined ?? '', /not JSON; correct it before replaying/);
  const after = await bus.quarantine.get(kept.id);
  assert.equal(after?.status, 'held');
  assert.equal(after?.attempts[0]?.ok, false);

  // with the id missing, the replay names the field
  await bus.quarantine.correct(kept.id, { specversion: '1.0', type: 'x', source: 'erp' }, 'user:ana');
  assert.match((await bus.replay(kept.id)).quarantined ?? '', /\/id is required/);
});
