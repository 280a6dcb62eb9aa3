/**
 * Returns and refunds: authorisation (a Shopify or Medusa return, or an X12 180 from a B2B
 * customer), receipt and disposition at the warehouse, refund and its credit memo.
 */
import { type Static, Type } from '@sinclair/typebox';
import {
  Channel,
  DocumentRef,
  defineEntry,
  Enum,
  EventData,
  ItemIds,
  LocationId,
  Money,
  Obj,
  Quantity,
  Text,
  Timestamp,
  X12Envelope,
} from './common.js';

const ReturnId = Type.String({ pattern: '^RMA-[0-9A-Z-]{3,32}$', description: 'e.g. RMA-2026-004512' });
const OrderId = Type.String({ pattern: '^[A-Z]{2,4}-[0-9A-Z-]{3,32}$' });
const RefundMethod = Enum(['original-payment', 'store-credit', 'gift-card', 'exchange', 'bank-transfer']);

export const ReturnAuthorizedSchema = EventData('return.authorized', 'A return was authorised', {
  returnId: ReturnId,
  orderId: OrderId,
  channel: Channel,
  sourceDocument: DocumentRef,
  authorizedAt: Timestamp(),
  expiresAt: Timestamp('Goods must arrive before this'),
  customerId: Text(64),
  method: Enum(['mail', 'in-store', 'carrier-pickup']),
  returnLocationId: LocationId,
  refundMethod: RefundMethod,
  lines: Type.Array(
    Obj({
      lineId: Type.Optional(Text(20, 'The order line')),
      ...ItemIds,
      quantity: Quantity,
      reason: Enum([
        'damaged',
        'defective',
        'wrong-item',
        'not-as-described',
        'size-fit',
        'changed-mind',
        'late',
      ]),
      note: Type.Optional(Text(500)),
    }),
    { minItems: 1, maxItems: 500 },
  ),
  expectedRefund: Type.Optional(Money),
  x12: Type.Optional(X12Envelope),
});
export type ReturnAuthorized = Static<typeof ReturnAuthorizedSchema>;

export const returnAuthorized = defineEntry({
  type: 'return.authorized',
  owner: 'customer-care',
  description:
    'A return was authorised (web shop return, store desk, or X12 180); carries the RMA, lines with reasons, where it goes and how it is refunded.',
  schema: ReturnAuthorizedSchema,
  example: {
    returnId: 'RMA-2026-004512',
    orderId: 'SO-100234',
    channel: 'web',
    sourceDocument: { system: 'shopify', id: 'gid://shopify/Return/945678123', documentType: 'return' },
    authorizedAt: '2026-03-09T11:02:00Z',
    expiresAt: '2026-03-23T23:59:59Z',
    customerId: 'gid://shopify/Customer/7012345678',
    method: 'mail',
    returnLocationId: 'DC-01',
    refundMethod: 'original-payment',
    lines: [
      {
        lineId: '1',
        sku: 'TSHIRT-BLK-M',
        gtin: '4006381333931',
        quantity: { value: 1, uom: 'EA' },
        reason: 'size-fit',
      },
    ],
    expectedRefund: { amount: '19.90', currency: 'EUR' },
  },
});

export const ReturnReceivedSchema = EventData(
  'return.received',
  'Returned goods arrived, were inspected and given a disposition',
  {
    returnId: ReturnId,
    locationId: LocationId,
    receivedAt: Timestamp(),
    inspectedBy: Type.Optional(Text(120)),
    wmsDocument: Type.Optional(DocumentRef),
    lines: Type.Array(
      Obj({
        ...ItemIds,
        quantity: Quantity,
        condition: Enum(['new', 'opened', 'used', 'damaged']),
        disposition: Enum(['restock', 'refurbish', 'return-to-vendor', 'liquidate', 'scrap']),
      }),
      { minItems: 1, maxItems: 500 },
    ),
  },
);
export type ReturnReceived = Static<typeof ReturnReceivedSchema>;

export const returnReceived = defineEntry({
  type: 'return.received',
  owner: 'supply-chain-logistics',
  description:
    'Returned goods arrived and were inspected; carries per line the condition and disposition (restock, scrap, …).',
  schema: ReturnReceivedSchema,
  example: {
    returnId: 'RMA-2026-004512',
    locationId: 'DC-01',
    receivedAt: '2026-03-12T14:20:00Z',
    inspectedBy: 'rui.almeida',
    wmsDocument: { system: 'wms', id: 'RET-DC01-0007731', documentType: 'customer-return' },
    lines: [
      {
        sku: 'TSHIRT-BLK-M',
        gtin: '4006381333931',
        quantity: { value: 1, uom: 'EA' },
        condition: 'new',
        disposition: 'restock',
      },
    ],
  },
});

export const ReturnRefundedSchema = EventData('return.refunded', 'The customer was refunded for a return', {
  returnId: ReturnId,
  orderId: OrderId,
  refundedAt: Timestamp(),
  amount: Money,
  method: RefundMethod,
  paymentReference: Text(128, 'The refund at the shop or payment provider, e.g. gid://shopify/Refund/…'),
  erpDocument: Type.Optional(DocumentRef),
  lines: Type.Optional(
    Type.Array(Obj({ ...ItemIds, quantity: Quantity, amount: Money }), { minItems: 1, maxItems: 500 }),
  ),
});
export type ReturnRefunded = Static<typeof ReturnRefundedSchema>;

export const returnRefunded = defineEntry({
  type: 'return.refunded',
  owner: 'finance-operations',
  description:
    'A return was refunded; carries the amount, method, payment reference and the ERP credit memo.',
  schema: ReturnRefundedSchema,
  example: {
    returnId: 'RMA-2026-004512',
    orderId: 'SO-100234',
    refundedAt: '2026-03-12T14:31:07Z',
    amount: { amount: '19.90', currency: 'EUR' },
    method: 'original-payment',
    paymentReference: 'gid://shopify/Refund/887766554433',
    erpDocument: { system: 'sap-s4', id: '1800000123', documentType: 'credit-memo' },
    lines: [
      {
        sku: 'TSHIRT-BLK-M',
        quantity: { value: 1, uom: 'EA' },
        amount: { amount: '19.90', currency: 'EUR' },
      },
    ],
  },
});

// The inbound events of the returns flow. `return.authorized` is the result of authorisation, which
// the flow decides by policy and publishes; a channel sends the customer's request, and the
// warehouse its goods-in count of the parcel.

const RequestSku = Type.String({ minLength: 1, maxLength: 64 });
const closedObject = { additionalProperties: false } as const;

export const ReturnRequestedSchema = EventData('return.requested', 'A customer asked to return goods', {
  returnId: ReturnId,
  orderId: Type.String({ pattern: '^[A-Z]{2,4}-[0-9A-Z-]{3,32}$' }),
  channel: Type.Union(
    ['pos', 'web', 'mobile-app', 'marketplace', 'b2b-edi', 'call-centre'].map((c) => Type.Literal(c)),
  ),
  customerId: Type.String({ minLength: 1, maxLength: 64 }),
  /** When the goods were bought: the return window counts from here. */
  purchasedAt: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T' }),
  method: Type.Union([Type.Literal('mail'), Type.Literal('in-store'), Type.Literal('carrier-pickup')]),
  returnLocationId: Type.String({ pattern: '^(ST|DC|WH)-[A-Z0-9-]{1,20}$' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  lines: Type.Array(
    Type.Object(
      {
        sku: RequestSku,
        quantity: Type.Integer({ minimum: 1 }),
        reason: Type.Union(
          ['damaged', 'defective', 'wrong-item', 'not-as-described', 'size-fit', 'changed-mind', 'late'].map(
            (r) => Type.Literal(r),
          ),
        ),
        condition: Type.Union(['unopened', 'opened', 'damaged', 'defective'].map((c) => Type.Literal(c))),
        /** The product category the channel shows (apparel, electronics, beauty, grocery, home, …). */
        category: Type.String({ minLength: 1, maxLength: 40 }),
        unitPrice: Type.Number({ minimum: 0 }),
      },
      closedObject,
    ),
    { minItems: 1, maxItems: 100 },
  ),
});
export type ReturnRequested = Static<typeof ReturnRequestedSchema>;

export const ReturnArrivedSchema = EventData('return.arrived', 'A returned parcel was counted at goods-in', {
  returnId: ReturnId,
  inspectedBy: Type.String({ minLength: 1, maxLength: 120 }),
  lines: Type.Array(
    Type.Object(
      {
        sku: RequestSku,
        quantity: Type.Integer({ minimum: 0 }),
        damaged: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      closedObject,
    ),
    { minItems: 1 },
  ),
});
export type ReturnArrived = Static<typeof ReturnArrivedSchema>;

export const returnRequested = defineEntry({
  type: 'return.requested',
  owner: 'customer-care',
  description:
    'A customer asked to return goods (web shop, store desk, call centre); lines with reason, declared condition, category and price paid. Starts the returns flow.',
  schema: ReturnRequestedSchema,
  example: {
    returnId: 'RMA-2026-004513',
    orderId: 'SO-100234',
    channel: 'web',
    customerId: 'C-10042',
    purchasedAt: '2026-03-01T10:15:00Z',
    method: 'mail',
    returnLocationId: 'DC-01',
    currency: 'EUR',
    lines: [
      {
        sku: 'TSHIRT-BLK-M',
        quantity: 1,
        reason: 'size-fit',
        condition: 'unopened',
        category: 'apparel',
        unitPrice: 19.9,
      },
    ],
  },
});

export const returnArrived = defineEntry({
  type: 'return.arrived',
  owner: 'warehouse',
  description: "The warehouse's goods-in count of a returned parcel, with the units that came back damaged.",
  schema: ReturnArrivedSchema,
  example: {
    returnId: 'RMA-2026-004513',
    inspectedBy: 'dc01.goods-in',
    lines: [{ sku: 'TSHIRT-BLK-M', quantity: 1, damaged: 0 }],
  },
});
