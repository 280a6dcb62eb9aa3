import { ValidationError } from '../core/index.js';
import {
  STORE_BASKET_UNITS,
  storeHourShares,
  WEB_BASKET_UNITS,
  WEB_HOUR_SHARES,
  WEB_SHARE,
  WEB_WEEKDAY_FACTORS,
  WEEKDAY_FACTORS,
  weekdayIndex,
} from './demand-model.js';
import { type EstateIndex, indexEstate, promotionalPrice } from './estate.js';
import type { Channel, Customer, Estate, Sku, Store } from './model.js';
import { cents, Rng } from './random.js';

/** A line of a till receipt. */
export interface PosLine {
  lineNumber: number;
  sku: string;
  gtin: string;
  qty: number;
  unitPrice: number;
  listPrice: number;
  discount: number;
  promotionId?: string;
}

/** A till transaction as a POS exports it. */
export interface PosSale {
  transactionId: string;
  storeId: string;
  storeGln: string;
  register: string;
  businessDate: string;
  occurredAt: string;
  currency: string;
  customerId?: string;
  lines: PosLine[];
  total: number;
  tender: { type: 'card' | 'cash' | 'gift-card'; amount: number };
}

/** An order as a Shopify-style `orders/create` webhook carries it (amounts as decimal strings). */
export interface WebOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  order_number: number;
  created_at: string;
  currency: string;
  financial_status: 'paid';
  source_name: 'web' | 'app';
  subtotal_price: string;
  total_discounts: string;
  total_price: string;
  customer: { id: number; email: string; first_name: string; last_name: string; tags: string };
  line_items: Array<{
    id: number;
    sku: string;
    barcode: string;
    title: string;
    quantity: number;
    price: string;
    total_discount: string;
    variant_id: number;
  }>;
  shipping_address: { city: string; province_code: string; country_code: 'DE' };
  note_attributes: Array<{ name: string; value: string }>;
}

/** A return a customer starts at a store or online. */
export interface ReturnRequest {
  returnId: string;
  channel: Channel;
  storeId?: string;
  originalTransactionId?: string;
  orderId?: string;
  customerId?: string;
  requestedAt: string;
  currency: string;
  lines: Array<{
    sku: string;
    category: string;
    qty: number;
    reason: 'size' | 'defective' | 'changed-mind' | 'not-as-described' | 'damaged-in-transit';
    condition: 'resaleable' | 'opened' | 'damaged';
    refundAmount: number;
  }>;
}

export type DemandEvent =
  | { kind: 'pos.sale'; id: string; at: string; subject: string; payload: PosSale }
  | { kind: 'web.order'; id: string; at: string; subject: string; payload: WebOrder }
  | { kind: 'return.requested'; id: string; at: string; subject: string; payload: ReturnRequest };

export interface DemandOptions {
  /** Default: the estate's seed. */
  seed?: string | number;
  /** Start of the window, an ISO date or time; default the estate's calendar start. */
  start?: string;
  /** Length of the window in hours; unbounded when absent (the generator never ends). */
  hours?: number;
  /** Only these stores sell at the tills; all when absent. Web orders are estate-wide. */
  stores?: string[];
  channels?: Channel[];
  /** When false, promotions neither lift demand nor lower prices (a baseline to compare with). */
  promotions?: boolean;
  returns?: boolean;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Cumulative weights over a list of SKUs, for drawing one in proportion to its demand. */
interface Assortment {
  skus: Sku[];
  cumulative: Float64Array;
  total: number;
}

function assortment(skus: Sku[], weight: (s: Sku) => number): Assortment {
  const cumulative = new Float64Array(skus.length);
  let total = 0;
  skus.forEach((s, i) => {
    total += weight(s);
    cumulative[i] = total;
  });
  return { skus, cumulative, total };
}

function draw(a: Assortment, rng: Rng): Sku {
  const r = rng.next() * a.total;
  let lo = 0;
  let hi = a.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a.cumulative[mid] as number) > r) hi = mid;
    else lo = mid + 1;
  }
  return a.skus[lo] as Sku;
}

const REASONS: Record<string, ReturnRequest['lines'][number]['reason'][]> = {
  apparel: ['size', 'size', 'size', 'changed-mind', 'not-as-described'],
  electronics: ['defective', 'defective', 'changed-mind', 'not-as-described'],
  home: ['damaged-in-transit', 'changed-mind', 'not-as-described', 'defective'],
};

function checkOptions(estate: Estate, o: DemandOptions): number {
  const issues: Array<{ path: string; message: string }> = [];
  const start = Date.parse(
    o.start?.length === 10 ? `${o.start}T00:00:00Z` : (o.start ?? `${estate.calendarStart}T00:00:00Z`),
  );
  if (!Number.isFinite(start))
    issues.push({ path: '/start', message: `"${o.start}" is not an ISO 8601 date or time` });
  if (o.hours !== undefined && !(Number.isInteger(o.hours) && o.hours > 0))
    issues.push({ path: '/hours', message: 'must be a positive whole number' });
  o.stores?.forEach((s, i) => {
    if (!estate.stores.some((x) => x.id === s))
      issues.push({ path: `/stores/${i}`, message: `unknown store ${s}` });
  });
  if (issues.length > 0) throw new ValidationError(`demand ${issues[0]!.path} ${issues[0]!.message}`, issues);
  return Math.floor(start / HOUR_MS) * HOUR_MS;
}

/**
 * The demand of the estate, hour by hour, in time order: till transactions per store (more on
 * Saturdays, peaking at lunch and after work), web orders (peaking in the evening), and returns of
 * earlier sales at each category's return rate. Promoted SKUs sell `uplift` times more at the
 * promotional price where and while their promotion runs. The same estate, seed and options give
 * the same sequence of events.
 */
export function* generateDemand(estate: Estate, options: DemandOptions = {}): Generator<DemandEvent> {
  const first = checkOptions(estate, options);
  const index: EstateIndex = indexEstate(estate);
  const rng = new Rng(`baton-demand/${options.seed ?? estate.seed}`);
  const channels = options.channels ?? ['store', 'web'];
  const promos = options.promotions ?? true;
  const withReturns = options.returns ?? true;
  const stores = options.stores ? estate.stores.filter((s) => options.stores!.includes(s.id)) : estate.stores;
  const ranged = new Map(
    stores.map((st) => [st.id, estate.skus.filter((s) => (estate.stock[s.sku]?.[st.id] ?? -1) >= 0)]),
  );
  const hourShares = new Map(stores.map((st) => [st.id, storeHourShares(st.openHour, st.closeHour)]));
  const storeRng = new Map(stores.map((st) => [st.id, rng.fork(`store/${st.id}`)]));
  const webRng = rng.fork('web');
  const returnRng = rng.fork('returns');
  const consumers = estate.customers.filter((c) => c.kind === 'consumer');
  const allFootfall = estate.stores.reduce((s, st) => s + st.sizeFactor, 0);
  const pending = new Map<number, DemandEvent[]>();
  const cache = new Map<string, Assortment>();
  let seq = 0;
  let orderNumber = 10_000;
  // a small estate may have no store in a customer's region: web orders then ship to any store city
  const storeCities = estate.stores.map((s) => s.city);
  const regionCities = new Map(
    estate.regions.map((r) => [r.id, estate.stores.filter((s) => s.region === r.id).map((s) => s.city)]),
  );
  const citiesOf = (region: string): string[] => {
    const list = regionCities.get(region);
    return list && list.length > 0 ? list : storeCities;
  };

  const promotion = (sku: string, channel: Channel, day: string, region?: string) =>
    promos ? index.activePromotion(sku, channel, day, region) : undefined;

  /** The weighted assortment of a store (or the web, `store` undefined) on one day, cached per promotion mix. */
  const assortmentOf = (store: Store | undefined, day: string): Assortment => {
    const skus = store ? ranged.get(store.id)! : estate.skus;
    const active = promos
      ? estate.promotions.filter(
          (p) =>
            p.start <= day &&
            day <= p.end &&
            p.channels.includes(store ? 'store' : 'web') &&
            (!store || p.regions.includes(store.region)),
        )
      : [];
    const key = `${store?.id ?? 'web'}|${active.map((p) => p.id).join(',')}`;
    let a = cache.get(key);
    if (!a) {
      const lift = new Map<string, number>();
      for (const p of active)
        for (const s of p.skus) {
          // on the web a regional promotion reaches only the customers of its regions
          const share = store ? 1 : p.regions.length / estate.regions.length;
          lift.set(s, Math.max(lift.get(s) ?? 1, 1 + (p.uplift - 1) * share));
        }
      a = assortment(skus, (s) => s.velocity * (lift.get(s.sku) ?? 1));
      cache.set(key, a);
    }
    return a;
  };

  const scheduleReturn = (at: number, event: DemandEvent) => {
    const hour = Math.floor(at / HOUR_MS);
    const list = pending.get(hour) ?? [];
    list.push(event);
    pending.set(hour, list);
  };

  const maybeReturn = (
    origin: {
      channel: Channel;
      at: number;
      store?: Store;
      transactionId?: string;
      orderId?: string;
      customerId?: string;
    },
    lines: Array<{ sku: Sku; qty: number; unitPrice: number }>,
  ) => {
    if (!withReturns) return;
    const back = lines.filter((l) => returnRng.chance(index.categories.get(l.sku.category)?.returnRate ?? 0));
    if (back.length === 0) return;
    let at = origin.at + returnRng.int(1, 14) * DAY_MS + returnRng.int(0, 59) * 60_000;
    if (origin.store) {
      // store returns come back over the counter during opening hours
      const d = new Date(at);
      d.setUTCHours(returnRng.int(origin.store.openHour, origin.store.closeHour - 1));
      at = d.getTime();
    }
    const returnId = `RET-${String(++seq).padStart(8, '0')}`;
    const requestedAt = new Date(at).toISOString();
    scheduleReturn(at, {
      kind: 'return.requested',
      id: returnId,
      at: requestedAt,
      subject: returnId,
      payload: {
        returnId,
        channel: origin.channel,
        ...(origin.store ? { storeId: origin.store.id } : {}),
        ...(origin.transactionId ? { originalTransactionId: origin.transactionId } : {}),
        ...(origin.orderId ? { orderId: origin.orderId } : {}),
        ...(origin.customerId ? { customerId: origin.customerId } : {}),
        requestedAt,
        currency: estate.currency,
        lines: back.map((l) => {
          const qty = l.qty === 1 ? 1 : returnRng.int(1, l.qty);
          return {
            sku: l.sku.sku,
            category: l.sku.category,
            qty,
            reason: returnRng.pick(
              REASONS[l.sku.department] ?? ['changed-mind', 'defective', 'not-as-described'],
            ),
            condition: returnRng.pick([
              'resaleable',
              'resaleable',
              'resaleable',
              'opened',
              'damaged',
            ] as const),
            refundAmount: cents(l.unitPrice * qty),
          };
        }),
      },
    });
  };

  const storeSale = (st: Store, r: Rng, hourStart: number, day: string, a: Assortment): DemandEvent => {
    const at = hourStart + r.int(0, HOUR_MS - 1);
    const occurredAt = new Date(at).toISOString();
    const picked: Array<{ sku: Sku; qty: number; unitPrice: number; list: number; promo?: string }> = [];
    const count = 1 + r.poisson(1.08);
    for (let i = 0; i < count; i++) {
      const sku = draw(a, r);
      const p = promotion(sku.sku, 'store', day, st.region);
      const list = sku.prices.store;
      picked.push({
        sku,
        qty: 1 + r.poisson(0.25),
        unitPrice: p ? promotionalPrice(list, p) : list,
        list,
        ...(p ? { promo: p.id } : {}),
      });
    }
    const transactionId = `${st.id}-${day.replace(/-/g, '')}-${String(++seq).padStart(8, '0')}`;
    const lines: PosLine[] = picked.map((l, i) => ({
      lineNumber: i + 1,
      sku: l.sku.sku,
      gtin: l.sku.gtin,
      qty: l.qty,
      unitPrice: l.unitPrice,
      listPrice: l.list,
      discount: cents((l.list - l.unitPrice) * l.qty),
      ...(l.promo ? { promotionId: l.promo } : {}),
    }));
    const total = cents(lines.reduce((s, l) => s + l.unitPrice * l.qty, 0));
    const customer = r.chance(0.2) ? r.pick(consumers) : undefined;
    maybeReturn(
      { channel: 'store', at, store: st, transactionId, ...(customer ? { customerId: customer.id } : {}) },
      picked,
    );
    const tender = r.next();
    return {
      kind: 'pos.sale',
      id: transactionId,
      at: occurredAt,
      subject: transactionId,
      payload: {
        transactionId,
        storeId: st.id,
        storeGln: st.gln,
        register: String(r.int(1, st.format === 'flagship' ? 12 : 5)).padStart(2, '0'),
        businessDate: day,
        occurredAt,
        currency: estate.currency,
        ...(customer ? { customerId: customer.id } : {}),
        lines,
        total,
        tender: { type: tender < 0.7 ? 'card' : tender < 0.95 ? 'cash' : 'gift-card', amount: total },
      },
    };
  };

  const webOrder = (r: Rng, hourStart: number, day: string, a: Assortment): DemandEvent => {
    const at = hourStart + r.int(0, HOUR_MS - 1);
    const customer: Customer = r.pick(consumers);
    const count = 1 + r.poisson(1.5);
    const picked: Array<{ sku: Sku; qty: number; unitPrice: number; list: number }> = [];
    for (let i = 0; i < count; i++) {
      const sku = draw(a, r);
      const p = promotion(sku.sku, 'web', day, customer.region);
      const list = sku.prices.web;
      picked.push({ sku, qty: 1 + r.poisson(0.24), unitPrice: p ? promotionalPrice(list, p) : list, list });
    }
    const number = ++orderNumber;
    const id = 5_000_000_000_000 + number;
    const subtotal = cents(picked.reduce((s, l) => s + l.list * l.qty, 0));
    const total = cents(picked.reduce((s, l) => s + l.unitPrice * l.qty, 0));
    const [firstName, ...rest] = customer.name.split(' ');
    const cities = citiesOf(customer.region);
    maybeReturn({ channel: 'web', at, orderId: `#${number}`, customerId: customer.id }, picked);
    return {
      kind: 'web.order',
      id: `#${number}`,
      at: new Date(at).toISOString(),
      subject: `#${number}`,
      payload: {
        id,
        admin_graphql_api_id: `gid://shopify/Order/${id}`,
        name: `#${number}`,
        order_number: number,
        created_at: new Date(at).toISOString(),
        currency: estate.currency,
        financial_status: 'paid',
        source_name: r.chance(0.35) ? 'app' : 'web',
        subtotal_price: subtotal.toFixed(2),
        total_discounts: cents(subtotal - total).toFixed(2),
        total_price: total.toFixed(2),
        customer: {
          id: 7_000_000_000 + Number(customer.id.slice(5)),
          email: customer.email,
          first_name: firstName ?? customer.name,
          last_name: rest.join(' '),
          tags: `baton:${customer.id}`,
        },
        line_items: picked.map((l, i) => ({
          id: id * 10 + i,
          sku: l.sku.sku,
          barcode: l.sku.gtin,
          title: l.sku.name,
          quantity: l.qty,
          price: l.list.toFixed(2),
          total_discount: cents((l.list - l.unitPrice) * l.qty).toFixed(2),
          variant_id: 40_000_000_000 + Number(l.sku.sku.slice(4)),
        })),
        shipping_address: {
          city: r.pick(cities),
          province_code: customer.region.toUpperCase(),
          country_code: 'DE',
        },
        note_attributes: [{ name: 'customerId', value: customer.id }],
      },
    };
  };

  for (let hour = 0; options.hours === undefined || hour < options.hours; hour++) {
    const hourStart = first + hour * HOUR_MS;
    const day = new Date(hourStart).toISOString().slice(0, 10);
    const dow = weekdayIndex(hourStart);
    const h = new Date(hourStart).getUTCHours();
    const events: DemandEvent[] = [];
    if (channels.includes('store'))
      for (const st of stores) {
        const share = hourShares.get(st.id)![h]!;
        if (share === 0) continue;
        const a = assortmentOf(st, day);
        const r = storeRng.get(st.id)!;
        const units = a.total * st.sizeFactor * WEEKDAY_FACTORS[dow]! * share;
        const n = r.poisson(units / STORE_BASKET_UNITS);
        for (let i = 0; i < n; i++) events.push(storeSale(st, r, hourStart, day, a));
      }
    if (channels.includes('web')) {
      const a = assortmentOf(undefined, day);
      const units = a.total * allFootfall * WEB_SHARE * WEB_WEEKDAY_FACTORS[dow]! * WEB_HOUR_SHARES[h]!;
      const n = webRng.poisson(units / WEB_BASKET_UNITS);
      for (let i = 0; i < n; i++) events.push(webOrder(webRng, hourStart, day, a));
    }
    const hourIndex = hourStart / HOUR_MS;
    events.push(...(pending.get(hourIndex) ?? []));
    pending.delete(hourIndex);
    events.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    yield* events;
  }
}
