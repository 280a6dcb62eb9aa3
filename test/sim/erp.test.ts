import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, type Problem, post, simulator } from './fixture.js';

const sim = await simulator({ seed: 7, systems: ['erp', 'oms', 'wms'] });
const { estate } = sim;

/** A SKU with stock at `location`, and how much. */
function stocked(location: string, min = 10): { sku: string; onHand: number } {
  const s = estate.skus.find((x) => (estate.stock[x.sku]?.[location] ?? 0) >= min)!;
  return { sku: s.sku, onHand: estate.stock[s.sku]![location]! };
}

interface StockView {
  onHand: number;
  reserved: number;
  available: number;
}
const stockAt = async (sku: string, location: string): Promise<StockView> => {
  const { onHand, reserved, available } = (
    await get<StockView>(sim, 'erp', `/stock/${sku}?location=${location}`)
  ).body;
  return { onHand, reserved, available };
};

function assertProblem(
  reply: { status: number; headers: Headers; body: unknown },
  status: number,
  type: string,
  detail?: RegExp,
): Problem {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.match(String(reply.headers.get('content-type')), /^application\/problem\+json/);
  const p = reply.body as Problem;
  assert.equal(p.type, type);
  assert.equal(p.status, status);
  assert.ok(p.title.length > 0 && p.detail.length > 0);
  if (detail) assert.match(p.detail, detail);
  return p;
}

test('a credit check beyond the limit is refused with the figures; postings move the exposure', async () => {
  const c = estate.customers.find((x) => x.kind === 'trade' && x.creditLimit - x.exposure > 2000)!;
  const available = Math.round((c.creditLimit - c.exposure) * 100) / 100;
  const over = await post(sim, 'erp', '/credit-checks', { customerId: c.id, amount: available + 1 });
  const p = assertProblem(over, 422, 'urn:baton:sim:erp:credit-limit-exceeded', /credit limit exceeded/);
  assert.equal(p.creditLimit, c.creditLimit);
  assert.equal(p.available, available);

  const within = await post(sim, 'erp', '/credit-checks', { customerId: c.id, amount: 1000 });
  assert.equal(within.status, 201);
  assert.equal(within.body.approved, true);

  // an invoice of (available - 500) on the customer's account leaves room for less than 1,000
  const invoice = Math.round((available - 500) * 100) / 100;
  const posted = await post(sim, 'erp', '/postings', {
    reference: 'INV-T1',
    lines: [
      { account: '110000', debit: invoice, customerId: c.id },
      { account: '400000', credit: invoice },
    ],
  });
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  const again = await post(sim, 'erp', '/credit-checks', { customerId: c.id, amount: 1000 });
  assertProblem(again, 422, 'urn:baton:sim:erp:credit-limit-exceeded');
  const account = await get(sim, 'erp', `/customers/${c.id}`);
  assert.equal(account.body.available, 500);

  const overdrawn = estate.customers.find((x) => x.exposure > x.creditLimit)!;
  const none = await post(sim, 'erp', '/credit-checks', { customerId: overdrawn.id, amount: 1 });
  assertProblem(none, 422, 'urn:baton:sim:erp:credit-limit-exceeded');
  const unknown = await post(sim, 'erp', '/credit-checks', { customerId: 'CUST-NOPE', amount: 1 });
  assert.equal(unknown.status, 422);
  assert.equal((unknown.body as Problem).errors?.[0]?.pointer, '/customerId');
});

test('a goods issue that would make stock negative is refused and changes nothing', async () => {
  const { sku, onHand } = stocked('DC-1');
  const refused = await post(sim, 'erp', '/goods-movements', {
    movementType: 'issue',
    location: 'DC-1',
    lines: [{ sku, qty: onHand + 1 }],
  });
  const p = assertProblem(refused, 422, 'urn:baton:sim:erp:negative-stock', /would make stock negative/);
  assert.equal(p.errors?.[0]?.pointer, '/lines/0/qty');
  assert.equal((await stockAt(sku, 'DC-1')).onHand, onHand);

  const issued = await post(sim, 'erp', '/goods-movements', {
    movementType: 'issue',
    location: 'DC-1',
    lines: [{ sku, qty: 3 }],
  });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  assert.equal((await stockAt(sku, 'DC-1')).onHand, onHand - 3);
});

test('an OMS reservation holds stock: beyond what is free it is refused, and the ERP cannot issue it', async () => {
  const { sku, onHand } = stocked('DC-2', 20);
  const tooMuch = await post(sim, 'oms', '/reservations', {
    orderId: 'SO-T1',
    location: 'DC-2',
    allowPartial: false,
    lines: [{ sku, qty: onHand + 5 }],
  });
  assertProblem(tooMuch, 422, 'urn:baton:sim:oms:insufficient-stock');
  assert.equal((await stockAt(sku, 'DC-2')).reserved, 0);

  const held = await post(sim, 'oms', '/reservations', {
    orderId: 'SO-T2',
    location: 'DC-2',
    lines: [{ sku, qty: onHand - 2 }],
  });
  assert.equal(held.status, 201, JSON.stringify(held.body));
  assert.deepEqual(await stockAt(sku, 'DC-2'), {
    onHand,
    reserved: onHand - 2,
    available: 2,
  });
  // the reserved units are not there for anyone else
  const issue = await post(sim, 'erp', '/goods-movements', {
    movementType: 'issue',
    location: 'DC-2',
    lines: [{ sku, qty: 3 }],
  });
  assertProblem(issue, 422, 'urn:baton:sim:erp:negative-stock');
  const other = await post(sim, 'oms', '/reservations', {
    orderId: 'SO-T3',
    location: 'DC-2',
    lines: [{ sku, qty: 3 }],
  });
  assert.equal(other.status, 201);
  assert.deepEqual(other.body.lines, [{ sku, requested: 3, reserved: 2 }], 'partly reserved');
  const pick = await post(sim, 'wms', '/pick-tasks', {
    orderId: 'SO-T2',
    location: 'DC-2',
    lines: [{ sku, qty: onHand }],
  });
  assert.equal(pick.status, 201, JSON.stringify(pick.body));
  // shipping more than this order holds would take the units promised to SO-T3: refused, nothing moves
  const greedy = await post(sim, 'wms', '/shipments/confirm', {
    taskId: pick.body.taskId,
    lines: [{ sku, qty: onHand }],
  });
  assertProblem(greedy, 422, 'urn:baton:sim:wms:invalid-shipment', /promised elsewhere/);
  assert.deepEqual(await stockAt(sku, 'DC-2'), { onHand, reserved: onHand, available: 0 });
  const shipped = await post(sim, 'wms', '/shipments/confirm', {
    taskId: pick.body.taskId,
    lines: [{ sku, qty: onHand - 2 }],
  });
  assert.equal(shipped.status, 201, JSON.stringify(shipped.body));
  assert.deepEqual(await stockAt(sku, 'DC-2'), { onHand: 2, reserved: 2, available: 0 });
  const reservation = await get(sim, 'oms', `/reservations/${held.body.reservationId}`);
  assert.equal(reservation.body.status, 'consumed');
});

test('a transfer needs a known source that has the stock', async () => {
  const sku = estate.skus.find((s) => estate.stock[s.sku]?.['ST-001'] === undefined)!.sku;
  const empty = await post(sim, 'erp', '/stock-transfer-orders', {
    from: 'ST-001',
    to: 'ST-002',
    lines: [{ sku, qty: 1 }],
  });
  const p = assertProblem(empty, 422, 'urn:baton:sim:erp:insufficient-stock-at-source', /ST-001 has 0/);
  assert.equal(p.errors?.[0]?.pointer, '/lines/0/qty');
  const unknown = await post(sim, 'erp', '/stock-transfer-orders', {
    from: 'ST-999',
    to: 'ST-002',
    lines: [{ sku, qty: 1 }],
  });
  assertProblem(unknown, 422, 'urn:baton:sim:erp:unknown-master-data', /unknown location ST-999/);
  const same = await post(sim, 'erp', '/stock-transfer-orders', {
    from: 'DC-1',
    to: 'DC-1',
    lines: [{ sku, qty: 1 }],
  });
  assertProblem(same, 422, 'urn:baton:sim:erp:invalid-source');

  // a valid transfer reserves at the source, then is issued and received exactly once
  const { sku: moving, onHand } = stocked('DC-3', 12);
  const sto = await post(sim, 'erp', '/stock-transfer-orders', {
    from: 'DC-3',
    to: 'ST-100',
    lines: [{ sku: moving, qty: 10 }],
  });
  assert.equal(sto.status, 201, JSON.stringify(sto.body));
  assert.equal((await stockAt(moving, 'DC-3')).available, onHand - 10);
  const before = (await stockAt(moving, 'ST-100')).onHand;
  const issue = {
    movementType: 'issue',
    location: 'DC-3',
    stoNumber: sto.body.stoNumber,
    lines: [{ sku: moving, qty: 10 }],
  };
  assert.equal((await post(sim, 'erp', '/goods-movements', issue)).status, 201);
  assert.deepEqual(await stockAt(moving, 'DC-3'), {
    onHand: onHand - 10,
    reserved: 0,
    available: onHand - 10,
  });
  assert.equal((await post(sim, 'erp', '/goods-movements', issue)).status, 409, 'issued once');
  const receipt = {
    movementType: 'receipt',
    location: 'ST-100',
    stoNumber: sto.body.stoNumber,
    lines: [{ sku: moving, qty: 10 }],
  };
  assert.equal((await post(sim, 'erp', '/goods-movements', receipt)).status, 201);
  assert.equal((await stockAt(moving, 'ST-100')).onHand, before + 10);
});

test('a price that differs from the price list is refused line by line', async () => {
  const promo = estate.promotions.find((p) => p.channels.includes('store'))!;
  const sku = estate.skus.find((s) => s.sku === promo.skus[0])!;
  const store = estate.stores.find((s) => promo.regions.includes(s.region))!;
  const customer = estate.customers[0]!;
  const plain = estate.skus.find((s) => !estate.promotions.some((p) => p.skus.includes(s.sku)))!;
  const order = (
    lines: Array<{ sku: string; qty: number; unitPrice: number }>,
    orderDate = '2026-01-15',
  ) => ({
    customerId: customer.id,
    channel: 'store',
    storeId: store.id,
    orderDate,
    lines,
  });

  const ok = await post(
    sim,
    'erp',
    '/sales-orders/validate',
    order([{ sku: plain.sku, qty: 2, unitPrice: plain.prices.store }]),
  );
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.netAmount, Math.round(plain.prices.store * 200) / 100);

  const wrong = await post(
    sim,
    'erp',
    '/sales-orders/validate',
    order([
      { sku: plain.sku, qty: 1, unitPrice: plain.prices.store },
      { sku: plain.sku, qty: 1, unitPrice: plain.prices.store - 0.5 },
    ]),
  );
  const p = assertProblem(
    wrong,
    422,
    'urn:baton:sim:erp:price-mismatch',
    /does not match the store price list/,
  );
  assert.deepEqual(
    p.errors?.map((e) => e.pointer),
    ['/lines/1/unitPrice'],
  );

  // during the promotion the list price is no longer the price: the promotional one is
  const during = await post(
    sim,
    'erp',
    '/sales-orders/validate',
    order([{ sku: sku.sku, qty: 1, unitPrice: sku.prices.store }], promo.start),
  );
  const pp = assertProblem(during, 422, 'urn:baton:sim:erp:price-mismatch');
  assert.match(pp.detail, new RegExp(promo.id));
  const quoted = await get(
    sim,
    'erp',
    `/prices/${sku.sku}?channel=store&date=${promo.start}&store=${store.id}`,
  );
  assert.ok((quoted.body.price as number) < sku.prices.store);
  const right = await post(
    sim,
    'erp',
    '/sales-orders/validate',
    order([{ sku: sku.sku, qty: 1, unitPrice: quoted.body.price as number }], promo.start),
  );
  assert.equal(right.status, 200, JSON.stringify(right.body));
});

test('an Idempotency-Key replay answers the same and applies the effect once', async () => {
  const { sku } = stocked('ST-010', 1);
  const before = (await stockAt(sku, 'ST-010')).onHand;
  const receipt = { movementType: 'receipt', location: 'ST-010', lines: [{ sku, qty: 7 }] };
  const key = { 'idempotency-key': 'gm-test-1' };
  const first = await post(sim, 'erp', '/goods-movements', receipt, key);
  assert.equal(first.status, 201);
  const second = await post(sim, 'erp', '/goods-movements', receipt, key);
  assert.equal(second.status, 201);
  assert.deepEqual(second.body, first.body);
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  assert.equal((await stockAt(sku, 'ST-010')).onHand, before + 7, 'received once');

  const reused = await post(sim, 'erp', '/goods-movements', { ...receipt, lines: [{ sku, qty: 8 }] }, key);
  assertProblem(reused, 422, 'urn:baton:sim:erp:idempotency-key-reused');
  assert.equal((await stockAt(sku, 'ST-010')).onHand, before + 7);

  // a refusal is kept too: the same request with the same key gets the same problem
  const c = estate.customers.find((x) => x.exposure > x.creditLimit)!;
  const refusedKey = { 'idempotency-key': 'crc-test-1' };
  const r1 = await post(sim, 'erp', '/credit-checks', { customerId: c.id, amount: 5 }, refusedKey);
  const r2 = await post(sim, 'erp', '/credit-checks', { customerId: c.id, amount: 5 }, refusedKey);
  assert.equal(r1.status, 422);
  assert.deepEqual(r2.body, r1.body);

  // without a key every request is a new one
  const a = await post(sim, 'erp', '/goods-movements', receipt);
  const b = await post(sim, 'erp', '/goods-movements', receipt);
  assert.notEqual(a.body.materialDocument, b.body.materialDocument);
  assert.equal((await stockAt(sku, 'ST-010')).onHand, before + 21);
});

test('a request that breaks the schema answers a validation problem naming the field', async () => {
  const bad = await post(sim, 'erp', '/credit-checks', { customerId: 'CUST-00001', amount: -5 });
  const p = assertProblem(bad, 400, 'urn:baton:sim:erp:validation');
  assert.equal(p.errors?.[0]?.pointer, '/amount');
  const missing = await get(sim, 'erp', '/no/such/route');
  assertProblem(missing, 404, 'urn:baton:sim:erp:no-route');
});
