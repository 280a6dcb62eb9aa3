import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { buildEstate, type DemandEvent, type DemandOptions, generateDemand } from '../../src/sim/index.js';

const estate = buildEstate({ seed: 7 });
const skus = new Map(estate.skus.map((s) => [s.sku, s]));
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function collect(options: DemandOptions, e = estate): DemandEvent[] {
  return [...generateDemand(e, options)];
}

const hash = (events: DemandEvent[]) => {
  const h = createHash('sha256');
  for (const e of events) h.update(JSON.stringify(e));
  return h.digest('hex');
};

const weekday = (iso: string) => WEEKDAYS[(new Date(iso).getUTCDay() + 6) % 7]!;
const sampleStores = ['ST-002', 'ST-033', 'ST-064', 'ST-095'];

// six weeks of till demand at four stores, one per region, without promotions: a clean baseline
const baseline = collect({ stores: sampleStores, channels: ['store'], hours: 42 * 24, promotions: false });

test('the same seed gives the same demand stream; another seed another one', () => {
  const window: DemandOptions = { stores: sampleStores.slice(0, 2), hours: 14 };
  const first = collect(window);
  assert.ok(first.length > 1000, `half a day of demand (${first.length} events)`);
  assert.ok(first.some((e) => e.kind === 'web.order') && first.some((e) => e.kind === 'pos.sale'));
  assert.equal(hash(collect(window)), hash(first));
  assert.notEqual(hash(collect({ ...window, seed: 8 })), hash(first), 'demand seed 8');
  assert.notEqual(hash(collect(window, buildEstate({ seed: 8 }))), hash(first), 'estate seed 8');
  // events come in time order
  for (let i = 1; i < first.length; i++) assert.ok(first[i - 1]!.at <= first[i]!.at, `event ${i} in order`);
});

test('till demand follows the week: every Saturday sells more than the Tuesday before it', () => {
  const units = new Map<string, number>();
  for (const e of baseline)
    if (e.kind === 'pos.sale') {
      const day = e.payload.businessDate;
      units.set(day, (units.get(day) ?? 0) + e.payload.lines.reduce((s, l) => s + l.qty, 0));
    }
  const days = [...units.keys()].sort();
  assert.equal(days.length, 42);
  let saturdays = 0;
  let tuesdays = 0;
  for (let week = 0; week < 6; week++) {
    const tue = days[week * 7 + 1]!;
    const sat = days[week * 7 + 5]!;
    assert.equal(weekday(`${tue}T12:00:00Z`), 'Tue');
    assert.equal(weekday(`${sat}T12:00:00Z`), 'Sat');
    assert.ok(
      units.get(sat)! > units.get(tue)!,
      `week ${week + 1}: Saturday ${units.get(sat)} vs Tuesday ${units.get(tue)}`,
    );
    saturdays += units.get(sat)!;
    tuesdays += units.get(tue)!;
  }
  // the model says about twice as much; a generous bound
  assert.ok(saturdays > 1.4 * tuesdays, `Saturdays ${saturdays}, Tuesdays ${tuesdays}`);
  // and nothing is sold while the stores are closed
  for (const e of baseline)
    if (e.kind === 'pos.sale') {
      const store = estate.stores.find((s) => s.id === e.payload.storeId)!;
      const hour = new Date(e.at).getUTCHours();
      assert.ok(hour >= store.openHour && hour < store.closeHour, `${e.id} at ${e.at}`);
    }
});

test('promoted SKUs sell more, at the promotional price, while their promotion runs', () => {
  const promo = estate.promotions.find((p) => p.channels.includes('store'))!;
  assert.ok(promo, 'a store promotion in the estate');
  const stores = estate.stores
    .filter((s) => promo.regions.includes(s.region))
    .slice(0, 6)
    .map((s) => s.id);
  const days = (Date.parse(promo.end) - Date.parse(promo.start)) / 86_400_000 + 1;
  const window: DemandOptions = {
    stores,
    channels: ['store'],
    start: promo.start,
    hours: days * 24,
    returns: false,
  };
  const promoted = new Set(promo.skus);
  const sold = (events: DemandEvent[]) => {
    let units = 0;
    for (const e of events)
      if (e.kind === 'pos.sale') for (const l of e.payload.lines) if (promoted.has(l.sku)) units += l.qty;
    return units;
  };
  const withPromo = collect(window);
  const without = collect({ ...window, promotions: false });
  const lifted = sold(withPromo);
  const base = sold(without);
  assert.ok(base > 50, `enough baseline volume to compare (${base} units)`);
  // uplift is at least 1.4 for the shallowest discount; the bound leaves room for chance
  assert.ok(
    lifted > 1.2 * base,
    `${promo.id} (uplift ${promo.uplift}): ${lifted} units vs ${base} without it`,
  );
  for (const e of withPromo)
    if (e.kind === 'pos.sale')
      for (const l of e.payload.lines)
        if (promoted.has(l.sku)) {
          assert.equal(l.promotionId, promo.id);
          assert.ok(l.unitPrice < l.listPrice, `${l.sku} sells below list during ${promo.id}`);
        }
  // after the promotion ends the same SKUs sell at list price again
  const afterwards = collect({
    stores,
    channels: ['store'],
    start: promo.end,
    hours: 48,
    returns: false,
  }).filter((e) => e.at.slice(0, 10) > promo.end);
  let seen = 0;
  for (const e of afterwards)
    if (e.kind === 'pos.sale')
      for (const l of e.payload.lines)
        if (promoted.has(l.sku)) {
          seen++;
          assert.notEqual(l.promotionId, promo.id, `${e.id} after ${promo.end}`);
          if (l.promotionId === undefined) assert.equal(l.unitPrice, l.listPrice);
        }
  assert.ok(seen > 0, 'promoted SKUs still sell after the promotion');
});

test('returns come back later, by category: apparel far more often than food', () => {
  const sales = new Map<string, { at: string; lines: Map<string, number> }>();
  const soldLines = new Map<string, number>();
  const returnedLines = new Map<string, number>();
  const cutoff = Date.parse(`${estate.calendarStart}T00:00:00Z`) + 28 * 86_400_000;
  for (const e of baseline) {
    if (e.kind === 'pos.sale' && Date.parse(e.at) < cutoff) {
      const lines = new Map<string, number>();
      for (const l of e.payload.lines) {
        lines.set(l.sku, (lines.get(l.sku) ?? 0) + l.qty);
        const cat = skus.get(l.sku)!.category;
        soldLines.set(cat, (soldLines.get(cat) ?? 0) + 1);
      }
      sales.set(e.id, { at: e.at, lines });
    }
    if (e.kind === 'return.requested') {
      const origin = sales.get(e.payload.originalTransactionId ?? '');
      if (!origin) continue; // a return of a sale after the cut-off
      assert.ok(e.at > origin.at, `${e.id} comes after the sale`);
      for (const l of e.payload.lines) {
        assert.ok(origin.lines.has(l.sku), `${e.id} returns ${l.sku}, which was sold`);
        assert.ok(l.qty <= origin.lines.get(l.sku)!, `${e.id} returns no more than was bought`);
        assert.equal(l.category, skus.get(l.sku)!.category);
        assert.ok(l.refundAmount > 0);
        returnedLines.set(l.category, (returnedLines.get(l.category) ?? 0) + 1);
      }
    }
  }
  const rate = (prefix: string) => {
    let sold = 0;
    let back = 0;
    for (const [cat, n] of soldLines)
      if (cat.startsWith(prefix)) {
        sold += n;
        back += returnedLines.get(cat) ?? 0;
      }
    return { sold, back, rate: back / sold };
  };
  const apparel = rate('apparel-');
  const food = rate('food-');
  assert.ok(apparel.sold > 1000 && food.sold > 1000, JSON.stringify({ apparel, food }));
  // the catalogue's return rates are 12-22% for apparel and under 1% for food
  assert.ok(apparel.rate > 0.08 && apparel.rate < 0.3, `apparel return rate ${apparel.rate}`);
  assert.ok(food.rate < 0.02, `food return rate ${food.rate}`);
  assert.ok(apparel.rate > 5 * food.rate);
  let judged = 0;
  for (const [cat, sold] of soldLines) {
    const expected = estate.categories.find((c) => c.id === cat)!.returnRate!;
    if (sold * expected < 100) continue; // too few to judge
    judged++;
    const got = (returnedLines.get(cat) ?? 0) / sold;
    assert.ok(Math.abs(got - expected) < expected * 0.35, `${cat}: ${got} returned, catalogue ${expected}`);
  }
  assert.ok(judged >= 4, `${judged} categories with enough returns to compare`);
});
