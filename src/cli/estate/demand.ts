/**
 * The simulator's demand as the contract events Baton receives: web orders and till sales as
 * `order.created`, returns as `return.requested`, each from the generator's own stream.
 */
import type { OrderCreated } from '../../contracts/index.js';
import type { ReturnRequested } from '../../retail/index.js';
import type { DemandEvent, Estate, PosSale, ReturnRequest, WebOrder } from '../../sim/index.js';

const eur = (n: number, currency: string) => ({ amount: (Math.round(n * 100) / 100).toFixed(2), currency });
const DAY = 86_400_000;

/** A promoted item on sale: its promotion price per channel. */
export interface OnSale {
  sku: string;
  store: number;
  web: number;
}

export class DemandTranslator {
  private readonly consumers: string[];
  private readonly dcOfRegion = new Map<string, string>();
  private readonly dcOfStore = new Map<string, string>();

  constructor(estate: Estate) {
    this.consumers = estate.customers.filter((c) => c.kind === 'consumer').map((c) => c.id);
    for (const dc of estate.distributionCentres) for (const r of dc.regions) this.dcOfRegion.set(r, dc.id);
    for (const s of estate.stores) this.dcOfStore.set(s.id, s.dcId);
  }

  /** The DC that serves a store, or the web orders of a region. */
  dcOf(location: string): string {
    return this.dcOfStore.get(location) ?? this.dcOfRegion.get(location) ?? 'DC-1';
  }

  /** Till sales without a loyalty card still need an account to post to: one picked by the id. */
  private customerFor(key: string, given?: string): string {
    if (given) return given;
    let h = 0;
    for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return this.consumers[h % this.consumers.length] ?? 'CUST-00001';
  }

  webOrder(w: WebOrder, sale?: OnSale): OrderCreated {
    const region = w.shipping_address.province_code.toLowerCase();
    const customerId = w.note_attributes.find((a) => a.name === 'customerId')?.value;
    const lines = w.line_items.map((l, i) => {
      const onSale = i === 0 && sale;
      return {
        sku: onSale ? sale.sku : l.sku,
        qty: l.quantity,
        price: onSale ? sale.web : Number(l.price),
      };
    });
    return this.order({
      orderId: `WEB-${w.order_number}`,
      channel: 'web',
      source: { system: 'shopify', id: w.admin_graphql_api_id, documentType: 'order', number: w.name },
      customerId: this.customerFor(w.name, customerId),
      lines,
      fulfilment: { method: 'ship', locationId: this.dcOf(region) },
      currency: w.currency,
    });
  }

  posSale(s: PosSale, sale?: OnSale): OrderCreated {
    const lines = s.lines.map((l, i) => {
      const onSale = i === 0 && sale;
      return { sku: onSale ? sale.sku : l.sku, qty: l.qty, price: onSale ? sale.store : l.unitPrice };
    });
    return {
      ...this.order({
        orderId: `POS-${s.transactionId.replace(/^ST-/, '')}`,
        channel: 'pos',
        source: { system: 'pos', id: s.transactionId, documentType: 'receipt' },
        customerId: this.customerFor(s.transactionId, s.customerId),
        lines,
        fulfilment: { method: 'carry-out', locationId: s.storeId },
        currency: s.currency,
      }),
      storeId: s.storeId,
    };
  }

  returnRequest(r: ReturnRequest): ReturnRequested {
    const reason = {
      size: 'size-fit',
      defective: 'defective',
      'changed-mind': 'changed-mind',
      'not-as-described': 'not-as-described',
      'damaged-in-transit': 'damaged',
    } as const;
    const condition = { resaleable: 'unopened', opened: 'opened', damaged: 'damaged' } as const;
    const orderId = r.orderId
      ? `WEB-${r.orderId.replace(/^#/, '')}`
      : `POS-${(r.originalTransactionId ?? r.returnId).replace(/^(ST|RET)-/, '')}`;
    return {
      returnId: `RMA-${r.returnId.replace(/^RET-/, '')}`,
      orderId,
      channel: r.channel === 'store' ? 'pos' : 'web',
      customerId: this.customerFor(r.returnId, r.customerId),
      purchasedAt: new Date(Date.now() - 7 * DAY).toISOString(),
      method: r.storeId ? 'in-store' : 'mail',
      returnLocationId: r.storeId ?? 'DC-1',
      currency: r.currency,
      lines: r.lines.map((l) => ({
        sku: l.sku,
        quantity: l.qty,
        reason: reason[l.reason],
        condition: condition[l.condition],
        category: l.category,
        unitPrice: Math.round((l.refundAmount / l.qty) * 100) / 100,
      })),
    };
  }

  private order(o: {
    orderId: string;
    channel: OrderCreated['channel'];
    source: OrderCreated['sourceDocument'];
    customerId: string;
    lines: Array<{ sku: string; qty: number; price: number }>;
    fulfilment: OrderCreated['fulfilment'];
    currency: string;
  }): OrderCreated {
    const subtotal = o.lines.reduce((s, l) => s + l.qty * l.price, 0);
    const tax = Math.round(subtotal * 19) / 100;
    return {
      orderId: o.orderId,
      channel: o.channel,
      sourceDocument: o.source,
      placedAt: new Date().toISOString(),
      customer: { id: o.customerId, kind: 'consumer' },
      lines: o.lines.map((l, i) => ({
        lineId: String(i + 1),
        sku: l.sku,
        quantity: { value: l.qty, uom: 'EA' },
        unitPrice: eur(l.price, o.currency),
        lineTotal: eur(l.qty * l.price, o.currency),
      })),
      totals: {
        subtotal: eur(subtotal, o.currency),
        discount: eur(0, o.currency),
        tax: eur(tax, o.currency),
        shipping: eur(0, o.currency),
        grandTotal: eur(subtotal + tax, o.currency),
      },
      fulfilment: o.fulfilment,
      payment: { status: 'paid', method: 'card' },
    };
  }
}

/** Pulls the next event of a kind from the generator, passing over the others (demand is sampled). */
export class DemandStream {
  constructor(private readonly events: Iterator<DemandEvent>) {}

  next<K extends DemandEvent['kind']>(kind: K): Extract<DemandEvent, { kind: K }> | undefined {
    for (let i = 0; i < 1_000_000; i++) {
      const n = this.events.next();
      if (n.done) return undefined;
      if (n.value.kind === kind) return n.value as Extract<DemandEvent, { kind: K }>;
    }
    return undefined;
  }
}
