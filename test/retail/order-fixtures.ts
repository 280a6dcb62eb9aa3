import type { OrderCreated } from '../../src/contracts/index.js';
import type { Simulator } from '../../src/sim/index.js';
import { plainSkus } from './estate-harness.js';

/** `order.created` events over the simulated estate, and the estate's SKUs and customers to use. */

const cents = (n: number) => (Math.round(n * 100) / 100).toFixed(2);
const eur = (n: number) => ({ amount: cents(n), currency: 'EUR' });

export interface OrderSpec {
  orderId: string;
  customerId: string;
  lines: Array<{ sku: string; qty: number; unitPrice: number }>;
  channel?: OrderCreated['channel'];
  location?: string;
  payment?: OrderCreated['payment']['status'];
}

export function orderCreated(s: OrderSpec): OrderCreated {
  const subtotal = s.lines.reduce((sum, l) => sum + l.qty * l.unitPrice, 0);
  const tax = Math.round(subtotal * 19) / 100;
  return {
    orderId: s.orderId,
    channel: s.channel ?? 'web',
    sourceDocument: { system: 'shopify', id: `gid://shopify/Order/${s.orderId}`, documentType: 'order' },
    placedAt: new Date().toISOString(),
    customer: { id: s.customerId, kind: 'consumer' },
    lines: s.lines.map((l, i) => ({
      lineId: String(i + 1),
      sku: l.sku,
      quantity: { value: l.qty, uom: 'EA' },
      unitPrice: eur(l.unitPrice),
      lineTotal: eur(l.qty * l.unitPrice),
    })),
    totals: {
      subtotal: eur(subtotal),
      discount: eur(0),
      tax: eur(tax),
      shipping: eur(0),
      grandTotal: eur(subtotal + tax),
    },
    fulfilment: { method: 'ship', locationId: s.location ?? 'DC-1' },
    payment: { status: s.payment ?? 'authorized', method: 'card' },
  };
}

/** Picks from the estate without handing the same SKU to two tests. */
export class EstatePicker {
  private readonly used = new Set<string>();
  constructor(private readonly sim: Simulator) {}

  /** A SKU whose available units at `location` satisfy `test`, at a web price under 200 that `price` accepts. */
  sku(
    location: string,
    test: (available: number) => boolean,
    elsewhere?: (loc: string, available: number) => boolean,
    price: (webPrice: number, available: number) => boolean = () => true,
  ) {
    for (const sku of plainSkus(this.sim)) {
      if (this.used.has(sku)) continue;
      const item = this.sim.index.skus.get(sku)!;
      const available = this.sim.state.stock.available(sku, location);
      if (item.prices.web > 200 || !price(item.prices.web, available)) continue;
      if (!test(this.sim.state.stock.available(sku, location))) continue;
      if (elsewhere) {
        const others = Object.keys(this.sim.estate.stock[sku] ?? {}).filter((l) => l !== location);
        if (!others.some((l) => elsewhere(l, this.sim.state.stock.available(sku, l)))) continue;
      }
      this.used.add(sku);
      return { sku, webPrice: item.prices.web, available: this.sim.state.stock.available(sku, location) };
    }
    throw new Error(`no SKU left at ${location} that fits`);
  }

  /** A customer with at least `room` of credit left and little of the limit used. */
  customer(test: (c: { creditLimit: number; exposure: number; available: number; kind: string }) => boolean) {
    for (const c of this.sim.estate.customers) {
      if (this.used.has(c.id)) continue;
      const exposure = this.sim.state.exposure(c.id);
      if (!test({ creditLimit: c.creditLimit, exposure, available: c.creditLimit - exposure, kind: c.kind }))
        continue;
      this.used.add(c.id);
      return c.id;
    }
    throw new Error('no customer left that fits');
  }

  /** A consumer for whom a small order scores no credit risk. */
  goodCustomer() {
    return this.customer(
      (c) => c.kind === 'consumer' && c.creditLimit >= 1500 && c.exposure / c.creditLimit < 0.3,
    );
  }
}
