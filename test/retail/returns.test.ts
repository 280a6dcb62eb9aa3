import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ReturnRequested, returnsFlow, triggerReturns } from '../../src/retail/index.js';
import { eventually } from '../helpers.js';
import {
  assertContracts,
  assertDueIn,
  decisions,
  startHarness,
  stockAt,
  testRetry,
} from './estate-harness.js';
import { EstatePicker } from './order-fixtures.js';

const h = await startHarness((ports, rules) => {
  const flow = returnsFlow({ ports, rules, retry: testRetry });
  return { workflows: [flow], triggers: (bus) => triggerReturns(bus, flow) };
});
const pick = new EstatePicker(h.sim);
const DAY = 86_400_000;

type Line = ReturnRequested['lines'][number];
function requested(
  returnId: string,
  line: Partial<Line> & { sku: string; unitPrice: number },
  daysAgo = 10,
): ReturnRequested {
  return {
    returnId,
    orderId: `SO-${returnId.slice(4)}`,
    channel: 'web',
    customerId: pick.goodCustomer(),
    purchasedAt: new Date(Date.now() - daysAgo * DAY).toISOString(),
    method: 'mail',
    returnLocationId: 'DC-1',
    currency: 'EUR',
    lines: [{ quantity: 1, reason: 'size-fit', condition: 'unopened', category: 'apparel', ...line }],
  };
}

const arrived = (returnId: string, sku: string, quantity: number, damaged = 0) => ({
  returnId,
  inspectedBy: 'rui.returns',
  lines: [{ sku, quantity, damaged }],
});

const postingsOf = (ref: string) => h.sim.state.postings.filter((p) => p.reference === ref);
const templates = async (ref: string) =>
  (
    await h.fetchSim<{ notifications: Array<{ template: string }> }>('crm', `/notifications?reference=${ref}`)
  ).notifications.map((n) => n.template);

async function authorised(returnId: string) {
  await eventually(() => h.emitted('return.authorized', returnId).length === 1, 15_000, 'return.authorized');
}

test('an unopened return within the window is authorised, received into stock, refunded and reconciled', async () => {
  const item = pick.sku('DC-1', () => true);
  const price = Math.min(60, item.webPrice);
  const before = stockAt(h.sim, item.sku, 'DC-1').onHand;
  const runId = await h.publish(
    'return.requested',
    requested('RMA-2026-0001', { sku: item.sku, quantity: 2, unitPrice: price }),
  );
  await authorised('RMA-2026-0001');
  const auth = h.emitted('return.authorized', 'RMA-2026-0001')[0]!.data as { refundMethod: string };
  assert.equal(auth.refundMethod, 'original-payment');
  await h.deliver('return.arrived', arrived('RMA-2026-0001', item.sku, 2));
  const run = await h.finish(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const out = run.output as { status: string; amount: number; reconciliation: string; approvedBy: string };
  assert.deepEqual(
    [out.status, out.amount, out.reconciliation, out.approvedBy],
    ['refunded', 2 * price, 'matched', 'rule:return-auto-refund'],
  );

  assert.equal(stockAt(h.sim, item.sku, 'DC-1').onHand, before + 2, 'restocked');
  const [refund] = h.sim.state.refunds.filter((r) => r.returnId === 'RMA-2026-0001');
  assert.equal(refund?.amount, 2 * price);
  assert.equal(postingsOf('RMA-2026-0001')[0]?.lines.find((l) => l.account === '410000')?.debit, 2 * price);
  assert.deepEqual(await templates('RMA-2026-0001'), ['return.authorized', 'return.refunded']);
  assert.equal((await h.engine.listTasks({ runId })).length, 0, 'no manual touch');
  const d = await decisions(h, runId);
  assert.equal((d.get('return-authorisation')![0] as { disposition: string }).disposition, 'approve');
  assert.deepEqual(d.get('return-auto-refund'), [{ autoRefund: true, reviewRole: null }]);
  for (const type of ['return.received', 'return.refunded', 'return.reconciled'])
    assert.equal(h.emitted(type, 'RMA-2026-0001').length, 1, type);
  assertContracts(h.events);
});

test('a refund over the automatic limit waits for customer service', async () => {
  const item = pick.sku('DC-1', () => true);
  const runId = await h.publish(
    'return.requested',
    requested('RMA-2026-0002', { sku: item.sku, quantity: 2, unitPrice: 95 }),
  );
  await authorised('RMA-2026-0002');
  await h.deliver('return.arrived', arrived('RMA-2026-0002', item.sku, 2));
  const task = await h.openTask(runId);
  assert.equal(task.role, 'customer-service');
  assert.equal(task.escalateTo, 'customer-service-lead');
  assertDueIn(task, 24);
  assert.equal(
    h.sim.state.refunds.filter((r) => r.returnId === 'RMA-2026-0002').length,
    0,
    'no refund before the decision',
  );
  await h.engine.completeTask(task.id, { outcome: 'refund', by: 'cara.service' });
  const run = await h.finish(runId);
  assert.equal((run.output as { approvedBy: string }).approvedBy, 'cara.service');
  assert.equal(h.sim.state.refunds.filter((r) => r.returnId === 'RMA-2026-0002')[0]?.amount, 190);
});

test('goods damaged by the customer are inspected, kept out of stock and refunded as store credit', async () => {
  const item = pick.sku('DC-1', () => true);
  const before = stockAt(h.sim, item.sku, 'DC-1').onHand;
  const runId = await h.publish(
    'return.requested',
    requested('RMA-2026-0003', { sku: item.sku, unitPrice: 40, condition: 'damaged', reason: 'damaged' }),
  );
  await authorised('RMA-2026-0003');
  await h.deliver('return.arrived', arrived('RMA-2026-0003', item.sku, 1, 1));
  const task = await h.openTask(runId);
  assert.equal(task.role, 'returns-inspection');
  await h.drain();
  const received = h.emitted('return.received', 'RMA-2026-0003')[0]!.data as {
    lines: Array<{ condition: string; disposition: string }>;
  };
  assert.deepEqual([received.lines[0]?.condition, received.lines[0]?.disposition], ['damaged', 'scrap']);
  await h.engine.completeTask(task.id, { outcome: 'refund', by: 'rui.returns' });
  await h.finish(runId);
  assert.equal(stockAt(h.sim, item.sku, 'DC-1').onHand, before, 'nothing went back into stock');
  assert.equal(h.sim.state.refunds.find((r) => r.returnId === 'RMA-2026-0003')?.method, 'store-credit');
  assertContracts(h.events);
});

test('a return the policy refuses is rejected at once and the customer is told', async () => {
  const item = pick.sku('DC-1', () => true);
  const runId = await h.publish(
    'return.requested',
    requested('RMA-2026-0004', { sku: item.sku, unitPrice: 5, category: 'grocery' }),
  );
  const run = await h.finish(runId);
  assert.deepEqual(run.output, { returnId: 'RMA-2026-0004', status: 'rejected' });
  assert.equal(h.emitted('return.authorized', 'RMA-2026-0004').length, 0);
  assert.equal(h.emitted('return.rejected', 'RMA-2026-0004').length, 1);
  assert.deepEqual(await templates('RMA-2026-0004'), ['return.rejected']);
});

test('a refund that fails for good reverses the credit memo', async () => {
  const item = pick.sku('DC-1', () => true);
  const runId = await h.publish(
    'return.requested',
    requested('RMA-2026-0005', { sku: item.sku, unitPrice: 30 }),
  );
  await authorised('RMA-2026-0005');
  h.sim.faults.apply({ finance: { outageMode: 'reset', outages: [{ inSeconds: 0, forSeconds: 60 }] } });
  try {
    await h.deliver('return.arrived', arrived('RMA-2026-0005', item.sku, 1));
    const run = await h.finish(runId);
    assert.equal(run.status, 'compensated');
    const docs = postingsOf('RMA-2026-0005');
    assert.equal(docs.length, 2, 'the credit memo and its reversal');
    const net = docs
      .flatMap((d) => d.lines)
      .filter((l) => l.account === '410000')
      .reduce((s, l) => s + l.debit - l.credit, 0);
    assert.equal(net, 0);
    assert.equal(h.emitted('return.refunded', 'RMA-2026-0005').length, 0);
  } finally {
    h.sim.faults.apply({ finance: { outages: [] } });
  }
});

test('a refund that does not reconcile with the ERP goes to finance and is published as unmatched', async () => {
  const item = pick.sku('DC-1', () => true);
  const price = Math.min(40, item.webPrice);
  const runId = await h.publish(
    'return.requested',
    requested('RMA-2026-0020', { sku: item.sku, quantity: 1, unitPrice: price }),
  );
  await authorised('RMA-2026-0020');
  // the store already paid part of it back at the till: finance holds a refund the credit memo does not match
  await h.fetchSim('finance', '/refunds', {
    returnId: 'RMA-2026-0020',
    amount: 5,
    method: 'original-payment',
    reason: 'goodwill at the till',
  });
  await h.deliver('return.arrived', arrived('RMA-2026-0020', item.sku, 1));
  const task = await h.openTask(runId);
  assert.equal(task.role, 'finance');
  assert.equal(task.escalateTo, 'finance-lead');
  assertDueIn(task, 48);
  assert.match(task.title, /does not reconcile/);
  const differences = (task.data as { differences: string[] }).differences;
  assert.ok(
    differences.some((d) => d.includes(`refunded 5 but the ERP posted ${price}`)),
    differences.join('; '),
  );
  await h.engine.completeTask(task.id, { outcome: 'resolved', by: 'fin.ops' });
  const run = await h.finish(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.equal((run.output as { reconciliation: string }).reconciliation, 'unmatched');
  const [reconciled] = h.emitted('return.reconciled', 'RMA-2026-0020');
  assert.equal((reconciled!.data as { status: string }).status, 'unmatched');
});
