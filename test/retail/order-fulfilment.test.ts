import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orderFulfilmentFlow, triggerOrderFulfilment } from '../../src/retail/index.js';
import { eventually } from '../helpers.js';
import {
  assertContracts,
  assertDueIn,
  decisions,
  startHarness,
  stockAt,
  testRetry,
} from './estate-harness.js';
import { EstatePicker, orderCreated } from './order-fixtures.js';

const h = await startHarness((ports, rules) => {
  const flow = orderFulfilmentFlow({
    ports,
    rules,
    retry: testRetry,
    backorder: { recheckEvery: '200ms', maxRechecks: 50 },
  });
  return { workflows: [flow], triggers: (bus) => triggerOrderFulfilment(bus, flow) };
});
const pick = new EstatePicker(h.sim);
const HOUR = 3_600_000;

const reservationsOf = (orderId: string) =>
  [...h.sim.state.reservations.values()].filter((r) => r.orderId === orderId);
const postingsOf = (orderId: string) => h.sim.state.postings.filter((p) => p.reference === orderId);
const pickTasks = async (orderId: string) =>
  (
    await h.fetchSim<{
      tasks: Array<{ orderId?: string; location: string; priority: number; lines: unknown[] }>;
    }>('wms', '/pick-tasks')
  ).tasks.filter((t) => t.orderId === orderId);
const notifications = async (reference: string) =>
  (
    await h.fetchSim<{ notifications: Array<{ template: string }> }>(
      'crm',
      `/notifications?reference=${reference}`,
    )
  ).notifications;

test('an order with list prices, credit and stock is reserved, released, confirmed and posted', async () => {
  const item = pick.sku('DC-1', (a) => a >= 10);
  const customerId = pick.goodCustomer();
  const before = stockAt(h.sim, item.sku, 'DC-1').reserved;
  const runId = await h.publish(
    'order.created',
    orderCreated({
      orderId: 'SO-100001',
      customerId,
      lines: [{ sku: item.sku, qty: 2, unitPrice: item.webPrice }],
    }),
  );
  const run = await h.finish(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.equal((run.output as { status: string }).status, 'confirmed');

  const [reservation] = reservationsOf('SO-100001');
  assert.equal(reservation?.status, 'active');
  assert.deepEqual(reservation?.lines, [{ sku: item.sku, requested: 2, reserved: 2 }]);
  assert.equal(stockAt(h.sim, item.sku, 'DC-1').reserved, before + 2);

  const d = await decisions(h, runId);
  assert.deepEqual(d.get('order-price-tolerance'), [{ action: 'accept-order-price', taskRole: null }]);
  assert.equal((d.get('credit-routing')![0] as { route: string }).route, 'release');
  assert.equal((d.get('order-approval-limits')![0] as { approval: string }).approval, 'auto');
  const priority = d.get('order-wms-priority')![0] as { wmsPriority: number };
  const [task] = await pickTasks('SO-100001');
  assert.equal(task?.location, 'DC-1');
  assert.equal(task?.priority, priority.wmsPriority);

  assert.deepEqual(
    (await notifications('SO-100001')).map((n) => n.template),
    ['order.confirmed'],
  );
  const [posting] = postingsOf('SO-100001');
  const gross = Math.round(2 * item.webPrice * 119) / 100;
  assert.equal(posting?.lines.find((l) => l.account === '100000')?.debit, gross);
  assert.equal(await h.engine.listTasks({ runId }).then((t) => t.length), 0, 'no manual touch');

  for (const type of ['order.released', 'order.confirmed', 'order.posted'])
    assert.equal(h.emitted(type, 'SO-100001').length, 1, type);
  assert.equal(h.emitted('order.exception_raised', 'SO-100001').length, 0);
  assertContracts(h.events);
});

test('a price off the list beyond tolerance goes to pricing; accepting the ERP price invoices at it', async () => {
  const item = pick.sku('DC-1', (a) => a >= 5);
  const charged = Math.round(item.webPrice * 80) / 100;
  const runId = await h.publish(
    'order.created',
    orderCreated({
      orderId: 'SO-100002',
      customerId: pick.goodCustomer(),
      lines: [{ sku: item.sku, qty: 1, unitPrice: charged }],
    }),
  );
  const task = await h.openTask(runId);
  await h.drain();
  assert.equal(task.role, 'pricing');
  assert.equal(task.escalateTo, 'pricing-lead');
  assert.ok(task.dueAt && Math.abs(task.dueAt - task.createdAt - 2 * HOUR) < 1000, 'due in 2 h');
  assert.deepEqual(task.outcomes, ['accept-order-price', 'accept-erp-price', 'cancel-order']);
  const raised = h.emitted('order.exception_raised', 'SO-100002');
  assert.equal((raised[0]!.data as { reason: string }).reason, 'price-mismatch');
  assert.deepEqual((await decisions(h, runId)).get('order-price-tolerance'), [
    { action: 'pricing-review', taskRole: 'pricing' },
  ]);

  await h.engine.completeTask(task.id, { outcome: 'accept-erp-price', by: 'pia.pricing' });
  const run = await h.finish(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const revenue = postingsOf('SO-100002')[0]?.lines.find((l) => l.account === '400000');
  assert.equal(revenue?.credit, item.webPrice, 'invoiced at the list price, not the charged one');
  assertContracts(h.events);
});

test('a credit block goes to finance; a rejection cancels the order before any stock is reserved', async () => {
  const item = pick.sku('DC-1', (a) => a >= 5);
  let available = 0;
  const customerId = pick.customer((c) => {
    available = c.available;
    return c.kind === 'consumer' && c.available > 0 && c.available < 2000;
  });
  // a little more than the customer has left: the ERP refuses the credit check
  const qty = Math.ceil((available + 50) / (item.webPrice * 1.19));
  const runId = await h.publish(
    'order.created',
    orderCreated({
      orderId: 'SO-100003',
      customerId,
      lines: [{ sku: item.sku, qty, unitPrice: item.webPrice }],
    }),
  );
  const task = await h.openTask(runId);
  await h.drain();
  assert.equal(task.role, 'finance');
  assert.equal(task.escalateTo, 'finance-lead');
  assert.ok(task.dueAt && Math.abs(task.dueAt - task.createdAt - 4 * HOUR) < 1000, 'due in 4 h');
  assert.equal(
    (h.emitted('order.exception_raised', 'SO-100003')[0]!.data as { reason: string }).reason,
    'credit-block',
  );
  await h.engine.completeTask(task.id, { outcome: 'reject', by: 'fred.finance' });

  const run = await h.finish(runId);
  assert.deepEqual(run.output, { orderId: 'SO-100003', status: 'cancelled', reason: 'credit-block' });
  assert.equal(reservationsOf('SO-100003').length, 0);
  assert.equal(postingsOf('SO-100003').length, 0);
  assert.equal(h.emitted('order.cancelled', 'SO-100003').length, 1);
  assert.equal(h.emitted('order.confirmed', 'SO-100003').length, 0);
});

/** An order for more than `location` has of one SKU, started and stopped at its short-stock task. */
async function shortOrder(orderId: string, elsewhere?: (loc: string, available: number) => boolean) {
  const item = pick.sku('DC-1', (a) => a >= 2 && a <= 40, elsewhere);
  const qty = item.available + 3;
  const runId = await h.publish(
    'order.created',
    orderCreated({
      orderId,
      customerId: pick.goodCustomer(),
      lines: [{ sku: item.sku, qty, unitPrice: item.webPrice }],
    }),
  );
  const task = await h.openTask(runId);
  await h.drain();
  assert.equal(task.role, 'fulfilment');
  assert.equal(task.escalateTo, 'fulfilment-lead');
  assertDueIn(task, 1);
  assert.equal(
    (h.emitted('order.exception_raised', orderId)[0]!.data as { reason: string }).reason,
    'short-stock',
  );
  return { ...item, qty, runId, task };
}

test('short stock, split: the available units are released now and the rest is backordered', async () => {
  const o = await shortOrder('SO-100004');
  assert.ok(o.task.outcomes.includes('split'));
  await h.engine.completeTask(o.task.id, { outcome: 'split', by: 'flo.fulfilment' });
  const run = await h.finish(o.runId);
  assert.equal((run.output as { status: string }).status, 'confirmed-partially');
  const [task] = await pickTasks('SO-100004');
  assert.deepEqual(task?.lines, [{ sku: o.sku, qty: o.available }]);
  assert.deepEqual((h.emitted('order.backordered', 'SO-100004')[0]!.data as { lines: unknown }).lines, [
    { sku: o.sku, qty: 3 },
  ]);
  const revenue = postingsOf('SO-100004')[0]?.lines.find((l) => l.account === '400000');
  assert.equal(
    revenue?.credit,
    Math.round(o.available * o.webPrice * 100) / 100,
    'only the shipped units are invoiced',
  );
  assertContracts(h.events);
});

test('short stock, backorder: the order waits until the missing units arrive, then ships whole', async () => {
  const o = await shortOrder('SO-100005');
  await h.engine.completeTask(o.task.id, { outcome: 'backorder', by: 'flo.fulfilment' });
  await eventually(
    () => h.emitted('order.backordered', 'SO-100005').length === 1,
    10_000,
    'order.backordered',
  );
  assert.equal((await h.engine.getRun(o.runId)).status === 'completed', false, 'still waiting for stock');
  // the goods arrive at the DC
  await h.fetchSim('erp', '/goods-movements', {
    movementType: 'receipt',
    location: 'DC-1',
    lines: [{ sku: o.sku, qty: 5 }],
  });
  const run = await h.finish(o.runId);
  assert.equal((run.output as { status: string }).status, 'confirmed');
  const reserved = reservationsOf('SO-100005').reduce((s, r) => s + r.lines[0]!.reserved, 0);
  assert.equal(reserved, o.qty);
  const tasks = await pickTasks('SO-100005');
  assert.equal(
    tasks.reduce((s, t) => s + (t.lines[0] as { qty: number }).qty, 0),
    o.qty,
  );
});

test('short stock, alternate location: the order is reserved and picked elsewhere, the first hold released', async () => {
  const o = await shortOrder('SO-100006', (_loc, available) => available >= 60);
  const form = o.task.form as { properties: { locationId: { enum: string[] } } };
  const location = form.properties.locationId.enum[0]!;
  await h.engine.completeTask(o.task.id, {
    outcome: 'alternate-location',
    values: { locationId: location },
    by: 'flo.fulfilment',
  });
  const run = await h.finish(o.runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const [first, moved] = reservationsOf('SO-100006');
  assert.equal(first?.status, 'released');
  assert.equal(first?.location, 'DC-1');
  assert.equal(moved?.location, location);
  assert.deepEqual(moved?.lines, [{ sku: o.sku, requested: o.qty, reserved: o.qty }]);
  const [task] = await pickTasks('SO-100006');
  assert.equal(task?.location, location);
  assert.equal(
    (h.emitted('order.confirmed', 'SO-100006')[0]!.data as { lines: Array<{ sourceLocationId: string }> })
      .lines[0]?.sourceLocationId,
    location,
  );
});

test('a WMS outage makes the release retry until the WMS is back; the order completes', async () => {
  const item = pick.sku('DC-1', (a) => a >= 5);
  h.sim.faults.apply({ wms: { outageMode: 'unavailable', outages: [{ inSeconds: 0, forSeconds: 2 }] } });
  const runId = await h.publish(
    'order.created',
    orderCreated({
      orderId: 'SO-100007',
      customerId: pick.goodCustomer(),
      lines: [{ sku: item.sku, qty: 1, unitPrice: item.webPrice }],
    }),
  );
  const run = await h.finish(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const release = (await h.engine.journal(runId)).find((e) => e.name === 'release-to-wms');
  assert.ok(release && release.attempts > 1, 'the release was retried');
  assert.equal((await pickTasks('SO-100007')).length, 1);
  assert.equal(reservationsOf('SO-100007')[0]?.status, 'active');
});

test('a WMS that keeps failing compensates: the reservation is released and nothing is confirmed', async () => {
  const item = pick.sku('DC-1', (a) => a >= 5);
  const before = stockAt(h.sim, item.sku, 'DC-1').reserved;
  h.sim.faults.apply({ wms: { errorRate: 1 } });
  try {
    const runId = await h.publish(
      'order.created',
      orderCreated({
        orderId: 'SO-100008',
        customerId: pick.goodCustomer(),
        lines: [{ sku: item.sku, qty: 2, unitPrice: item.webPrice }],
      }),
    );
    const run = await h.finish(runId);
    assert.equal(run.status, 'compensated');
    assert.equal(reservationsOf('SO-100008')[0]?.status, 'released');
    assert.equal(stockAt(h.sim, item.sku, 'DC-1').reserved, before);
    const journal = await h.engine.journal(runId);
    assert.ok(journal.some((e) => e.name === 'compensate:reserve-stock' && e.status === 'completed'));
    assert.equal(h.emitted('order.confirmed', 'SO-100008').length, 0);
    assert.equal(postingsOf('SO-100008').length, 0);
  } finally {
    h.sim.faults.apply({ wms: { errorRate: 0 } });
  }
});

test('a web order over the automatic limit waits for the e-commerce manager; an approval releases it', async () => {
  // between 2,500 and 10,000 on the web, order-approval-limits asks a manager: a dear SKU in stock
  const units = (webPrice: number) => Math.ceil(3200 / (webPrice * 1.19));
  const item = pick.sku(
    'DC-1',
    (a) => a >= 20,
    undefined,
    (p, a) => units(p) <= a - 10,
  );
  const qty = units(item.webPrice);
  const total = Math.round(qty * item.webPrice * 119) / 100;
  assert.ok(total > 2500 && total <= 10_000, `total ${total} is in the manager's band`);
  // an account with room: consumer limits end around 3,000
  const customerId = pick.customer(
    (c) => c.available > total * 4 && (c.exposure + total) / c.creditLimit < 0.3,
  );
  const runId = await h.publish(
    'order.created',
    orderCreated({
      orderId: 'SO-100020',
      customerId,
      lines: [{ sku: item.sku, qty, unitPrice: item.webPrice }],
    }),
  );
  const task = await h.openTask(runId);
  assert.equal(task.kind, 'approval');
  assert.equal(task.role, 'ecommerce-manager');
  assert.equal(task.escalateTo, 'finance-lead');
  assertDueIn(task, 4);
  assert.deepEqual(task.outcomes, ['approve', 'reject']);
  assert.deepEqual((await decisions(h, runId)).get('order-approval-limits'), [
    { approval: 'manager', approverRole: 'ecommerce-manager' },
  ]);
  assert.equal(reservationsOf('SO-100020').length, 0, 'nothing is reserved before the approval');
  await h.engine.completeTask(task.id, { outcome: 'approve', by: 'erin.ecom' });
  const run = await h.finish(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.equal((run.output as { status: string }).status, 'confirmed');
  assert.equal(reservationsOf('SO-100020').length, 1);
  assert.equal(h.emitted('order.released', 'SO-100020').length, 1);
});
