/**
 * What starts a replenishment run and what it sends: the request (the data of
 * `inventory.threshold_breached`, or the same shape from a forecast or a promotion's shortfall) and
 * the purchase order it issues, as the `purchase_order.issued` contract has it (the 850 is written
 * from that event).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { InventoryThresholdBreached, PurchaseOrderIssued } from '../../contracts/index.js';
import { addDays, each, isoDay, money } from './common.js';
import type { MasterData } from './master-data.js';

export type ReplenishmentRequest = InventoryThresholdBreached & {
  /** Units wanted beyond the reorder policy, e.g. a promotion's shortfall at a DC. */
  quantity?: number;
  reason?: 'replenishment' | 'promotion';
  /** Order from this supplier instead of the item's own. */
  supplierId?: string;
};

export const ReplenishmentInput = Type.Unsafe<ReplenishmentRequest>(
  Type.Object({
    locationId: Type.String({ minLength: 1 }),
    sku: Type.String({ minLength: 1 }),
    threshold: Type.String(),
    available: Type.Object({ value: Type.Number({ minimum: 0 }) }),
    detectedAt: Type.String({ minLength: 10 }),
    quantity: Type.Optional(Type.Integer({ minimum: 1 })),
    supplierId: Type.Optional(Type.String({ minLength: 1 })),
  }),
);
export type ReplenishmentInputType = Static<typeof ReplenishmentInput>;

/** A PO number that is the same for the same request and attempt, so a re-sent order is recognised. */
export function poNumberFor(
  req: Pick<ReplenishmentRequest, 'locationId' | 'sku' | 'detectedAt'>,
  attempt: number,
): string {
  let h = 0x811c9dc5;
  for (const ch of `${req.locationId}|${req.sku}|${req.detectedAt}|${attempt}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `PO${String(h).padStart(10, '0')}`;
}

export interface OrderFacts {
  poNumber: string;
  supplierId: string;
  locationId: string;
  sku: string;
  qty: number;
  issuedAt: Date;
  reason: 'replenishment' | 'promotion';
}

export function purchaseOrder(md: MasterData, f: OrderFacts): PurchaseOrderIssued {
  const supplier = md.supplier(f.supplierId);
  const item = md.item(f.sku);
  if (!supplier || !item) throw new Error(`no master data for supplier ${f.supplierId} or item ${f.sku}`);
  const gln = Object.entries(md.locationsByGln()).find(([, id]) => id === f.locationId)?.[0];
  const control = f.poNumber.slice(-9);
  const due = addDays(f.issuedAt, supplier.leadTimeDays);
  return {
    poNumber: f.poNumber,
    erpDocument: { system: 'baton', id: f.poNumber, documentType: 'purchase-order' },
    supplier: { id: supplier.id, name: supplier.name, gln: supplier.gln },
    shipTo: { locationId: f.locationId, ...(gln ? { gln } : {}) },
    issuedAt: f.issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    requestedDeliveryDate: isoDay(due),
    paymentTerms: 'NET30',
    lines: [
      {
        lineNumber: '10',
        sku: item.sku,
        gtin: item.gtin,
        quantity: each(f.qty),
        unitPrice: money(item.cost, md.currency),
      },
    ],
    total: money(item.cost * f.qty, md.currency),
    reason: f.reason,
    x12: {
      transactionSet: '850',
      interchangeControlNumber: control,
      groupControlNumber: String(Number(control)),
      transactionSetControlNumber: '0001',
      senderId: 'BATONRETAIL',
      receiverId: supplier.edi.interchangeId,
    },
  };
}

/** Units to order: the policy's quantity once stock is at or below the reorder point, or what was asked. */
export function orderQuantity(
  policy: { reorderPoint: number; orderQuantity: number },
  available: number,
  asked: number | undefined,
  packSize: number,
): number {
  const byPolicy =
    available <= policy.reorderPoint ? Math.max(policy.orderQuantity, policy.reorderPoint - available) : 0;
  const units = Math.max(byPolicy, asked ?? 0);
  return Math.ceil(units / Math.max(1, packSize)) * Math.max(1, packSize);
}
