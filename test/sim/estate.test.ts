import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { buildEstate, estateJson } from '../../src/sim/index.js';
import { get, simulator } from './fixture.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const estate = buildEstate({ seed: 7 });

test('the seeded estate: 120 stores in 4 regions, 3 DCs, 2,000 SKUs, customers and suppliers', () => {
  assert.equal(estate.stores.length, 120);
  assert.equal(estate.regions.length, 4);
  for (const r of estate.regions)
    assert.equal(estate.stores.filter((s) => s.region === r.id).length, 30, `stores in ${r.id}`);
  assert.equal(new Set(estate.stores.map((s) => s.id)).size, 120);
  assert.equal(estate.distributionCentres.length, 3);
  const dcIds = new Set(estate.distributionCentres.map((d) => d.id));
  for (const s of estate.stores) assert.ok(dcIds.has(s.dcId), `${s.id} is served by a known DC`);
  // every region is replenished by exactly one DC
  for (const r of estate.regions)
    assert.equal(estate.distributionCentres.filter((d) => d.regions.includes(r.id)).length, 1);

  assert.equal(estate.skus.length, 2000);
  const leaves = new Map(estate.categories.filter((c) => c.parent).map((c) => [c.id, c]));
  for (const s of estate.skus) {
    assert.ok(leaves.has(s.category), `${s.sku} is in a leaf category`);
    assert.equal(leaves.get(s.category)!.parent, s.department);
    assert.ok(s.prices.store > 0 && s.prices.web > 0, `${s.sku} has prices`);
    assert.ok(s.cost > 0 && s.cost < s.prices.store, `${s.sku} costs less than it sells for`);
    assert.ok(Math.abs(s.prices.store * 100 - Math.round(s.prices.store * 100)) < 1e-6, 'whole cents');
  }
  assert.ok(new Set(estate.skus.map((s) => s.department)).size >= 5, 'several departments');

  // stock by location: every SKU is held at the DCs and at some stores
  for (const s of estate.skus) {
    const where = estate.stock[s.sku]!;
    const stores = Object.keys(where).filter((l) => l.startsWith('ST-'));
    assert.ok(stores.length > 0, `${s.sku} is ranged in some store`);
    for (const dc of dcIds) assert.ok(dc in where, `${s.sku} has a stock figure at ${dc}`);
    for (const q of Object.values(where)) assert.ok(Number.isInteger(q) && q >= 0);
  }
  const total = Object.values(estate.stock).reduce(
    (sum, m) => sum + Object.values(m).reduce((a, b) => a + b, 0),
    0,
  );
  assert.ok(total > 100_000, `plenty of units on hand (${total})`);

  assert.ok(estate.customers.length >= 100);
  for (const c of estate.customers) assert.ok(c.creditLimit > 0 && c.exposure >= 0, c.id);
  assert.ok(
    estate.customers.some((c) => c.exposure > c.creditLimit),
    'some accounts are already over their limit',
  );
  assert.ok(
    estate.customers.some((c) => c.kind === 'trade') && estate.customers.some((c) => c.kind === 'consumer'),
  );

  assert.ok(estate.suppliers.length >= 6);
  for (const s of estate.suppliers) {
    assert.ok(s.leadTimeDays >= 1, `${s.id} has a lead time`);
    assert.ok(['004010', '005010'].includes(s.edi.x12Version));
    assert.ok(s.edi.ackDelayHours > 0 && s.edi.lateShipRate >= 0 && s.edi.lateShipRate < 1);
    assert.ok(s.edi.interchangeId.length <= 15);
  }
  assert.ok(new Set(estate.suppliers.map((s) => s.leadTimeDays)).size > 3, 'lead times differ');
  const supplierIds = new Set(estate.suppliers.map((s) => s.id));
  for (const s of estate.skus) assert.ok(supplierIds.has(s.supplierId));
});

test('the same seed gives the same estate; another seed another one', () => {
  const again = buildEstate({ seed: 7 });
  assert.deepEqual(again, estate);
  assert.equal(sha(estateJson(again)), sha(estateJson(estate)));
  const other = buildEstate({ seed: 8 });
  assert.notEqual(sha(estateJson(other)), sha(estateJson(estate)));
  assert.notDeepEqual(
    other.skus.map((s) => s.prices.store),
    estate.skus.map((s) => s.prices.store),
  );
});

test('smaller estates keep every region and DC', () => {
  const small = buildEstate({ seed: 7, stores: 6, skus: 40 });
  assert.equal(small.stores.length, 6);
  assert.equal(small.skus.length, 40);
  assert.equal(new Set(small.stores.map((s) => s.region)).size, 4, 'each region has a store');
  assert.equal(Object.keys(small.stock).length, 40);
});

test('the systems serve the seeded estate byte for byte', async () => {
  const sim = await simulator({ seed: 7, systems: ['erp'] });
  const res = await fetch(`${sim.url('erp')}/_sim/estate`);
  assert.equal(res.status, 200);
  assert.equal(sha(await res.text()), sha(estateJson(estate)));
  const sku = estate.skus[0]!;
  const stock = await get<{ locations: Array<{ location: string; onHand: number }> }>(
    sim,
    'erp',
    `/stock/${sku.sku}`,
  );
  for (const l of stock.body.locations) assert.equal(l.onHand, estate.stock[sku.sku]![l.location]);
});
