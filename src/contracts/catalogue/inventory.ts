/**
 * Inventory and transfers between stores and distribution centres. An approved transfer becomes a
 * stock transport order in the ERP (SAP STO, Odoo internal transfer WH/INT/…), is picked and
 * shipped by the WMS and received with a goods receipt.
 */
import { type Static, Type } from '@sinclair/typebox';
import {
  CalendarDate,
  Carrier,
  DocumentRef,
  defineEntry,
  Enum,
  EventData,
  Gln,
  ItemIds,
  LocationId,
  Money,
  Obj,
  Quantity,
  Sscc,
  Text,
  Timestamp,
} from './common.js';

const TransferId = Type.String({ pattern: '^TR-[0-9A-Z-]{3,32}$', description: 'e.g. TR-2026-000381' });

const TransferLine = Obj({ ...ItemIds, quantity: Quantity });

export const InventoryThresholdBreachedSchema = EventData(
  'inventory.threshold_breached',
  'Stock of an item at a location crossed a planning threshold',
  {
    locationId: LocationId,
    locationGln: Type.Optional(Gln),
    ...ItemIds,
    threshold: Enum(['reorder-point', 'safety-stock', 'stockout', 'overstock']),
    onHand: Quantity,
    available: Quantity,
    thresholdQuantity: Quantity,
    daysOfCover: Type.Optional(Type.Number({ minimum: 0 })),
    detectedAt: Timestamp(),
    sourceDocument: Type.Optional(DocumentRef),
  },
);
export type InventoryThresholdBreached = Static<typeof InventoryThresholdBreachedSchema>;

export const inventoryThresholdBreached = defineEntry({
  type: 'inventory.threshold_breached',
  owner: 'inventory-planning',
  description:
    'Stock of an item at a store or DC fell below its reorder point or safety stock (or ran out, or overflowed); carries on-hand, available and the threshold.',
  schema: InventoryThresholdBreachedSchema,
  example: {
    locationId: 'ST-0042',
    locationGln: '5901234500005',
    sku: 'TSHIRT-BLK-M',
    gtin: '4006381333931',
    threshold: 'reorder-point',
    onHand: { value: 6, uom: 'EA' },
    available: { value: 4, uom: 'EA' },
    thresholdQuantity: { value: 12, uom: 'EA' },
    daysOfCover: 1.5,
    detectedAt: '2026-03-21T07:00:00Z',
    sourceDocument: { system: 'pos', id: 'ST-0042/stock/2026-03-21T07:00Z' },
  },
});

export const TransferRequestedSchema = EventData(
  'transfer.requested',
  'Someone or something asked to move stock between locations',
  {
    transferId: TransferId,
    fromLocationId: LocationId,
    toLocationId: LocationId,
    reason: Enum(['stockout-risk', 'store-request', 'rebalance', 'promotion', 'return-to-dc']),
    neededBy: CalendarDate(),
    lines: Type.Array(TransferLine, { minItems: 1, maxItems: 1000 }),
    estimatedValue: Type.Optional(Money),
    requestedBy: Text(120, 'A person, or the rule or model that proposed it'),
    requestedAt: Timestamp(),
  },
);
export type TransferRequested = Static<typeof TransferRequestedSchema>;

export const transferRequested = defineEntry({
  type: 'transfer.requested',
  owner: 'inventory-planning',
  description:
    'A stock move between locations was asked for; carries from/to, reason, lines, value and need-by date.',
  schema: TransferRequestedSchema,
  example: {
    transferId: 'TR-2026-000381',
    fromLocationId: 'DC-01',
    toLocationId: 'ST-0042',
    reason: 'stockout-risk',
    neededBy: '2026-03-23',
    lines: [{ sku: 'TSHIRT-BLK-M', gtin: '4006381333931', quantity: { value: 24, uom: 'EA' } }],
    estimatedValue: { amount: '238.80', currency: 'EUR' },
    requestedBy: 'rule:replenish-store-basics',
    requestedAt: '2026-03-21T07:00:12Z',
  },
});

export const TransferApprovedSchema = EventData(
  'transfer.approved',
  'A transfer was approved and exists in the ERP',
  {
    transferId: TransferId,
    decision: Enum(['approved', 'approved-partially']),
    approvedBy: Text(120),
    approvedAt: Timestamp(),
    erpDocument: DocumentRef,
    lines: Type.Array(TransferLine, { minItems: 1, maxItems: 1000 }),
    note: Type.Optional(Text(500)),
  },
);
export type TransferApproved = Static<typeof TransferApprovedSchema>;

export const transferApproved = defineEntry({
  type: 'transfer.approved',
  owner: 'inventory-planning',
  description:
    'A transfer was approved (fully or partly) and created in the ERP; carries the stock transport order and approved lines.',
  schema: TransferApprovedSchema,
  example: {
    transferId: 'TR-2026-000381',
    decision: 'approved',
    approvedBy: 'sam.store',
    approvedAt: '2026-03-21T08:05:44Z',
    erpDocument: { system: 'sap-s4', id: '4500012345', documentType: 'stock-transport-order' },
    lines: [{ sku: 'TSHIRT-BLK-M', gtin: '4006381333931', quantity: { value: 24, uom: 'EA' } }],
  },
});

export const TransferShippedSchema = EventData(
  'transfer.shipped',
  'The sending location shipped a transfer',
  {
    transferId: TransferId,
    fromLocationId: LocationId,
    toLocationId: LocationId,
    shippedAt: Timestamp(),
    expectedArrivalAt: Timestamp(),
    wmsDocument: DocumentRef,
    carrier: Type.Optional(Carrier),
    lines: Type.Array(Obj({ ...ItemIds, quantity: Quantity, sscc: Type.Optional(Sscc) }), {
      minItems: 1,
      maxItems: 1000,
    }),
  },
);
export type TransferShipped = Static<typeof TransferShippedSchema>;

export const transferShipped = defineEntry({
  type: 'transfer.shipped',
  owner: 'supply-chain-logistics',
  description:
    'A transfer left the sending location; carries the WMS delivery, carrier, shipped lines with SSCCs and ETA.',
  schema: TransferShippedSchema,
  example: {
    transferId: 'TR-2026-000381',
    fromLocationId: 'DC-01',
    toLocationId: 'ST-0042',
    shippedAt: '2026-03-21T15:30:00Z',
    expectedArrivalAt: '2026-03-22T09:00:00Z',
    wmsDocument: { system: 'wms', id: 'OUT-DC01-0098812', documentType: 'outbound-delivery' },
    carrier: { name: 'Own fleet', service: 'store-route', trackingNumber: 'RT-DC01-0321-07' },
    lines: [
      {
        sku: 'TSHIRT-BLK-M',
        gtin: '4006381333931',
        quantity: { value: 24, uom: 'EA' },
        sscc: '034012345000000019',
      },
    ],
  },
});

export const TransferReceivedSchema = EventData(
  'transfer.received',
  'The receiving location booked a transfer in, with any discrepancy',
  {
    transferId: TransferId,
    toLocationId: LocationId,
    receivedAt: Timestamp(),
    receivedBy: Text(120),
    erpDocument: Type.Optional(DocumentRef),
    lines: Type.Array(
      Obj({
        ...ItemIds,
        quantityShipped: Quantity,
        quantityReceived: Quantity,
        discrepancy: Type.Optional(Enum(['short', 'over', 'damaged', 'wrong-item'])),
      }),
      { minItems: 1, maxItems: 1000 },
    ),
  },
);
export type TransferReceived = Static<typeof TransferReceivedSchema>;

export const transferReceived = defineEntry({
  type: 'transfer.received',
  owner: 'store-operations',
  description:
    'A transfer was received; carries shipped and received quantities per line, discrepancies and the ERP goods receipt.',
  schema: TransferReceivedSchema,
  example: {
    transferId: 'TR-2026-000381',
    toLocationId: 'ST-0042',
    receivedAt: '2026-03-22T09:40:00Z',
    receivedBy: 'joana.ferreira',
    erpDocument: { system: 'sap-s4', id: '5000001234', documentType: 'goods-receipt' },
    lines: [
      {
        sku: 'TSHIRT-BLK-M',
        gtin: '4006381333931',
        quantityShipped: { value: 24, uom: 'EA' },
        quantityReceived: { value: 23, uom: 'EA' },
        discrepancy: 'damaged',
      },
    ],
  },
});

/**
 * `transfer.arrived`: the receiving location's goods-in count of a transfer, sent by its store app
 * or handheld. the transfer flow's inbound event (the catalogue's `transfer.received` is what this flow
 * publishes once the receipt is booked).
 */
export const TransferArrivedSchema = EventData(
  'transfer.arrived',
  'A transfer was counted at the receiving location',
  {
    transferId: Type.String({ pattern: '^TR-[0-9A-Z-]{3,32}$' }),
    receivedBy: Type.String({ minLength: 1, maxLength: 120 }),
    lines: Type.Array(
      Type.Object(
        {
          sku: Type.String({ minLength: 1, maxLength: 64 }),
          quantityReceived: Type.Integer({ minimum: 0 }),
          quantityDamaged: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
);
export type TransferArrived = Static<typeof TransferArrivedSchema>;

export const transferArrived = defineEntry({
  type: 'transfer.arrived',
  owner: 'store-operations',
  description:
    "The receiving location's goods-in count of a transfer, with damaged units; the flow books it and publishes transfer.received.",
  schema: TransferArrivedSchema,
  example: {
    transferId: 'TR-2026-000871',
    receivedBy: 'st042.backroom',
    lines: [{ sku: 'TSHIRT-BLK-M', quantityReceived: 12, quantityDamaged: 1 }],
  },
});
