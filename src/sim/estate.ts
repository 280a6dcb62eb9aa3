import {
  ADJECTIVES,
  BRANDS,
  COMPANY_STEMS,
  CUSTOMER_KINDS,
  DC_SEEDS,
  DEPARTMENTS,
  FIRST_NAMES,
  LAST_NAMES,
  type LeafSeed,
  REGIONS,
  SUPPLIER_KINDS,
} from './catalogue.js';
import { gs1Thirteen } from './gs1.js';
import type {
  Category,
  Channel,
  Customer,
  DistributionCentre,
  Estate,
  Promotion,
  Sku,
  Store,
  Supplier,
} from './model.js';
import { cents, Rng } from './random.js';

export interface EstateOptions {
  seed?: string | number;
  stores?: number;
  skus?: number;
  customers?: number;
  suppliers?: number;
  promotions?: number;
  /** A Monday, `YYYY-MM-DD`. */
  calendarStart?: string;
}

/** The retailer's own GS1 company prefix: store and DC GLNs are numbered under it. */
const RETAILER_PREFIX = '4012345';
const DAY_MS = 86_400_000;

/** Lead times by department, in days: fresh food is close, apparel comes from far away. */
const LEAD_TIMES: Record<string, [number, number]> = {
  food: [2, 5],
  home: [7, 21],
  apparel: [14, 42],
  electronics: [10, 28],
  beauty: [5, 14],
  leisure: [10, 28],
};

/** A shelf price: under 10 it ends in 9 cents, above it ends in .49 or .99. */
function charm(price: number): number {
  if (price < 10) return cents(Math.floor(price * 10) / 10 + 0.09);
  const whole = Math.floor(price);
  return price - whole < 0.5 ? whole + 0.49 : whole + 0.99;
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function buildStores(rng: Rng, count: number): Store[] {
  const stores: Store[] = [];
  // contiguous, balanced blocks: every region gets a store as soon as there are enough to go round
  const regionOf = (i: number) => Math.floor((i * REGIONS.length) / count);
  for (let i = 0; i < count; i++) {
    const region = REGIONS[regionOf(i)]!;
    const first = i === 0 || regionOf(i - 1) !== regionOf(i);
    const city = first ? region.cities[0]! : rng.pick(region.cities);
    const n = stores.filter((s) => s.city === city).length + 1;
    const format: Store['format'] = first ? 'flagship' : rng.chance(0.3) ? 'express' : 'standard';
    const dc = DC_SEEDS.find((d) => d.regions.includes(region.id))!;
    stores.push({
      id: `ST-${String(i + 1).padStart(3, '0')}`,
      name: `${city} ${n}${format === 'express' ? ' Express' : format === 'flagship' ? ' Flagship' : ''}`,
      region: region.id,
      city,
      gln: gs1Thirteen(RETAILER_PREFIX, 10_001 + i),
      format,
      sizeFactor:
        format === 'flagship'
          ? cents(rng.float(2, 2.6))
          : format === 'express'
            ? cents(rng.float(0.4, 0.7))
            : cents(rng.float(0.75, 1.3)),
      dcId: dc.id,
      openHour: format === 'express' ? 7 : 8,
      closeHour: format === 'express' ? 22 : format === 'flagship' ? 21 : 20,
    });
  }
  return stores;
}

function buildSuppliers(rng: Rng, count: number): Supplier[] {
  const prefixes = new Set<string>();
  return Array.from({ length: count }, (_, i) => {
    const department = DEPARTMENTS[i % DEPARTMENTS.length]!;
    let prefix: string;
    do prefix = `4${rng.int(100_000, 999_999)}`;
    while (prefixes.has(prefix) || prefix === RETAILER_PREFIX);
    prefixes.add(prefix);
    const [minLead, maxLead] = LEAD_TIMES[department.id] ?? [7, 14];
    const id = `SUP-${String(i + 1).padStart(3, '0')}`;
    return {
      id,
      name: `${rng.pick(COMPANY_STEMS)} ${rng.pick(SUPPLIER_KINDS)} GmbH`,
      gln: gs1Thirteen(prefix, 1),
      companyPrefix: prefix,
      department: department.id,
      leadTimeDays: rng.int(minLead, maxLead),
      fillRate: cents(rng.float(0.82, 0.995)),
      edi: {
        x12Version: rng.chance(0.6) ? '004010' : '005010',
        interchangeId: id.replace('-', ''),
        ackDelayHours: rng.int(1, 24),
        ackWithChangesRate: cents(rng.float(0, 0.35)),
        lateShipRate: cents(rng.float(0, 0.3)),
        lateDays: [1, rng.int(2, 7)],
      },
    };
  });
}

function buildCategories(): Category[] {
  return DEPARTMENTS.flatMap((d) => [
    { id: d.id, name: d.name },
    ...d.leaves.map((l) => ({ id: l.id, name: l.name, parent: d.id, returnRate: l.returnRate })),
  ]);
}

function buildSkus(rng: Rng, count: number, suppliers: Supplier[]): Sku[] {
  const leaves: Array<{ leaf: LeafSeed; department: string }> = DEPARTMENTS.flatMap((d) =>
    d.leaves.map((leaf) => ({ leaf, department: d.id })),
  );
  // food has more lines than the other departments, as in a general-merchandise assortment
  const weights = leaves.map((l) => (l.department === 'food' ? 1.5 : 1));
  const drafts = Array.from({ length: count }, (_, i) => {
    const { leaf, department } = leaves[rng.weightedIndex(weights)]!;
    const supplier = rng.pick(suppliers.filter((s) => s.department === department));
    const [lo, hi] = leaf.price;
    const store = charm(Math.exp(rng.float(Math.log(lo), Math.log(hi))));
    const web = rng.chance(0.25) ? Math.max(0.09, charm(store * rng.float(0.92, 0.97))) : store;
    const margin = rng.float(leaf.margin[0], leaf.margin[1]);
    // velocity spreads over two orders of magnitude within a category: a few lines sell most
    const velocity = Math.round(leaf.velocity * Math.exp(rng.float(-1.6, 1.6)) * 1000) / 1000;
    const adjective = rng.chance(0.5) ? `${rng.pick(ADJECTIVES)} ` : '';
    const prices: Record<Channel, number> = { store, web };
    return {
      sku: `SKU-${String(i + 1).padStart(5, '0')}`,
      gtin: gs1Thirteen(supplier.companyPrefix, i + 1),
      name: `${rng.pick(BRANDS)} ${adjective}${rng.pick(leaf.nouns)} ${rng.pick(leaf.sizes)}`,
      category: leaf.id,
      department,
      prices,
      cost: cents(store * (1 - margin)),
      abc: 'C' as Sku['abc'],
      packSize: rng.pick(leaf.packSizes),
      uom: 'EA' as const,
      supplierId: supplier.id,
      velocity,
    };
  });
  const byRevenue = [...drafts].sort(
    (a, b) => b.velocity * b.prices.store - a.velocity * a.prices.store || a.sku.localeCompare(b.sku),
  );
  byRevenue.forEach((s, rank) => {
    s.abc = rank < count * 0.2 ? 'A' : rank < count * 0.5 ? 'B' : 'C';
  });
  return drafts;
}

/** Share of stores that range a SKU, by ABC class; express stores carry fewer lines. */
const RANGING = { A: 1, B: 0.85, C: 0.5 };

function buildStock(rng: Rng, skus: Sku[], stores: Store[], dcs: DistributionCentre[]): Estate['stock'] {
  const stock: Estate['stock'] = {};
  for (const s of skus) {
    const byLocation: Record<string, number> = {};
    const regionDemand: Record<string, number> = {};
    for (const st of stores) {
      const ranged = rng.chance(RANGING[s.abc] * (st.format === 'express' ? 0.7 : 1));
      if (!ranged) continue;
      const daily = s.velocity * st.sizeFactor;
      regionDemand[st.region] = (regionDemand[st.region] ?? 0) + daily;
      // a few ranged lines are out of stock on the day the estate starts
      const cover = rng.chance(0.03) ? 0 : rng.float(5, 21);
      byLocation[st.id] = Math.ceil((daily * cover) / s.packSize) * s.packSize;
    }
    for (const dc of dcs) {
      const daily = dc.regions.reduce((sum, r) => sum + (regionDemand[r] ?? 0), 0);
      const cover = rng.chance(0.02) ? 0 : rng.float(14, 42);
      byLocation[dc.id] = Math.ceil((daily * cover) / s.packSize) * s.packSize;
    }
    stock[s.sku] = byLocation;
  }
  return stock;
}

function buildCustomers(rng: Rng, count: number): Customer[] {
  return Array.from({ length: count }, (_, i) => {
    const trade = rng.chance(0.4);
    const name = trade
      ? `${rng.pick(COMPANY_STEMS)} ${rng.pick(CUSTOMER_KINDS)} GmbH`
      : `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
    const creditLimit = trade ? rng.int(5, 100) * 1000 : rng.int(5, 30) * 100;
    // most accounts have room; some sit near the limit and a few are over it already
    const band = rng.next();
    const used =
      band < 0.7
        ? rng.float(0, 0.5)
        : band < 0.9
          ? rng.float(0.5, 0.9)
          : band < 0.97
            ? rng.float(0.9, 1)
            : rng.float(1, 1.15);
    const id = `CUST-${String(i + 1).padStart(5, '0')}`;
    const handle = name
      .toLowerCase()
      .replace(/[^a-z]+/g, '.')
      .replace(/\.gmbh$/, '');
    return {
      id,
      name,
      kind: trade ? 'trade' : 'consumer',
      email: `${handle}.${i + 1}@${trade ? 'example.com' : 'mail.example'}`,
      phone: `+49 ${rng.int(150, 179)} ${rng.int(1_000_000, 9_999_999)}`,
      region: rng.pick(REGIONS).id,
      creditLimit,
      exposure: cents(creditLimit * used),
      paymentTermsDays: trade ? rng.pick([30, 45, 60]) : 30,
      consents: { email: rng.chance(0.9), sms: rng.chance(0.5) },
    };
  });
}

function buildPromotions(rng: Rng, count: number, skus: Sku[], start: string): Promotion[] {
  const base = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => {
    const department = rng.pick(DEPARTMENTS);
    const pool = skus.filter((s) => s.department === department.id && s.abc !== 'C');
    const discountPct = rng.pick([10, 15, 20, 25, 30, 40]);
    const from = base + (rng.int(0, 7) * 7 + rng.int(0, 3)) * DAY_MS;
    const days = rng.pick([7, 10, 14]);
    const regions = rng.chance(0.5)
      ? REGIONS.map((r) => r.id)
      : rng.sample(REGIONS, rng.int(1, 2)).map((r) => r.id);
    const channels: Channel[] = rng.chance(0.7) ? ['store', 'web'] : [rng.pick(['store', 'web'] as const)];
    return {
      id: `PROMO-${String(i + 1).padStart(2, '0')}`,
      name: `${department.name}: ${discountPct}% off`,
      skus: rng
        .sample(pool, rng.int(15, 40))
        .map((s) => s.sku)
        .sort(),
      discountPct,
      // deeper discounts lift demand more
      uplift: cents(1 + (discountPct / 100) * rng.float(4, 7)),
      regions: regions.sort(),
      channels,
      start: isoDate(from),
      end: isoDate(from + (days - 1) * DAY_MS),
    };
  });
}

/**
 * Builds the whole estate from a seed. The same seed (and options) always gives the same estate,
 * byte for byte once serialised with `estateJson`: every draw comes from a stream forked from the
 * seed per concern, and nothing reads the clock.
 */
export function buildEstate(options: EstateOptions = {}): Estate {
  const seed = String(options.seed ?? 1);
  const calendarStart = options.calendarStart ?? '2026-03-02';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(calendarStart) || new Date(`${calendarStart}T00:00:00Z`).getUTCDay() !== 1)
    throw new RangeError(`calendarStart must be a Monday as YYYY-MM-DD, got "${calendarStart}"`);
  const rng = new Rng(`baton-estate/${seed}`);
  const stores = buildStores(rng.fork('stores'), options.stores ?? 120);
  const distributionCentres: DistributionCentre[] = DC_SEEDS.map((d, i) => ({
    ...d,
    regions: [...d.regions],
    gln: gs1Thirteen(RETAILER_PREFIX, 90_001 + i),
  }));
  const suppliers = buildSuppliers(rng.fork('suppliers'), options.suppliers ?? 30);
  const skus = buildSkus(rng.fork('skus'), options.skus ?? 2000, suppliers);
  return {
    seed,
    currency: 'EUR',
    calendarStart,
    regions: REGIONS.map((r) => ({ id: r.id, name: r.name })),
    distributionCentres,
    stores,
    categories: buildCategories(),
    skus,
    stock: buildStock(rng.fork('stock'), skus, stores, distributionCentres),
    customers: buildCustomers(rng.fork('customers'), options.customers ?? 300),
    suppliers,
    promotions: buildPromotions(rng.fork('promotions'), options.promotions ?? 8, skus, calendarStart),
  };
}

/** The canonical text of an estate; equal seeds give equal text. */
export function estateJson(estate: Estate): string {
  return JSON.stringify(estate);
}

/** Lookups by id over an estate, built once. */
export interface EstateIndex {
  estate: Estate;
  stores: Map<string, Store>;
  dcs: Map<string, DistributionCentre>;
  skus: Map<string, Sku>;
  gtins: Map<string, Sku>;
  customers: Map<string, Customer>;
  suppliers: Map<string, Supplier>;
  promotions: Map<string, Promotion>;
  categories: Map<string, Category>;
  /** Stores and DCs. */
  isLocation(id: string): boolean;
  /** The promotion that sets the price of `sku` on `channel` in `region` on `date`, if any. */
  activePromotion(sku: string, channel: Channel, date: string, region?: string): Promotion | undefined;
}

export function indexEstate(estate: Estate): EstateIndex {
  const by = <T>(items: T[], key: (t: T) => string) => new Map(items.map((t) => [key(t), t]));
  const stores = by(estate.stores, (s) => s.id);
  const dcs = by(estate.distributionCentres, (d) => d.id);
  const promotionsBySku = new Map<string, Promotion[]>();
  for (const p of estate.promotions)
    for (const s of p.skus) promotionsBySku.set(s, [...(promotionsBySku.get(s) ?? []), p]);
  return {
    estate,
    stores,
    dcs,
    skus: by(estate.skus, (s) => s.sku),
    gtins: by(estate.skus, (s) => s.gtin),
    customers: by(estate.customers, (c) => c.id),
    suppliers: by(estate.suppliers, (s) => s.id),
    promotions: by(estate.promotions, (p) => p.id),
    categories: by(estate.categories, (c) => c.id),
    isLocation: (id) => stores.has(id) || dcs.has(id),
    activePromotion: (sku, channel, date, region) =>
      (promotionsBySku.get(sku) ?? []).find(
        (p) =>
          p.channels.includes(channel) &&
          p.start <= date &&
          date <= p.end &&
          (region === undefined || p.regions.includes(region)),
      ),
  };
}

/** The price a promotion sets: the list price less its discount, in cents. */
export const promotionalPrice = (listPrice: number, p: Promotion): number =>
  cents(listPrice * (1 - p.discountPct / 100));
