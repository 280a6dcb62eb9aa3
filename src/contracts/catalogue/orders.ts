/**
 * Order to fulfilment. Orders arrive from POS, e-commerce (Shopify and Medusa webhooks), the CRM
 * and B2B EDI (X12 850); the ERP sales order (SAP S/4HANA VBAK, Odoo sale.order) confirms them.
 */
import { type Static, Type } from '@sinclair/typebox';
import {
  Address,
  CalendarDate,
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

const OrderId = Type.String({
  pattern: '^[A-Z]{2,4}-[0-9A-Z-]{3,32}$',
  description: 'Baton’s order number, e.g. SO-100234',
});

const OrderLine = Obj({
  lineId: Text(20, 'Line number within the order'),
  ...ItemIds,
  description: Type.Optional(Text(200)),
  quantity: Quantity,
  unitPrice: Money,
  discount: Type.Optional(Money),
  tax: Type.Optional(Money),
  lineTotal: Money,
});

export const OrderCreatedSchema = EventData('order.created', 'An order was captured in a sales channel', {
  orderId: OrderId,
  channel: Channel,
  sourceDocument: DocumentRef,
  placedAt: Timestamp('When the customer placed the order'),
  customer: Obj({
    id: Text(64, 'Customer id in the CRM or shop'),
    kind: Enum(['consumer', 'business']),
    email: Type.Optional(Type.String({ format: 'email' })),
    erpAccount: Type.Optional(Text(20, 'Sold-to account in the ERP (SAP KUNNR), for credit checks')),
  }),
  storeId: Type.Optional(LocationId),
  lines: Type.Array(OrderLine, { minItems: 1, maxItems: 500 }),
  totals: Obj({
    subtotal: Money,
    discount: Money,
    tax: Money,
    shipping: Money,
    grandTotal: Money,
  }),
  fulfilment: Obj({
    method: Enum(['ship', 'pickup-in-store', 'ship-from-store', 'carry-out']),
    locationId: Type.Optional(LocationId),
    shipTo: Type.Optional(Address),
    requestedDeliveryDate: Type.Optional(CalendarDate()),
  }),
  payment: Obj({
    status: Enum(['authorized', 'paid', 'pending', 'on-account']),
    method: Type.Optional(Enum(['card', 'wallet', 'gift-card', 'invoice', 'cash'])),
    reference: Type.Optional(Text(100, 'Payment provider reference')),
  }),
  x12: Type.Optional(X12Envelope),
});
export type OrderCreated = Static<typeof OrderCreatedSchema>;

export const orderCreated = defineEntry({
  type: 'order.created',
  owner: 'commerce-platform',
  description:
    'An order was captured at POS, on the web shop, in the CRM or by EDI 850; carries lines, totals, fulfilment and payment state.',
  schema: OrderCreatedSchema,
  example: {
    orderId: 'SO-100234',
    channel: 'web',
    sourceDocument: {
      system: 'shopify',
      id: 'gid://shopify/Order/5512345678901',
      documentType: 'order',
      number: '#1042',
    },
    placedAt: '2026-03-02T09:14:27Z',
    customer: { id: 'gid://shopify/Customer/7012345678', kind: 'consumer', email: 'ana.silva@example.com' },
    lines: [
      {
        lineId: '1',
        sku: 'TSHIRT-BLK-M',
        gtin: '4006381333931',
        description: 'Organic cotton T-shirt, black, M',
        quantity: { value: 2, uom: 'EA' },
        unitPrice: { amount: '19.90', currency: 'EUR' },
        tax: { amount: '6.35', currency: 'EUR' },
        lineTotal: { amount: '39.80', currency: 'EUR' },
      },
    ],
    totals: {
      subtotal: { amount: '39.80', currency: 'EUR' },
      discount: { amount: '0.00', currency: 'EUR' },
      tax: { amount: '6.35', currency: 'EUR' },
      shipping: { amount: '4.90', currency: 'EUR' },
      grandTotal: { amount: '44.70', currency: 'EUR' },
    },
    fulfilment: {
      method: 'ship',
      locationId: 'DC-01',
      shipTo: {
        name: 'Ana Silva',
        line1: 'Rua Augusta 120',
        city: 'Lisboa',
        postalCode: '1100-053',
        country: 'PT',
      },
    },
    payment: { status: 'authorized', method: 'card', reference: 'pi_3OxYz2LkdIwHu7ix0abc1234' },
  },
});

export const OrderConfirmedSchema = EventData(
  'order.confirmed',
  'The ERP accepted the order: price and credit checked, stock reserved',
  {
    orderId: OrderId,
    confirmedAt: Timestamp(),
    erpDocument: DocumentRef,
    sourceDocument: Type.Optional(DocumentRef),
    lines: Type.Array(
      Obj({
        lineId: Text(20),
        ...ItemIds,
        confirmedQuantity: Quantity,
        sourceLocationId: LocationId,
        promisedDate: CalendarDate('When the customer gets it'),
      }),
      { minItems: 1, maxItems: 500 },
    ),
    grandTotal: Money,
  },
);
export type OrderConfirmed = Static<typeof OrderConfirmedSchema>;

export const orderConfirmed = defineEntry({
  type: 'order.confirmed',
  owner: 'commerce-platform',
  description:
    'The ERP sales order exists and stock is reserved; carries confirmed quantities, source locations and promised dates.',
  schema: OrderConfirmedSchema,
  example: {
    orderId: 'SO-100234',
    confirmedAt: '2026-03-02T09:14:41Z',
    erpDocument: { system: 'sap-s4', id: '0000123456', documentType: 'sales-order' },
    sourceDocument: { system: 'shopify', id: 'gid://shopify/Order/5512345678901', number: '#1042' },
    lines: [
      {
        lineId: '1',
        sku: 'TSHIRT-BLK-M',
        gtin: '4006381333931',
        confirmedQuantity: { value: 2, uom: 'EA' },
        sourceLocationId: 'DC-01',
        promisedDate: '2026-03-04',
      },
    ],
    grandTotal: { amount: '44.70', currency: 'EUR' },
  },
});

export const OrderExceptionRaisedSchema = EventData(
  'order.exception_raised',
  'An order cannot proceed without a person: a price mismatch, a credit block, short stock, …',
  {
    orderId: OrderId,
    raisedAt: Timestamp(),
    reason: Enum([
      'price-mismatch',
      'credit-block',
      'short-stock',
      'address-invalid',
      'payment-failed',
      'fraud-review',
      'edi-rejected',
    ]),
    severity: Enum(['low', 'medium', 'high', 'critical']),
    message: Text(500, 'What happened, for the person who handles it'),
    lineIds: Type.Optional(Type.Array(Text(20), { maxItems: 500 })),
    erpDocument: Type.Optional(DocumentRef),
    assignedRole: Type.Optional(Text(60, 'The role whose inbox gets the task, e.g. pricing, credit-control')),
    details: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,39}$' }), Type.String({ maxLength: 500 }), {
        description: 'Reason-specific facts, e.g. expectedPrice and erpPrice',
      }),
    ),
  },
);
export type OrderExceptionRaised = Static<typeof OrderExceptionRaisedSchema>;

export const orderExceptionRaised = defineEntry({
  type: 'order.exception_raised',
  owner: 'order-operations',
  description:
    'An order needs a person (price mismatch, credit block, short stock, invalid address, …); carries the reason, severity and the role to handle it.',
  schema: OrderExceptionRaisedSchema,
  example: {
    orderId: 'SO-100235',
    raisedAt: '2026-03-02T09:20:03Z',
    reason: 'price-mismatch',
    severity: 'medium',
    message: 'Line 1: the web shop charged 17.90 EUR, the ERP condition record says 19.90 EUR',
    lineIds: ['1'],
    erpDocument: { system: 'sap-s4', id: '0000123457', documentType: 'sales-order' },
    assignedRole: 'pricing',
    details: { expectedPrice: '19.90', chargedPrice: '17.90', currency: 'EUR' },
  },
});
