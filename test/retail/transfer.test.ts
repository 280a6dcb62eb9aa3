import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransferRequested } from '../../src/contracts/index.js';
import { locationsFrom, transferFlow, triggerTransfer } from '../../src/retail/index.js';
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

const h = await startHarness((ports, rules, sim) => {
  const flow = transferFlow({ ports, rules, locations: locationsFrom(sim.estate), retry: testRetry });
  return { workflows: [flow], triggers: (bus) => triggerTransfer(bus, flow) };
});
const pick = new EstatePicker(h.sim);
const store = h.sim.estate.stores.find((s) => s.region === 'north' && s.dcId === 'DC-1')!;

function requested(transferId: string, sku: string, qty: number, value?: number): TransferRequested {
  return {
    transferId,
    fromLocationId: 'DC-1',
    toLocationId: store.id,
    reason: 'store-request',
    neededBy: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
    lines: [{ sku, quantity: { value: qty, uom: 'EA' } }],
    ...(value !== undefined ? { estimatedValue: { amount: value.toFixed(2), currency: 'EUR' } } : {}),
    requestedBy: 'sam.store',
    requestedAt: new Date().toISOString(),
  };
}

const arrived = (transferId: string, sku: string, quantityReceived: number) => ({
  transferId,
  receivedBy: 'joana.store',
  lines: [{ sku, quantityReceived }],
});

const stoOf = (transferId: string) =>
  [...h.sim.state.transfers.values()].find((t) => t.reference === transferId);

/** The run once it waits for the goods-in count, with the transfer shipped. */
async function inTransit(transferId: string) {
  await eventually(() => h.emitted('transfer.shipped', transferId).length === 1, 15_000, 'transfer.shipped');
}

test('a small transfer approves itself, ships, and is received in full', async () => {
  const item = pick.sku('DC-1', (a) => a >= 30);
  const source = stockAt(h.sim, item.sku, 'DC-1').onHand;
  const target = stockAt(h.sim, item.sku, store.id).onHand;
  const runId = await h.publish('transfer.requested', requested('TR-2026-0001', item.sku, 10, 150));
  await inTransit('TR-2026-0001');
  assert.equal(stoOf('TR-2026-0001')?.status, 'issued');
  assert.equal(stockAt(h.sim, item.sku, 'DC-1').onHand, source - 10, 'the units left the source');
  const approved = h.emitted('transfer.approved', 'TR-2026-0001')[0]!.data as {
    approvedBy: string;
    decision: string;
  };
  assert.deepEqual([approved.approvedBy, approved.decision], ['rule:transfer-approval', 'approved']);

  await h.deliver('transfer.arrived', arrived('TR-2026-0001', item.sku, 10), 'arrival-1');
  const run = await h.finish(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.equal((run.output as { status: string }).status, 'received');
  assert.equal(stockAt(h.sim, item.sku, store.id).onHand, target + 10);
  assert.equal(stoOf('TR-2026-0001')?.status, 'received');
  assert.equal((await decisions(h, runId)).get('transfer-approval')?.length, 1);
  assert.equal((await h.engine.listTasks({ runId })).length, 0, 'no manual touch');
  const received = h.emitted('transfer.received', 'TR-2026-0001')[0]!.data as {
    lines: Array<{ discrepancy?: string }>;
  };
  assert.equal(received.lines[0]?.discrepancy, undefined);
  assertContracts(h.events);
});

test('a large transfer waits for store operations; a short receipt is a task and a goods movement', async () => {
  const item = pick.sku('DC-1', (a) => a >= 70);
  const runId = await h.publish('transfer.requested', requested('TR-2026-0002', item.sku, 60, 600));
  const approval = await h.openTask(runId);
  assert.equal(approval.role, 'store-operations');
  assert.equal(approval.escalateTo, 'regional-manager');
  assertDueIn(approval, 8);
  assert.deepEqual((await decisions(h, runId)).get('transfer-approval'), [
    { approval: 'store-operations', reason: 'quantity over 50', dueIn: '8h' },
  ]);
  assert.equal(stoOf('TR-2026-0002'), undefined, 'nothing is ordered before the approval');
  await h.engine.completeTask(approval.id, { outcome: 'approve', by: 'olga.storeops' });
  await inTransit('TR-2026-0002');

  const source = stockAt(h.sim, item.sku, 'DC-1').onHand;
  await h.deliver('transfer.arrived', arrived('TR-2026-0002', item.sku, 57), 'arrival-2');
  const short = await eventually(
    async () =>
      (await h.engine.listTasks({ runId, status: 'open' })).find((t) => t.title.startsWith('Short receipt')),
    15_000,
    'the short-receipt task',
  );
  assert.equal(short.role, 'store-operations');
  assertDueIn(short, 24);
  await h.drain();
  const received = h.emitted('transfer.received', 'TR-2026-0002')[0]!.data as {
    lines: Array<{ discrepancy?: string; quantityReceived: { value: number } }>;
  };
  assert.equal(received.lines[0]?.discrepancy, 'short');
  assert.equal(received.lines[0]?.quantityReceived.value, 57);

  await h.engine.completeTask(short.id, { outcome: 'book-at-source', by: 'olga.storeops' });
  const run = await h.finish(runId);
  assert.equal((run.output as { status: string }).status, 'received-with-variance');
  assert.equal(
    stockAt(h.sim, item.sku, 'DC-1').onHand,
    source + 3,
    'the three missing units are booked back at the source',
  );
  const resolved = h.emitted('transfer.variance_resolved', 'TR-2026-0002')[0]!.data as { resolution: string };
  assert.equal(resolved.resolution, 'book-at-source');
  assertContracts(h.events);
});

test('a short receipt written off posts the value to inventory differences', async () => {
  const item = pick.sku('DC-1', (a) => a >= 20);
  const runId = await h.publish('transfer.requested', requested('TR-2026-0003', item.sku, 10, 200));
  await inTransit('TR-2026-0003');
  await h.deliver('transfer.arrived', arrived('TR-2026-0003', item.sku, 8), 'arrival-3');
  const task = await h.openTask(runId);
  await h.engine.completeTask(task.id, { outcome: 'write-off', by: 'olga.storeops' });
  await h.finish(runId);
  const [doc] = h.sim.state.postings.filter((p) => p.reference === 'TR-2026-0003');
  assert.equal(doc?.lines.find((l) => l.account === '510000')?.debit, 40, 'two units at 20 each');
});

test('store operations rejecting a transfer stops it before the ERP', async () => {
  const item = pick.sku('DC-1', (a) => a >= 5);
  const runId = await h.publish('transfer.requested', requested('TR-2026-0004', item.sku, 5, 12_000));
  const task = await h.openTask(runId);
  assertDueIn(task, 4);
  await h.engine.completeTask(task.id, { outcome: 'reject', by: 'olga.storeops' });
  const run = await h.finish(runId);
  assert.deepEqual(run.output, { transferId: 'TR-2026-0004', status: 'rejected', by: 'olga.storeops' });
  assert.equal(stoOf('TR-2026-0004'), undefined);
  assert.equal(h.emitted('transfer.rejected', 'TR-2026-0004').length, 1);
  assert.equal(h.emitted('transfer.approved', 'TR-2026-0004').length, 0);
});
