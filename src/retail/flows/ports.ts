import type { StepInfo } from '../../engine/index.js';

/**
 * What the order, transfer and returns flows ask of the systems around them, one method per
 * request. Each takes the calling step's `StepInfo`, so its idempotency key reaches the system and
 * the connector knows whether the engine will retry. Business refusals the flows branch on (a price
 * that is off, a credit limit, stock that is short, a customer without consent) come back as
 * results; anything else is thrown and left to the step's retry and compensation.
 * `portsFromConnectors` implements it with the built-in connectors; a retailer whose systems speak
 * differently implements this interface and keeps the flows as they are.
 */

export interface Line {
  sku: string;
  qty: number;
}

export interface PricedLine extends Line {
  unitPrice: number;
}

export type PriceCheck =
  | { ok: true; netAmount: number }
  | { ok: false; mismatches: Array<{ line: number; sku: string; expected: number; got: number }> };

export interface CustomerAccount {
  customerId: string;
  kind: string;
  creditLimit: number;
  exposure: number;
}

export interface CreditAnswer {
  approved: boolean;
  available: number;
  /** Why the ERP refused, e.g. `credit-limit-exceeded`. */
  reason?: string;
}

export interface Reservation {
  /** Absent when nothing at all could be reserved. */
  reservationId?: string;
  location: string;
  lines: Array<{ sku: string; requested: number; reserved: number }>;
}

export interface PostingLine {
  account: string;
  debit?: number;
  credit?: number;
  customerId?: string;
  text?: string;
}

export interface ErpPort {
  validatePrices(
    req: {
      orderId: string;
      customerId: string;
      channel: 'store' | 'web';
      storeId?: string;
      orderDate: string;
      lines: PricedLine[];
    },
    call: StepInfo,
  ): Promise<PriceCheck>;
  customer(customerId: string, call: StepInfo): Promise<CustomerAccount>;
  checkCredit(
    req: { customerId: string; amount: number; orderId: string },
    call: StepInfo,
  ): Promise<CreditAnswer>;
  /** Units available (on hand less reserved) per location holding the SKU. */
  stock(sku: string, call: StepInfo): Promise<Array<{ location: string; available: number }>>;
  /** The store list price of a SKU today. */
  price(sku: string, call: StepInfo): Promise<number>;
  createTransferOrder(
    req: { from: string; to: string; lines: Line[]; reference: string },
    call: StepInfo,
  ): Promise<{ stoNumber: string }>;
  goodsMovement(
    req: {
      movementType: 'receipt' | 'issue';
      location: string;
      lines: Line[];
      reference: string;
      reason: string;
    },
    call: StepInfo,
  ): Promise<{ materialDocument: string }>;
  post(
    req: { reference: string; text: string; lines: PostingLine[] },
    call: StepInfo,
  ): Promise<{ documentNumber: string }>;
}

export interface OmsPort {
  reserve(
    req: { orderId: string; location: string; lines: Line[]; allowPartial: boolean },
    call: StepInfo,
  ): Promise<Reservation>;
  /** Releasing a reservation that is no longer active changes nothing, so a compensation may repeat. */
  release(reservationId: string, reason: string, call: StepInfo): Promise<void>;
}

export interface ShipmentNote {
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
  lines: Line[];
  shippedAt: string;
}

export interface ReceiptLine {
  sku: string;
  expectedQty: number;
  receivedQty: number;
  damagedQty: number;
}

export interface WmsPort {
  pick(
    req: { orderId?: string; stoNumber?: string; location: string; lines: Line[]; priority: number },
    call: StepInfo,
  ): Promise<{ taskId: string; queuePosition?: number }>;
  /** Confirms the dispatch of a picked task; the WMS takes the stock out. */
  ship(taskId: string, call: StepInfo): Promise<ShipmentNote>;
  /** Books goods in (the undamaged units) and reports each line's variance. */
  receive(
    req: { location: string; stoNumber?: string; lines: ReceiptLine[] },
    call: StepInfo,
  ): Promise<{
    receiptId: string;
    status: 'complete' | 'variance';
    lines: Array<ReceiptLine & { variance: number }>;
  }>;
}

export interface CrmPort {
  /** A service message by email; a refusal (no consent, unknown customer) is reported, not thrown. */
  notify(
    req: { customerId: string; template: string; subject: string; message: string; reference: string },
    call: StepInfo,
  ): Promise<{ sent: boolean; notificationId?: string; reason?: string }>;
}

export type RefundMethod = 'original-payment' | 'store-credit';

export interface FinancePort {
  refund(
    req: { returnId: string; orderId: string; customerId: string; amount: number; method: RefundMethod },
    call: StepInfo,
  ): Promise<{ refundId: string }>;
  reconcile(
    req: { reference: string; expectedAmount: number },
    call: StepInfo,
  ): Promise<{ reconciliationId: string; status: 'matched' | 'unmatched'; differences: string[] }>;
}

export interface RetailPorts {
  erp: ErpPort;
  oms: OmsPort;
  wms: WmsPort;
  crm: CrmPort;
  finance: FinancePort;
}
