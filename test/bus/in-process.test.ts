import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { Bus, type BusEvent } from '../../src/bus/index.js';
import { defineWorkflow } from '../../src/engine/index.js';
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

test('an event whose trigger cannot map it is quarantined with the reason and can be replayed', async (t) => {
  const { engine } = startEngine([confirm, fulfil]);
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
  await eventually(() => bus.quarantine.size === 2, 5_000, 'two quarantined events');
  // quarantined events count as handled: they do not block the outbox
  await eventually(
    async () => (await engine.store.readOutbox({ unpublishedOnly: true })).length === 0,
    5_000,
  );
  const [first] = bus.quarantine.list();
  assert.match(
    first?.reason ?? '',
    /trigger order\.confirmed -> test\.fulfil: mapping the event failed: no mapping/,
  );
  assert.equal(first?.origin, 'in-process');

  fixed = true;
  const replayed = await bus.replay(first?.id as string);
  assert.equal(replayed?.runs.length, 1);
  assert.equal(replayed?.duplicate, true, 'the engine had recorded the event the first time');
  assert.equal(bus.quarantine.size, 1);
});
