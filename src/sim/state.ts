import { ApplicationFailure, type Clock } from '../core/index.js';
import type { EstateIndex } from './estate.js';

/** Units at one location: what is there and how much of it is promised to someone. */
export interface StockLevel {
  onHand: number;
  reserved: number;
}

/**
 * Stock by SKU and location, shared by the ERP, OMS and WMS so each sees the others' effects. No
 * operation can take a level below zero: refusals are `ApplicationFailure`s whose type the HTTP
 * layer turns into a problem type.
 */
export class StockLedger {
  private readonly levels = new Map<string, StockLevel>();

  constructor(private readonly index: EstateIndex) {}

  level(sku: string, location: string): StockLevel {
    const key = `${sku}@${location}`;
    let level = this.levels.get(key);
    if (!level) {
      level = { onHand: this.index.estate.stock[sku]?.[location] ?? 0, reserved: 0 };
      this.levels.set(key, level);
    }
    return level;
  }

  available(sku: string, location: string): number {
    const l = this.level(sku, location);
    return l.onHand - l.reserved;
  }

  /** Promises `qty` units; refused when fewer are available. */
  reserve(sku: string, location: string, qty: number): void {
    const free = this.available(sku, location);
    if (qty > free)
      throw ApplicationFailure.nonRetryable(
        `only ${free} of ${sku} available at ${location}, ${qty} requested`,
        'insufficient-stock',
        { sku, location, available: free, requested: qty },
      );
    this.level(sku, location).reserved += qty;
  }

  unreserve(sku: string, location: string, qty: number): void {
    const l = this.level(sku, location);
    l.reserved = Math.max(0, l.reserved - qty);
  }

  receive(sku: string, location: string, qty: number): void {
    this.level(sku, location).onHand += qty;
  }

  /**
   * Takes `qty` units out. `fromReserved` units of it were promised to this very movement and are
   * released as they leave; the rest must come from what is available to anyone.
   */
  issue(sku: string, location: string, qty: number, fromReserved = 0): void {
    const l = this.level(sku, location);
    const free = l.onHand - l.reserved + fromReserved;
    if (qty > free || qty > l.onHand)
      throw ApplicationFailure.nonRetryable(
        `issuing ${qty} of ${sku} at ${location} would make stock negative: ${Math.min(free, l.onHand)} can be issued`,
        'negative-stock',
        { sku, location, onHand: l.onHand, reserved: l.reserved, requested: qty },
      );
    l.onHand -= qty;
    l.reserved = Math.max(0, l.reserved - fromReserved);
  }
}

/** Document numbers per number range, like an ERP's: `next('4500000000')` gives 4500000001, … */
export class NumberRanges {
  private readonly last = new Map<string, number>();

  /** The next number of a numeric range starting after `base`, as text of the same width. */
  next(base: string): string {
    const n = (this.last.get(base) ?? 0) + 1;
    this.last.set(base, n);
    return String(BigInt(base) + BigInt(n)).padStart(base.length, '0');
  }

  /** The next id of a prefixed sequence: `nextId('PT')` gives PT-000001, … */
  nextId(prefix: string, width = 6): string {
    const n = (this.last.get(prefix) ?? 0) + 1;
    this.last.set(prefix, n);
    return `${prefix}-${String(n).padStart(width, '0')}`;
  }
}

/** An order as the OMS tracks it: reservations, picks and shipments move its status. */
export interface OrderTrack {
  orderId: string;
  status: 'reserved' | 'partially-reserved' | 'released' | 'picking' | 'shipped';
  reservations: string[];
  pickTasks: string[];
  shipments: string[];
  history: Array<{ status: OrderTrack['status']; at: string; by: string }>;
}

/** Stock an OMS reservation promises to an order, line by line. */
export interface Reservation {
  reservationId: string;
  orderId: string;
  location: string;
  status: 'active' | 'released' | 'consumed';
  lines: Array<{ sku: string; requested: number; reserved: number }>;
  createdAt: string;
}

/** An ERP stock transfer order: reserved at the source until issued, in transit until received. */
export interface TransferOrder {
  stoNumber: string;
  from: string;
  to: string;
  status: 'open' | 'issued' | 'received';
  lines: Array<{ sku: string; qty: number; reserved: number }>;
  reference?: string;
  createdAt: string;
}

export interface PostingLine {
  account: string;
  debit: number;
  credit: number;
  customerId?: string;
  text?: string;
}

export interface AccountingDocument {
  documentNumber: string;
  fiscalYear: number;
  postingDate: string;
  reference?: string;
  currency: string;
  lines: PostingLine[];
}

export interface Refund {
  refundId: string;
  returnId: string;
  orderId?: string;
  customerId?: string;
  amount: number;
  currency: string;
  method: string;
  createdAt: string;
}

/** Everything the simulated systems change, over the seeded estate. */
export class SimState {
  readonly stock: StockLedger;
  readonly numbers = new NumberRanges();
  readonly orders = new Map<string, OrderTrack>();
  readonly reservations = new Map<string, Reservation>();
  readonly transfers = new Map<string, TransferOrder>();
  readonly postings: AccountingDocument[] = [];
  readonly refunds: Refund[] = [];
  private readonly exposures = new Map<string, number>();

  constructor(
    readonly index: EstateIndex,
    readonly clock: Clock,
  ) {
    this.stock = new StockLedger(index);
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  exposure(customerId: string): number {
    return this.exposures.get(customerId) ?? this.index.customers.get(customerId)?.exposure ?? 0;
  }

  addExposure(customerId: string, amount: number): void {
    this.exposures.set(customerId, Math.round((this.exposure(customerId) + amount) * 100) / 100);
  }

  /** Moves an order to `status`, creating its track on first sight. */
  trackOrder(orderId: string, status: OrderTrack['status'], by: string): OrderTrack {
    let track = this.orders.get(orderId);
    if (!track) {
      track = { orderId, status, reservations: [], pickTasks: [], shipments: [], history: [] };
      this.orders.set(orderId, track);
    }
    track.status = status;
    track.history.push({ status, at: this.nowIso(), by });
    return track;
  }
}
