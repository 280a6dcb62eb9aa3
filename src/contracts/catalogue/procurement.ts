/**
 * Replenishment and procurement with suppliers: the purchase order (X12 850, SAP EKKO/EKPO), its
 * acknowledgement (855), the advance ship notice (856), shipment delays, and the supplier invoice
 * (810) posted in finance.
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
  Party,
  Quantity,
  Sscc,
  Text,
  Timestamp,
  X12Envelope,
} from './common.js';

const PoNumber = Type.String({
  pattern: '^[0-9A-Z][0-9A-Z/-]{3,34}$',
  description: 'The purchase order number in the ERP (SAP EBELN, e.g. 4500001234)',
});
const PoLineNumber = Type.String({ pattern: '^[0-9]{1,6}$', description: 'PO line (X12 PO101, SAP EBELP)' });

export const PurchaseOrderIssuedSchema = EventData(
  'purchase_order.issued',
  'A purchase order was sent to a supplier',
  {
    poNumber: PoNumber,
    erpDocument: DocumentRef,
    supplier: Party,
    shipTo: Obj({ locationId: LocationId, gln: Type.Optional(Gln) }),
    issuedAt: Timestamp(),
    requestedDeliveryDate: CalendarDate(),
    incoterms: Type.Optional(
      Obj({
        code: Enum(['EXW', 'FCA', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP', 'FAS', 'FOB', 'CFR', 'CIF']),
        place: Type.Optional(Text(100)),
      }),
    ),
    paymentTerms: Type.Optional(Text(20, 'e.g. NET30')),
    lines: Type.Array(
      Obj({
        lineNumber: PoLineNumber,
        ...ItemIds,
        supplierItemId: Type.Optional(Text(48, 'The supplier’s part number (X12 VP)')),
        quantity: Quantity,
        unitPrice: Money,
      }),
      { minItems: 1, maxItems: 1000 },
    ),
    total: Money,
    reason: Type.Optional(Enum(['replenishment', 'promotion', 'new-listing', 'manual'])),
    x12: Type.Optional(X12Envelope),
  },
);
export type PurchaseOrderIssued = Static<typeof PurchaseOrderIssuedSchema>;

export const purchaseOrderIssued = defineEntry({
  type: 'purchase_order.issued',
  owner: 'procurement',
  description:
    'A purchase order went to a supplier (EDI 850); carries the ERP PO, supplier, ship-to DC, lines with prices, incoterms and X12 control numbers.',
  schema: PurchaseOrderIssuedSchema,
  example: {
    poNumber: '4500001234',
    erpDocument: { system: 'sap-s4', id: '4500001234', documentType: 'purchase-order' },
    supplier: { id: '0000100234', name: 'Têxteis do Norte, Lda.', gln: '5601234000009' },
    shipTo: { locationId: 'DC-01', gln: '4005000000001' },
    issuedAt: '2026-03-21T07:05:00Z',
    requestedDeliveryDate: '2026-03-28',
    incoterms: { code: 'DAP', place: 'DC-01 Azambuja' },
    paymentTerms: 'NET30',
    lines: [
      {
        lineNumber: '10',
        sku: 'TSHIRT-BLK-M',
        gtin: '4006381333931',
        supplierItemId: 'TDN-TS-0045-BK-M',
        quantity: { value: 40, uom: 'CS' },
        unitPrice: { amount: '54.00', currency: 'EUR' },
      },
    ],
    total: { amount: '2160.00', currency: 'EUR' },
    reason: 'replenishment',
    x12: {
      transactionSet: '850',
      interchangeControlNumber: '000004512',
      groupControlNumber: '4512',
      transactionSetControlNumber: '0001',
      senderId: 'BATONRETAIL',
      receiverId: 'TEXTEISNORTE',
    },
  },
});

export const PurchaseOrderAcknowledgedSchema = EventData(
  'purchase_order.acknowledged',
  'The supplier accepted, changed or rejected a purchase order',
  {
    poNumber: PoNumber,
    supplierId: Text(64),
    supplierOrderNumber: Type.Optional(Text(48)),
    acknowledgedAt: Timestamp(),
    status: Enum(['accepted', 'accepted-with-changes', 'rejected'], 'X12 BAK02: AT / AC / RJ, as a word'),
    lines: Type.Array(
      Obj({
        lineNumber: PoLineNumber,
        ...ItemIds,
        status: Enum(['accepted', 'backordered', 'changed', 'rejected', 'rescheduled'], 'X12 ACK01'),
        quantity: Quantity,
        unitPrice: Type.Optional(Money),
        promisedDate: Type.Optional(CalendarDate()),
      }),
      { minItems: 1, maxItems: 1000 },
    ),
    x12: Type.Optional(X12Envelope),
  },
);
export type PurchaseOrderAcknowledged = Static<typeof PurchaseOrderAcknowledgedSchema>;

export const purchaseOrderAcknowledged = defineEntry({
  type: 'purchase_order.acknowledged',
  owner: 'procurement',
  description:
    'The supplier answered a PO (EDI 855); carries acceptance per line with quantities, prices and promised dates.',
  schema: PurchaseOrderAcknowledgedSchema,
  example: {
    poNumber: '4500001234',
    supplierId: '0000100234',
    supplierOrderNumber: 'TDN-SO-88231',
    acknowledgedAt: '2026-03-21T10:12:00Z',
    status: 'accepted-with-changes',
    lines: [
      {
        lineNumber: '10',
        sku: 'TSHIRT-BLK-M',
        gtin: '4006381333931',
        status: 'rescheduled',
        quantity: { value: 40, uom: 'CS' },
        unitPrice: { amount: '54.00', currency: 'EUR' },
        promisedDate: '2026-03-30',
      },
    ],
    x12: {
      transactionSet: '855',
      interchangeControlNumber: '000091877',
      groupControlNumber: '91877',
      transactionSetControlNumber: '0001',
      senderId: 'TEXTEISNORTE',
      receiverId: 'BATONRETAIL',
    },
  },
});

export const AsnReceivedSchema = EventData(
  'asn.received',
  'A supplier announced a shipment: what is in which pallet, and when it arrives',
  {
    asnNumber: Text(30, 'The shipment id (X12 BSN02)'),
    supplierId: Text(64),
    poNumbers: Type.Array(PoNumber, { minItems: 1, uniqueItems: true }),
    shipToLocationId: LocationId,
    shippedAt: Timestamp(),
    expectedDeliveryAt: Timestamp(),
    carrier: Type.Optional(Carrier),
    packages: Type.Array(
      Obj({
        sscc: Sscc,
        lines: Type.Array(
          Obj({
            poNumber: PoNumber,
            poLineNumber: PoLineNumber,
            ...ItemIds,
            quantity: Quantity,
            lot: Type.Optional(Text(40)),
            bestBefore: Type.Optional(CalendarDate()),
          }),
          { minItems: 1 },
        ),
      }),
      { minItems: 1, maxItems: 2000 },
    ),
    x12: Type.Optional(X12Envelope),
  },
);
export type AsnReceived = Static<typeof AsnReceivedSchema>;

export const asnReceived = defineEntry({
  type: 'asn.received',
  owner: 'supply-chain-logistics',
  description:
    'An advance ship notice arrived (EDI 856); carries POs, carrier, arrival time and the contents of each pallet by SSCC.',
  schema: AsnReceivedSchema,
  example: {
    asnNumber: 'TDN-ASN-20260329-01',
    supplierId: '0000100234',
    poNumbers: ['4500001234'],
    shipToLocationId: 'DC-01',
    shippedAt: '2026-03-29T06:00:00Z',
    expectedDeliveryAt: '2026-03-30T08:00:00Z',
    carrier: { name: 'Transportes Rápidos', scac: 'TRPD', service: 'LTL', trackingNumber: 'TRPD7781203' },
    packages: [
      {
        sscc: '034012345000000026',
        lines: [
          {
            poNumber: '4500001234',
            poLineNumber: '10',
            sku: 'TSHIRT-BLK-M',
            gtin: '4006381333931',
            quantity: { value: 40, uom: 'CS' },
            lot: 'L2026-0312',
          },
        ],
      },
    ],
    x12: {
      transactionSet: '856',
      interchangeControlNumber: '000091902',
      groupControlNumber: '91902',
      transactionSetControlNumber: '0001',
      senderId: 'TEXTEISNORTE',
      receiverId: 'BATONRETAIL',
    },
  },
});

export const ShipmentDelayedSchema = EventData(
  'shipment.delayed',
  'A shipment will arrive later than promised',
  {
    shipmentId: Text(64, 'The carrier’s or supplier’s shipment id'),
    relatesTo: Obj({
      kind: Enum(['order', 'transfer', 'purchase-order', 'return']),
      id: Text(64, 'SO-…, TR-…, the PO number or RMA-…'),
    }),
    carrier: Type.Optional(Carrier),
    originalEta: Timestamp(),
    newEta: Timestamp(),
    reason: Enum([
      'carrier-delay',
      'weather',
      'customs',
      'capacity',
      'address-issue',
      'supplier-late',
      'other',
    ]),
    detectedAt: Timestamp(),
    sourceDocument: Type.Optional(DocumentRef),
  },
);
export type ShipmentDelayed = Static<typeof ShipmentDelayedSchema>;

export const shipmentDelayed = defineEntry({
  type: 'shipment.delayed',
  owner: 'supply-chain-logistics',
  description:
    'A shipment (customer order, transfer, PO or return) is late; carries what it belongs to, the old and new ETA and the reason.',
  schema: ShipmentDelayedSchema,
  example: {
    shipmentId: 'TDN-ASN-20260329-01',
    relatesTo: { kind: 'purchase-order', id: '4500001234' },
    carrier: { name: 'Transportes Rápidos', scac: 'TRPD', trackingNumber: 'TRPD7781203' },
    originalEta: '2026-03-30T08:00:00Z',
    newEta: '2026-03-31T14:00:00Z',
    reason: 'carrier-delay',
    detectedAt: '2026-03-30T05:45:00Z',
    sourceDocument: { system: 'carrier', id: 'TRPD7781203', documentType: 'tracking-event' },
  },
});

export const InvoicePostedSchema = EventData('invoice.posted', 'An invoice was posted in the ERP', {
  invoiceNumber: Text(40, 'The invoice number as issued'),
  direction: Enum(['payable', 'receivable'], 'A supplier invoice, or one Baton’s retailer issued'),
  erpDocument: DocumentRef,
  companyCode: Type.Optional(Text(10, 'SAP company code (BUKRS) or Odoo company')),
  fiscalYear: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
  party: Party,
  poNumber: Type.Optional(PoNumber),
  orderId: Type.Optional(Text(40)),
  invoiceDate: CalendarDate(),
  dueDate: CalendarDate(),
  postedAt: Timestamp(),
  lines: Type.Array(
    Obj({
      lineNumber: Text(6),
      sku: Type.Optional(ItemIds.sku),
      description: Text(200),
      quantity: Quantity,
      unitPrice: Money,
      amount: Money,
    }),
    { minItems: 1, maxItems: 2000 },
  ),
  subtotal: Money,
  tax: Money,
  total: Money,
  match: Type.Optional(
    Enum(
      ['matched', 'price-variance', 'quantity-variance', 'no-receipt'],
      'Three-way match against PO and receipt',
    ),
  ),
  x12: Type.Optional(X12Envelope),
});
export type InvoicePosted = Static<typeof InvoicePostedSchema>;

export const invoicePosted = defineEntry({
  type: 'invoice.posted',
  owner: 'finance-operations',
  description:
    'An invoice was posted (supplier EDI 810, or a customer invoice); carries the ERP document, party, lines, tax, totals and three-way match result.',
  schema: InvoicePostedSchema,
  example: {
    invoiceNumber: 'FT 2026/0418',
    direction: 'payable',
    erpDocument: { system: 'sap-s4', id: '5105600123', documentType: 'supplier-invoice' },
    companyCode: '1000',
    fiscalYear: 2026,
    party: { id: '0000100234', name: 'Têxteis do Norte, Lda.', gln: '5601234000009' },
    poNumber: '4500001234',
    invoiceDate: '2026-03-31',
    dueDate: '2026-04-30',
    postedAt: '2026-04-01T10:03:00Z',
    lines: [
      {
        lineNumber: '10',
        sku: 'TSHIRT-BLK-M',
        description: 'T-shirt organic cotton black M, case of 12',
        quantity: { value: 40, uom: 'CS' },
        unitPrice: { amount: '54.00', currency: 'EUR' },
        amount: { amount: '2160.00', currency: 'EUR' },
      },
    ],
    subtotal: { amount: '2160.00', currency: 'EUR' },
    tax: { amount: '496.80', currency: 'EUR' },
    total: { amount: '2656.80', currency: 'EUR' },
    match: 'matched',
    x12: {
      transactionSet: '810',
      interchangeControlNumber: '000092210',
      groupControlNumber: '92210',
      transactionSetControlNumber: '0001',
      senderId: 'TEXTEISNORTE',
      receiverId: 'BATONRETAIL',
    },
  },
});
