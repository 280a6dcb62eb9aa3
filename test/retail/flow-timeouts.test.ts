/**
 * The waits of the transfer and returns flows running out: goods that never arrive at the store,
 * and a return the customer never sends. The flows here wait a second instead of days.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  locationsFrom,
  returnsFlow,
  transferFlow,
  triggerReturns,
  triggerTransfer,
} from '../../src/retail/index.js';
import { assertDueIn, startHarness, stockAt, testRetry } from './estate-harness.js';
import { EstatePicker } from './order-fixtures.js';

const h = await startHarness((ports, rules, sim) => {
  const transfer = transferFlow({
    ports,
    rules,
    locations: locationsFrom(sim.estate),
    retry: testRetry,
    arrivalTimeout: '1s',
  });
  const returns = returnsFlow({ ports, rules, retry: testRetry, returnWindow: '1s' });
  return {
    workflows: [transfer, returns],
    triggers: (bus) => {
      triggerTransfer(bus, transfer);
      triggerReturns(bus, returns);
    },
  };
});
const pick = new EstatePicker(h.sim);
const shop = h.sim.estate.stores.find((s) => s.region === 'north' && s.dcId === 'DC-1')!;

test('a transfer whose goods never arrive books nothing in and puts the whole shipment to store operations', async () => {
  const item = pick.sku('DC-1', (a) => a >= 30);
  const before = stockAt(h.sim, item.sku, shop.id).onHand;
  const runId = await h.publish('transfer.requested', {
    transferId: 'TR-2026-0901',
    fromLocationId: 'DC-1',
    toLocationId: shop.id,
    reason: 'store-request',
    neededBy: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
    lines: [{ sku: item.sku, quantity: { value: 6, uom: 'EA' } }],
    estimatedValue: { amount: '90.00', currency: 'EUR' },
    requestedBy: 'sam.store',
    requestedAt: new Date().toISOString(),
  });
  const task = await h.openTask(runId);
  assert.equal(task.role, 'store-operations');
  assert.equal(task.escalateTo, 'regional-manager');
  assertDueIn(task, 24);
  assert.deepEqual((task.data as { shortfall: unknown }).shortfall, [{ sku: item.sku, qty: 6 }]);
  const journal = await h.engine.journal(runId);
  const wait = journal.find((e) => e.kind === 'event' && e.name === 'transfer.arrived');
  assert.equal(wait?.status, 'completed');
  assert.equal(wait?.result ?? null, null, 'the wait timed out without an event');
  await h.drain();
  const [received] = h.emitted('transfer.received', 'TR-2026-0901');
  const data = received?.data as {
    receivedBy: string;
    lines: Array<{ quantityReceived: { value: number }; discrepancy?: string }>;
  };
  assert.equal(data.receivedBy, 'not counted');
  assert.deepEqual(
    data.lines.map((l) => [l.quantityReceived.value, l.discrepancy]),
    [[0, 'short']],
  );
  assert.equal(stockAt(h.sim, item.sku, shop.id).onHand, before, 'nothing was booked in at the store');

  await h.engine.completeTask(task.id, { outcome: 'write-off', by: 'rita.regional' });
  const run = await h.finish(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.equal((run.output as { status: string }).status, 'received-with-variance');
  const resolved = h.emitted('transfer.variance_resolved', 'TR-2026-0901');
  assert.equal(resolved.length, 1);
  assert.equal((resolved[0]!.data as { resolution: string }).resolution, 'write-off');
});

test('a return that never arrives expires: the customer is told and nothing is refunded', async () => {
  const item = pick.sku('DC-1', () => true);
  const runId = await h.publish('return.requested', {
    returnId: 'RMA-2026-0901',
    orderId: 'SO-2026-0901',
    channel: 'web',
    customerId: pick.goodCustomer(),
    purchasedAt: new Date(Date.now() - 5 * 86_400_000).toISOString(),
    method: 'mail',
    returnLocationId: 'DC-1',
    currency: 'EUR',
    lines: [
      {
        sku: item.sku,
        quantity: 1,
        reason: 'size-fit',
        condition: 'unopened',
        category: 'apparel',
        unitPrice: Math.min(30, item.webPrice),
      },
    ],
  });
  const run = await h.finish(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.deepEqual(run.output, { returnId: 'RMA-2026-0901', status: 'expired' });
  assert.equal(h.emitted('return.authorized', 'RMA-2026-0901').length, 1);
  assert.equal(h.emitted('return.expired', 'RMA-2026-0901').length, 1);
  assert.equal(h.emitted('return.received', 'RMA-2026-0901').length, 0);
  assert.equal(h.emitted('return.refunded', 'RMA-2026-0901').length, 0);
  assert.deepEqual(
    h.sim.state.refunds.filter((r) => r.returnId === 'RMA-2026-0901'),
    [],
    'finance paid nothing',
  );
  const { notifications } = await h.fetchSim<{ notifications: Array<{ template: string }> }>(
    'crm',
    '/notifications?reference=RMA-2026-0901',
  );
  assert.deepEqual(
    notifications.map((n) => n.template),
    ['return.authorized', 'return.expired'],
  );
});
