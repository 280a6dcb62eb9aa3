/**
 * Contract tests of the built-in connectors against the estate simulator: every operation once
 * with a valid request (its output is checked by the client, its business values here), each
 * system's main refusal as a non-retryable rejection carrying the problem, and idempotent replays.
 * The last test fails when an operation has no contract case.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  builtinConnectors,
  type CallOptions,
  connectorsFromConfig,
  crmConnector,
  ecommerceConnector,
  erpConnector,
  FAILURE,
  financeConnector,
  omsConnector,
  parseEdi,
  posConnector,
  type Rejection,
  rejectionOf,
  suppliersConnector,
  wmsConnector,
} from '../../src/connectors/index.js';
import type { PurchaseOrderIssued } from '../../src/contracts/index.js';
import { compileConfig, ManualClock } from '../../src/core/index.js';
import { DEFAULT_TIMING, type SystemName, startSimulator } from '../../src/sim/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 0, 0));
const sim = await startSimulator({ seed: 7, estate: { stores: 8, skus: 60 }, clock, port: 0 });
const store = openSqliteStore({ path: join(tempDir(), 'baton.db'), durability: 'normal' });
const connectors = connectorsFromConfig(
  compileConfig({
    connectors: Object.fromEntries(
      builtinConnectors.map((c) => [c.system, { baseUrl: sim.url(c.system as SystemName), maxAttempts: 1 }]),
    ),
  }),
  store,
);
after(async () => {
  await connectors.close();
  await sim.close();
  await store.close();
});

const erp = connectors.client(erpConnector);
const oms = connectors.client(omsConnector);
const wms = connectors.client(wmsConnector);
const pos = connectors.client(posConnector);
const ecommerce = connectors.client(ecommerceConnector);
const crm = connectors.client(crmConnector);
const finance = connectors.client(financeConnector);
const suppliers = connectors.client(suppliersConnector);

/** Systems whose refusals a case below has checked. */
const refusedBy = new Set<string>();

/** The rejection `call` fails with: not retryable, a 4xx, its problem type and detail readable. */
async function rejected(call: Promise<unknown>, reason: string, status = 422): Promise<Rejection> {
  try {
    await call;
  } catch (err) {
    const r = rejectionOf(err);
    assert.ok(r, `a connector rejection, got ${err}`);
    assert.equal((err as { type: string }).type, FAILURE.rejected);
    assert.equal((err as { retryable: boolean }).retryable, false);
    assert.equal(r.reason, reason, r.detail);
    assert.equal(r.status, status);
    assert.match(r.type, new RegExp(`:${reason}$`));
    assert.ok(r.detail.length > 0);
    refusedBy.add(String((err as { details?: { system?: string } }).details?.system));
    return r;
  }
  assert.fail(`expected a ${reason} rejection, the call succeeded`);
}

const level = (sku: string, location: string) => sim.state.stock.level(sku, location);
const free = (sku: string, location: string) => level(sku, location).onHand - level(sku, location).reserved;
/** SKUs stocked at every one of the locations. */
const stocked = (...locations: string[]) =>
  sim.estate.skus.map((s) => s.sku).filter((sku) => locations.every((l) => level(sku, l).onHand >= 10));
const [SKU_A, SKU_B, SKU_C] = stocked('DC-1', 'ST-001', 'ST-002', 'ST-003');
assert.ok(SKU_A && SKU_B && SKU_C, 'the estate stocks three SKUs everywhere the tests look');
const customers = sim.estate.customers.map((c) => ({ ...c, free: c.creditLimit - sim.state.exposure(c.id) }));
const BUYER = customers.find((c) => c.free > 1_000 && c.consents.email)!;
const NO_SMS = customers.find((c) => !c.consents.sms)!;
assert.ok(BUYER && NO_SMS);

describe('erp', () => {
  test('validateOrder and getPrice: list prices pass, a wrong price is a price-mismatch', async () => {
    const price = await erp.call('getPrice', { sku: SKU_A, channel: 'store', store: 'ST-001' });
    assert.equal(price.sku, SKU_A);
    assert.equal(price.listPrice, sim.index.skus.get(SKU_A)!.prices.store);
    assert.equal(price.date, '2026-03-02');
    const order = {
      orderId: 'SO-1001',
      customerId: BUYER.id,
      channel: 'store' as const,
      storeId: 'ST-001',
      lines: [{ sku: SKU_A, qty: 2, unitPrice: price.price }],
    };
    const valid = await erp.call('validateOrder', order);
    assert.equal(valid.valid, true);
    assert.equal(valid.netAmount, Math.round(2 * price.price * 100) / 100);
    assert.equal(valid.lines[0]!.listPrice, price.price);

    const wrong = { ...order, lines: [{ sku: SKU_A, qty: 2, unitPrice: price.price + 1 }] };
    const r = await rejected(erp.call('validateOrder', wrong), 'price-mismatch');
    assert.deepEqual(r.problem.mismatches, [
      { line: 0, sku: SKU_A, expected: price.price, got: price.price + 1 },
    ]);
    assert.equal((r.problem.errors as Array<{ pointer: string }>)[0]?.pointer, '/lines/0/unitPrice');
  });

  test('checkCredit and getCustomer: within the limit approved, beyond it credit-limit-exceeded', async () => {
    const customer = await erp.call('getCustomer', { customerId: BUYER.id });
    assert.equal(customer.creditLimit, BUYER.creditLimit);
    assert.ok(customer.available > 1_000);
    const ok = await erp.call('checkCredit', { customerId: BUYER.id, amount: 100, orderId: 'SO-1001' });
    assert.equal(ok.approved, true);
    assert.match(ok.checkId ?? '', /^CRC/);
    assert.equal(ok.available, customer.available);
    const r = await rejected(
      erp.call('checkCredit', { customerId: BUYER.id, amount: customer.available + 500 }),
      'credit-limit-exceeded',
    );
    assert.equal(r.problem.available, customer.available);
    await rejected(erp.call('getCustomer', { customerId: 'CUST-99999' }), 'not-found', 404);
  });

  test('getStock and getStockAt report on hand, reserved and available', async () => {
    const all = await erp.call('getStock', { sku: SKU_A });
    const dc = all.locations.find((l) => l.location === 'DC-1');
    assert.equal(dc?.onHand, level(SKU_A, 'DC-1').onHand);
    assert.equal(all.available, sum(all.locations.map((l) => l.available)));
    const one = await erp.call('getStockAt', { sku: SKU_A, location: 'DC-1' });
    assert.deepEqual(one, { sku: SKU_A, ...dc });
  });

  test('a transfer order reserves at its source, is issued and received by goods movements', async () => {
    const before = { dc: { ...level(SKU_B, 'DC-1') }, store: level(SKU_B, 'ST-002').onHand };
    const sto = await erp.call('createTransferOrder', {
      from: 'DC-1',
      to: 'ST-002',
      lines: [{ sku: SKU_B, qty: 4 }],
      reference: 'TR-1',
    });
    assert.equal(sto.status, 'open');
    assert.equal(level(SKU_B, 'DC-1').reserved, before.dc.reserved + 4);
    assert.deepEqual((await erp.call('getTransferOrder', { stoNumber: sto.stoNumber })).lines, [
      { sku: SKU_B, qty: 4, reserved: 4 },
    ]);
    const issue = await erp.call('postGoodsMovement', {
      movementType: 'issue',
      location: 'DC-1',
      stoNumber: sto.stoNumber,
      lines: [{ sku: SKU_B, qty: 4 }],
    });
    assert.equal(issue.movementCode, '201');
    assert.equal(issue.lines[0]!.onHandAtSource, before.dc.onHand - 4);
    const receipt = await erp.call('postGoodsMovement', {
      movementType: 'receipt',
      location: 'ST-002',
      stoNumber: sto.stoNumber,
      lines: [{ sku: SKU_B, qty: 4 }],
    });
    assert.equal(receipt.lines[0]!.onHandAtTarget, before.store + 4);
    assert.equal((await erp.call('getTransferOrder', { stoNumber: sto.stoNumber })).status, 'received');

    const tooMuch = free(SKU_B, 'DC-1') + 1;
    const r = await rejected(
      erp.call('createTransferOrder', { from: 'DC-1', to: 'ST-003', lines: [{ sku: SKU_B, qty: tooMuch }] }),
      'insufficient-stock-at-source',
    );
    assert.equal(r.problem.from, 'DC-1');
    await rejected(
      erp.call('createTransferOrder', { from: 'DC-9', to: 'ST-003', lines: [{ sku: SKU_B, qty: 1 }] }),
      'unknown-master-data',
    );
  });

  test('a goods issue that would make stock negative is refused and changes nothing', async () => {
    const onHand = level(SKU_C, 'ST-003').onHand;
    const r = await rejected(
      erp.call('postGoodsMovement', {
        movementType: 'issue',
        location: 'ST-003',
        lines: [{ sku: SKU_C, qty: onHand + 1 }],
      }),
      'negative-stock',
    );
    assert.equal(r.problem.location, 'ST-003');
    assert.equal(level(SKU_C, 'ST-003').onHand, onHand);
  });

  test('the same idempotency key gets the first answer and the receipt is booked once', async () => {
    const onHand = level(SKU_C, 'ST-004').onHand;
    const receipt = { movementType: 'receipt' as const, location: 'ST-004', lines: [{ sku: SKU_C, qty: 3 }] };
    const first = await erp.call('postGoodsMovement', receipt, { idempotencyKey: 'run-gr:1' });
    const again = await erp.call('postGoodsMovement', receipt, { idempotencyKey: 'run-gr:1' });
    assert.deepEqual(again, first);
    assert.equal(level(SKU_C, 'ST-004').onHand, onHand + 3);
    const other = await erp.call('postGoodsMovement', receipt, { idempotencyKey: 'run-gr:2' });
    assert.notEqual(other.materialDocument, first.materialDocument);
  });

  test('postJournal books a balanced document and moves exposure; an unbalanced one is refused', async () => {
    const exposure = sim.state.exposure(BUYER.id);
    const doc = await erp.call('postJournal', {
      reference: 'SO-1001',
      lines: [
        { account: '110000', debit: 120, customerId: BUYER.id },
        { account: '400000', credit: 100 },
        { account: '175000', credit: 20 },
      ],
    });
    assert.match(doc.documentNumber, /^01/);
    assert.equal(doc.total, 120);
    assert.equal((await erp.call('getCustomer', { customerId: BUYER.id })).exposure, exposure + 120);
    const listed = await erp.call('listPostings', { reference: 'SO-1001' });
    assert.deepEqual(
      listed.postings.map((p) => p.documentNumber),
      [doc.documentNumber],
    );
    const r = await rejected(
      erp.call('postJournal', {
        lines: [
          { account: '100000', debit: 10 },
          { account: '400000', credit: 9.5 },
        ],
      }),
      'unbalanced-posting',
    );
    assert.deepEqual([r.problem.debit, r.problem.credit], [10, 9.5]);
  });
});

describe('oms', () => {
  test('reserve takes what there is, names the short SKUs, and refuses all-or-nothing', async () => {
    const freeB = free(SKU_B, 'ST-001');
    const res = await oms.call('reserve', {
      orderId: 'SO-2001',
      location: 'ST-001',
      lines: [
        { sku: SKU_A, qty: 2 },
        { sku: SKU_B, qty: freeB + 5 },
      ],
    });
    assert.equal(res.status, 'active');
    assert.deepEqual(res.shortSkus, [SKU_B]);
    assert.deepEqual(
      res.lines.map((l) => [l.sku, l.requested, l.reserved]),
      [
        [SKU_A, 2, 2],
        [SKU_B, freeB + 5, freeB],
      ],
    );
    assert.equal((await oms.call('getReservation', { reservationId: res.reservationId })).orderId, 'SO-2001');
    const released = await oms.call('release', { reservationId: res.reservationId, reason: 'test' });
    assert.equal(released.status, 'released');
    assert.equal(free(SKU_B, 'ST-001'), freeB);
    await rejected(oms.call('release', { reservationId: res.reservationId }), 'conflict', 409);

    const r = await rejected(
      oms.call('reserve', {
        orderId: 'SO-2002',
        location: 'ST-001',
        lines: [{ sku: SKU_B, qty: freeB + 1 }],
        allowPartial: false,
      }),
      'insufficient-stock',
    );
    assert.deepEqual(r.problem.lines, [{ sku: SKU_B, requested: freeB + 1, reserved: freeB }]);
  });

  test('a replayed reservation is the same reservation, made once', async () => {
    const reserved = level(SKU_A, 'ST-002').reserved;
    const req = { orderId: 'SO-2003', location: 'ST-002', lines: [{ sku: SKU_A, qty: 3 }] };
    const key: CallOptions = { idempotencyKey: 'run-res:4' };
    const first = await oms.call('reserve', req, key);
    const again = await oms.call('reserve', req, key);
    assert.equal(again.reservationId, first.reservationId);
    assert.equal(level(SKU_A, 'ST-002').reserved, reserved + 3);
    const status = await oms.call('getOrderStatus', { orderId: 'SO-2003' });
    assert.equal(status.status, 'reserved');
    assert.deepEqual(status.reservations, [first.reservationId]);
  });
});

describe('wms', () => {
  test('pick tasks queue by priority and ship against the order’s reservation', async () => {
    const res = await oms.call('reserve', {
      orderId: 'SO-3001',
      location: 'ST-003',
      lines: [{ sku: SKU_A, qty: 2 }],
    });
    const onHand = level(SKU_A, 'ST-003').onHand;
    const first = await wms.call('createPickTask', {
      orderId: 'SO-3001',
      location: 'ST-003',
      lines: [{ sku: SKU_A, qty: 2 }],
    });
    assert.equal(first.priority, 5);
    assert.equal(first.queuePosition, 1);
    const urgent = await wms.call('createPickTask', {
      orderId: 'SO-3002',
      location: 'ST-003',
      lines: [{ sku: SKU_C, qty: 1 }],
      priority: 2,
    });
    assert.equal(urgent.queuePosition, 1);
    assert.equal((await wms.call('getPickTask', { taskId: first.taskId })).queuePosition, 2);
    const moved = await wms.call('setPriority', { taskId: first.taskId, priority: 1, reason: 'VIP' });
    assert.equal(moved.queuePosition, 1);
    const open = await wms.call('listPickTasks', { location: 'ST-003', status: 'open' });
    assert.deepEqual(
      open.tasks.map((t) => t.taskId),
      [first.taskId, urgent.taskId],
    );

    const shipped = await wms.call('confirmShipment', { taskId: first.taskId, carrier: 'DHL' });
    assert.deepEqual(shipped.lines, [{ sku: SKU_A, qty: 2 }]);
    assert.equal(shipped.orderId, 'SO-3001');
    assert.equal(level(SKU_A, 'ST-003').onHand, onHand - 2);
    assert.equal((await oms.call('getReservation', { reservationId: res.reservationId })).status, 'consumed');
    const status = await oms.call('getOrderStatus', { orderId: 'SO-3001' });
    assert.equal(status.status, 'shipped');
    assert.deepEqual(status.shipments, [shipped.shipmentId]);

    await rejected(wms.call('confirmShipment', { taskId: first.taskId }), 'conflict', 409);
    await rejected(wms.call('confirmShipment', { taskId: 'PT-NOPE' }), 'not-found', 404);
    await rejected(wms.call('setPriority', { taskId: first.taskId, priority: 3 }), 'conflict', 409);
    await rejected(
      wms.call('createPickTask', {
        orderId: 'SO-3003',
        location: 'ST-003',
        lines: [{ sku: SKU_A, qty: level(SKU_A, 'ST-003').onHand + 1 }],
      }),
      'insufficient-stock-to-pick',
    );
  });

  test('receipts book good units and report their variance', async () => {
    const onHand = level(SKU_B, 'ST-001').onHand;
    const receipt = await wms.call('postReceipt', {
      location: 'ST-001',
      poNumber: '4500000777',
      lines: [{ sku: SKU_B, expectedQty: 10, receivedQty: 9, damagedQty: 1 }],
    });
    assert.equal(receipt.status, 'variance');
    assert.equal(receipt.totalVariance, -1);
    assert.equal(level(SKU_B, 'ST-001').onHand, onHand + 8);
    await rejected(
      wms.call('postReceipt', {
        location: 'ST-001',
        lines: [{ sku: SKU_B, expectedQty: 2, receivedQty: 2, damagedQty: 3 }],
      }),
      'invalid-receipt',
    );
  });
});

describe('pos and ecommerce', () => {
  test('a price update is accepted, applied target by target, and seen at the till and online', async () => {
    const update = await pos.call('updatePrices', {
      prices: [{ sku: SKU_A, price: 9.99 }],
      stores: ['ST-001', 'ST-002'],
      reference: 'PROMO-X',
    });
    assert.equal(update.targets, 2);
    const web = await ecommerce.call('updatePrices', {
      prices: [{ sku: SKU_A, price: 10.49 }],
      channels: ['webshop', 'app'],
    });
    assert.equal(web.targets, 2);
    assert.equal((await pos.call('getPriceUpdate', { updateId: update.updateId })).status, 'pending');
    assert.equal(
      (await pos.call('getPrice', { sku: SKU_A, store: 'ST-001' })).price,
      sim.index.skus.get(SKU_A)!.prices.store,
    );

    clock.advance(DEFAULT_TIMING.priceLagMs + 2 * DEFAULT_TIMING.priceApplyMs);
    const confirmed = await pos.call('getPriceUpdate', { updateId: update.updateId });
    assert.equal(confirmed.status, 'applied');
    assert.deepEqual(
      confirmed.targets.map((t) => t.store),
      ['ST-001', 'ST-002'],
    );
    const till = await pos.call('getPrice', { sku: SKU_A, store: 'ST-001' });
    assert.deepEqual([till.price, till.updateId], [9.99, update.updateId]);
    const online = await ecommerce.call('getPriceUpdate', { updateId: web.updateId });
    assert.equal(online.applied, 2);
    const app = await ecommerce.call('getPrice', { sku: SKU_A, channel: 'app' });
    assert.equal(app.price, 10.49);

    await rejected(pos.call('updatePrices', { prices: [{ sku: SKU_A, price: 1.234 }] }), 'invalid-price');
    await rejected(
      ecommerce.call('updatePrices', { prices: [{ sku: 'SKU-NOPE', price: 1 }] }),
      'unknown-master-data',
    );
  });
});

describe('crm', () => {
  test('notifications go out with consent and are refused without it', async () => {
    const sent = await crm.call('notify', {
      customerId: BUYER.id,
      channel: 'email',
      template: 'order.confirmed',
      reference: 'SO-1001',
      data: { orderId: 'SO-1001' },
    });
    assert.equal(sent.status, 'queued');
    assert.equal(sent.to, BUYER.email);
    clock.advance(1_000);
    assert.equal((await crm.call('getNotification', { notificationId: sent.notificationId })).status, 'sent');
    const listed = await crm.call('listNotifications', { reference: 'SO-1001' });
    assert.deepEqual(
      listed.notifications.map((n) => n.notificationId),
      [sent.notificationId],
    );
    await rejected(
      crm.call('notify', { customerId: NO_SMS.id, channel: 'sms', template: 'order.shipped' }),
      'no-consent',
    );
  });
});

describe('finance', () => {
  test('margin exposure of a promotion', async () => {
    const promo = sim.estate.promotions[0]!;
    const exposure = await finance.call('getMarginExposure', { promotion: promo.id });
    assert.deepEqual(
      exposure.lines.map((l) => l.sku),
      promo.skus,
    );
    assert.equal(exposure.marginChange, round(exposure.marginAtPromotion - exposure.marginAtList));
    await rejected(finance.call('getMarginExposure', { promotion: 'PROMO-99' }), 'not-found', 404);
  });

  test('a return is refunded once; reconciliation against the ERP gives its verdict', async () => {
    const refund = await finance.call(
      'refund',
      { returnId: 'RET-5001', orderId: 'SO-1001', amount: 25, method: 'original-payment' },
      { idempotencyKey: 'run-rf:7' },
    );
    assert.equal(refund.status, 'issued');
    const replay = await finance.call(
      'refund',
      { returnId: 'RET-5001', orderId: 'SO-1001', amount: 25, method: 'original-payment' },
      { idempotencyKey: 'run-rf:7' },
    );
    assert.equal(replay.refundId, refund.refundId);
    assert.equal(sim.state.refunds.filter((r) => r.returnId === 'RET-5001').length, 1);
    const twice = await rejected(
      finance.call('refund', { returnId: 'RET-5001', amount: 25, method: 'cash' }),
      'conflict',
      409,
    );
    assert.equal(twice.problem.refundId, refund.refundId);
    assert.equal((await finance.call('getRefund', { refundId: refund.refundId })).amount, 25);

    const unposted = await finance.call('reconcile', { reference: 'RET-5001' });
    assert.equal(unposted.status, 'unmatched');
    assert.equal(unposted.difference, 25);
    await erp.call('postJournal', {
      reference: 'RET-5001',
      lines: [
        { account: '410000', debit: 25 },
        { account: '100000', credit: 25 },
      ],
    });
    const matched = await finance.call('reconcile', { reference: 'RET-5001', expectedAmount: 25 });
    assert.deepEqual([matched.status, matched.posted, matched.differences], ['matched', 25, []]);
    await rejected(finance.call('reconcile', { reference: 'RET-NONE' }), 'not-found', 404);
  });
});

describe('suppliers', () => {
  const supplierOf = (sku: string) => sim.index.skus.get(sku)!.supplierId;

  test('an 850 is received, acknowledged at once by a 997, then answered by 855, 856 and 810', async () => {
    const listed = await suppliers.call('listSuppliers', {});
    assert.equal(listed.suppliers.length, sim.estate.suppliers.length);
    const supplierId = supplierOf(SKU_A);
    const sku = sim.index.skus.get(SKU_A)!;
    const po: PurchaseOrderIssued = {
      poNumber: '4500009001',
      erpDocument: { system: 'sap-s4', id: '4500009001', documentType: 'purchase-order' },
      supplier: { id: supplierId },
      shipTo: { locationId: 'DC-1' },
      issuedAt: '2026-03-02T09:00:00Z',
      requestedDeliveryDate: '2026-03-20',
      lines: [
        {
          lineNumber: '10',
          sku: SKU_A,
          quantity: { value: 40, uom: 'EA' },
          unitPrice: { amount: sku.cost.toFixed(2), currency: 'EUR' },
        },
      ],
      total: { amount: (40 * sku.cost).toFixed(2), currency: 'EUR' },
    };
    const received = await suppliers.call('sendPurchaseOrder', po, { idempotencyKey: 'run-po:2' });
    assert.deepEqual([received.supplierId, received.format, received.lines], [supplierId, 'x12', 1]);
    const replay = await suppliers.call('sendPurchaseOrder', po, { idempotencyKey: 'run-po:2' });
    assert.deepEqual(replay, received);
    await rejected(suppliers.call('sendPurchaseOrder', po), 'conflict', 409);

    const now = await suppliers.call('fetchOutbox', { supplierId });
    assert.deepEqual(
      now.documents.map((d) => d.type),
      ['997'],
    );
    clock.advance(90 * DEFAULT_TIMING.dayMs);
    const later = await suppliers.call('fetchOutbox', { supplierId, since: now.documents[0]!.availableAt });
    const types = later.documents.map((d) => d.type);
    assert.equal(types[0], '855');
    const ack = parseEdi(later.documents[0]!.x12);
    assert.equal(ack.events[0]?.type, 'purchase_order.acknowledged');
    const order = await suppliers.call('getPurchaseOrder', { poNumber: po.poNumber, supplierId });
    assert.equal(order.status, types.includes('810') ? 'invoiced' : 'acknowledged');
    assert.deepEqual(
      order.documents.map((d) => d.type),
      ['997', ...types],
    );
    const text = await suppliers.call('getOutboxDocument', {
      supplierId,
      documentId: later.documents[0]!.documentId,
    });
    assert.equal(text, later.documents[0]!.x12);
    const acks = await suppliers.call('fetchOutbox', { supplierId, type: '855' });
    assert.equal(acks.documents.length, 1);
  });

  test('a JSON purchase order is received; an unknown trading partner is refused', async () => {
    const supplierId = supplierOf(SKU_B);
    const received = await suppliers.call('sendPurchaseOrderJson', {
      supplierId,
      poNumber: '4500009002',
      shipTo: 'DC-2',
      lines: [{ sku: SKU_B, qty: 12 }],
    });
    assert.deepEqual([received.status, received.format], ['received', 'json']);
    await rejected(
      suppliers.call('sendPurchaseOrderJson', {
        supplierId: 'SUP-999',
        poNumber: '4500009003',
        shipTo: 'DC-2',
        lines: [{ sku: SKU_B, qty: 1 }],
      }),
      'unknown-trading-partner',
    );
  });
});

describe('coverage', () => {
  test('every operation of every built-in connector succeeded in a case above', async () => {
    await connectors.recorder.flush();
    const calls = await store.connectors.listCalls({ limit: 10_000 });
    const ok = new Set(calls.filter((c) => c.outcome === 'ok').map((c) => `${c.system}.${c.operation}`));
    const declared = builtinConnectors.flatMap((c) =>
      [...c.operations.keys()].map((op) => `${c.system}.${op}`),
    );
    assert.deepEqual(
      declared.filter((op) => !ok.has(op)),
      [],
      'operations without a successful contract case',
    );
  });

  test('every built-in system’s refusals were checked', () => {
    assert.deepEqual(
      builtinConnectors.map((c) => c.system).filter((s) => !refusedBy.has(s)),
      [],
    );
  });
});

function sum(values: number[]): number {
  return values.reduce((s, v) => s + v, 0);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
