import assert from 'node:assert/strict';
import { test } from 'node:test';
import { erpConnector } from '../../src/connectors/index.js';
import { poNumberFor } from '../../src/retail/flows/replenishment-input.js';
import { planOrder, type SupplierPlan } from '../../src/sim/supplier-docs.js';
import { DAY, type FlowHarness, flowHarness, START } from './supply-harness.js';

const DETECTED = '2026-03-02T07:55:00Z';

/** A SKU whose supplier answers its first PO the way `want` asks (the supplier's answers are seeded). */
function skuWhere(h: FlowHarness, want: (plan: SupplierPlan) => boolean): string {
  for (const item of h.sim.estate.skus) {
    const supplier = h.sim.index.suppliers.get(item.supplierId)!;
    const poNumber = poNumberFor({ locationId: 'DC-1', sku: item.sku, detectedAt: DETECTED }, 0);
    const po = {
      supplierId: supplier.id,
      poNumber,
      orderDate: '2026-03-02',
      shipTo: 'DC-1',
      lines: [{ line: 10, sku: item.sku, qty: 100, unitPrice: item.cost }],
    };
    if (want(planOrder(h.sim.index, '1', supplier, po, START, DAY))) return item.sku;
  }
  throw new Error('no SKU behaves like that under seed 1');
}

const breach = (sku: string) => ({
  locationId: 'DC-1',
  sku,
  threshold: 'reorder-point',
  onHand: { value: 0, uom: 'EA' },
  available: { value: 0, uom: 'EA' },
  thresholdQuantity: { value: 50, uom: 'EA' },
  detectedAt: DETECTED,
});

test('a breach orders from the supplier over EDI and books the delivery in at the DC', async () => {
  const h = await flowHarness();
  const sku = skuWhere(
    h,
    (p) => !p.late && p.lines[0]!.status === 'IA' && p.lines[0]!.shipped === p.lines[0]!.confirmed,
  );
  const erp = h.connectors.client(erpConnector);
  const before = (await erp.call('getStockAt', { sku, location: 'DC-1' })).onHand;
  const runId = await h.publish('inventory.threshold_breached', breach(sku));
  const run = await h.drive(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const out = run.output as {
    status: string;
    received: number;
    orders: Array<{ poNumber: string; invoice: string }>;
  };
  assert.equal(out.status, 'received');
  assert.equal(out.orders[0]!.invoice, 'matched');
  const journal = await h.engine.journal(runId);
  assert.ok(journal.some((e) => e.kind === 'decide' && e.name === 'reorder-policy'));
  assert.ok(
    journal.some((e) => e.kind === 'sleep'),
    'the run waited on durable timers',
  );
  for (const type of [
    'purchase_order.issued',
    'purchase_order.acknowledged',
    'asn.received',
    'goods.received',
    'invoice.posted',
  ])
    assert.equal(h.ofType(type).length, 1, type);
  const po = (await (
    await fetch(`${h.sim.url('suppliers')}/purchase-orders/${out.orders[0]!.poNumber}`)
  ).json()) as { status: string };
  assert.equal(po.status, 'invoiced');
  const after = (await erp.call('getStockAt', { sku, location: 'DC-1' })).onHand;
  assert.equal(after - before, out.received, 'the received units are in stock');
});

test('a changed acknowledgement adjusts what the receipt expects', async () => {
  const h = await flowHarness();
  const sku = skuWhere(
    h,
    (p) => p.lines[0]!.status === 'IQ' && !p.late && p.lines[0]!.shipped === p.lines[0]!.confirmed,
  );
  const runId = await h.publish('inventory.threshold_breached', breach(sku));
  const run = await h.drive(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const ack = h.ofType('purchase_order.acknowledged')[0]!.data as {
    status: string;
    lines: Array<{ quantity: { value: number } }>;
  };
  assert.equal(ack.status, 'accepted-with-changes');
  const receipt = h.ofType('goods.received')[0]!.data as {
    lines: Array<{ expectedQty: number; receivedQty: number }>;
  };
  assert.equal(receipt.lines[0]!.expectedQty, ack.lines[0]!.quantity.value);
  assert.equal(receipt.lines[0]!.receivedQty, receipt.lines[0]!.expectedQty);
});

test('a rejected order goes to procurement, which sends it to an alternate supplier', async () => {
  const h = await flowHarness();
  const sku = skuWhere(h, (p) => p.lines[0]!.status === 'IR');
  const runId = await h.publish('inventory.threshold_breached', breach(sku));
  await h.drive(runId);
  const [task] = await h.engine.listTasks({ runId, status: 'open' });
  assert.equal(task?.role, 'procurement');
  assert.equal(task?.escalateTo, 'procurement-lead');
  assert.equal(task?.dueAt, task!.createdAt + 4 * 3_600_000);
  const alternate = (task!.data as { alternateSupplier: string }).alternateSupplier;
  // the alternate does not carry the item either; procurement then gives up
  const run = await h.drive(runId, (t) => ({
    outcome: t.outcomes.includes('alternate-supplier') && t.id === task!.id ? 'alternate-supplier' : 'cancel',
  }));
  assert.equal((run.output as { status: string }).status, 'cancelled');
  const issued = h
    .ofType('purchase_order.issued')
    .map((e) => e.data as { supplier: { id: string }; poNumber: string });
  assert.equal(issued.length, 2);
  assert.equal(issued[1]!.supplier.id, alternate);
  const res = await fetch(
    `${h.sim.url('suppliers')}/purchase-orders/${issued[1]!.poNumber}?supplier=${alternate}`,
  );
  assert.equal(res.status, 200, 'the alternate supplier received the PO');
});

test('a late ASN raises shipment.delayed and an escalation; procurement moves the order', async () => {
  const h = await flowHarness();
  const sku = skuWhere(
    h,
    (p) => p.late && p.lines[0]!.status === 'IA' && p.shipAt - p.promisedShip > 2 * DAY,
  );
  const runId = await h.publish('inventory.threshold_breached', breach(sku));
  await h.drive(runId);
  const [task] = await h.engine.listTasks({ runId, status: 'open' });
  assert.equal(task?.kind, 'escalation');
  assert.equal(task?.escalateTo, 'procurement-lead');
  const delayed = h.ofType('shipment.delayed');
  assert.equal(delayed.length, 1);
  assert.equal((delayed[0]!.data as { reason: string }).reason, 'supplier-late');
  const run = await h.drive(runId, (t) => ({
    outcome:
      t.id === task!.id ? 'alternate-supplier' : t.outcomes.includes('cancel') ? 'cancel' : t.outcomes[0]!,
  }));
  assert.ok(['cancelled', 'received'].includes((run.output as { status: string }).status));
  const issued = h.ofType('purchase_order.issued').map((e) => e.data as { supplier: { id: string } });
  assert.equal(issued.length, 2);
  assert.notEqual(issued[1]!.supplier.id, issued[0]!.supplier.id);
});

test('a short delivery goes to procurement; refusing it returns the booked goods', async () => {
  const h = await flowHarness();
  const sku = skuWhere(
    h,
    (p) => !p.late && p.lines[0]!.status === 'IA' && p.lines[0]!.shipped < p.lines[0]!.confirmed,
  );
  const erp = h.connectors.client(erpConnector);
  const before = (await erp.call('getStockAt', { sku, location: 'DC-1' })).onHand;
  const runId = await h.publish('inventory.threshold_breached', breach(sku));
  await h.drive(runId);
  const [task] = await h.engine.listTasks({ runId, status: 'open' });
  assert.match(task!.title, /Short delivery/);
  assert.equal(task?.dueAt, task!.createdAt + DAY);
  const run = await h.drive(runId, () => ({ outcome: 'reject-delivery' }));
  assert.equal(run.status, 'compensated', JSON.stringify(run.error));
  const after = (await erp.call('getStockAt', { sku, location: 'DC-1' })).onHand;
  assert.equal(after, before, 'the refused goods went back');
});
