import { type TSchema, Type } from '@sinclair/typebox';
import { catalogue, type PurchaseOrderIssued } from '../../contracts/index.js';
import { render850 } from '../edi/po850.js';
import { defineHttpConnector, httpOperation } from '../http.js';
import { closed, compilable, Id, IsoDate, Money, Qty, seg, Time } from './schemas.js';

const issued = catalogue.find((e) => e.type === 'purchase_order.issued')?.schema as TSchema;
/** The purchase_order.issued event's data, as its contract says. */
const PurchaseOrder = Type.Unsafe<PurchaseOrderIssued>(compilable(issued));

const DocumentType = Type.Union([
  Type.Literal('997'),
  Type.Literal('855'),
  Type.Literal('856'),
  Type.Literal('810'),
]);

const Received = Type.Object({
  supplierId: Id,
  poNumber: Id,
  status: Type.Literal('received'),
  lines: Type.Integer({ minimum: 1 }),
  format: Type.Union([Type.Literal('x12'), Type.Literal('json')]),
  expected: Type.Object({ acknowledgementAt: Time, promisedShipAt: Time }),
});

/**
 * The suppliers behind one EDI gateway: purchase orders in (an X12 850, or JSON), and each
 * supplier's outbox of 997, 855, 856 and 810 documents as X12 text, for the EDI readers
 * (`parseEdi`). Refusals: `unknown-trading-partner`, 409 for a PO number already received, 400
 * for an 850 that cannot be read.
 */
export const suppliersConnector = defineHttpConnector({
  system: 'suppliers',
  description: 'Suppliers: purchase orders (EDI 850) and their 997, 855, 856 and 810 answers',
  operations: {
    sendPurchaseOrder: httpOperation({
      method: 'POST',
      path: '/purchase-orders',
      description: 'Sends a purchase_order.issued as an X12 850 to its supplier',
      input: PurchaseOrder,
      query: (po) => ({ supplier: po.supplier.id }),
      contentType: 'application/edi-x12',
      body: (po) => render850(po),
      output: Received,
    }),
    sendPurchaseOrderJson: httpOperation({
      method: 'POST',
      path: '/purchase-orders',
      description: 'Sends a purchase order as JSON, for suppliers without EDI',
      input: closed({
        supplierId: Id,
        poNumber: Type.String({ minLength: 1, maxLength: 22 }),
        orderDate: Type.Optional(IsoDate),
        shipTo: Id,
        requestedDelivery: Type.Optional(IsoDate),
        lines: Type.Array(closed({ sku: Id, qty: Qty, unitPrice: Type.Optional(Money) }), {
          minItems: 1,
          maxItems: 1000,
        }),
      }),
      output: Received,
    }),
    getPurchaseOrder: httpOperation({
      method: 'GET',
      path: (i) => `/purchase-orders/${seg(i.poNumber)}`,
      description: 'Where a purchase order is (received, acknowledged, shipped, invoiced) and its documents',
      input: closed({ poNumber: Id, supplierId: Type.Optional(Id) }),
      query: (i) => ({ supplier: i.supplierId }),
      output: Type.Object({
        supplierId: Id,
        poNumber: Id,
        status: Type.Union(['received', 'acknowledged', 'shipped', 'invoiced'].map((s) => Type.Literal(s))),
        shipTo: Id,
        lines: Type.Array(Type.Object({ sku: Id, qty: Qty })),
        documents: Type.Array(Type.Object({ documentId: Id, type: DocumentType })),
      }),
    }),
    listSuppliers: httpOperation({
      method: 'GET',
      path: '/suppliers',
      description: 'The trading partners with their interchange ids and lead times',
      input: closed({}),
      output: Type.Object({
        suppliers: Type.Array(
          Type.Object({
            id: Id,
            name: Type.String(),
            interchangeId: Type.String(),
            x12Version: Type.String(),
            leadTimeDays: Type.Integer(),
          }),
        ),
      }),
    }),
    fetchOutbox: httpOperation({
      method: 'GET',
      path: (i) => `/suppliers/${seg(i.supplierId)}/outbox`,
      description: 'A supplier’s documents for us, oldest first; `since` returns only newer ones',
      input: closed({ supplierId: Id, since: Type.Optional(Time), type: Type.Optional(DocumentType) }),
      query: (i) => ({ since: i.since, type: i.type }),
      output: Type.Object({
        supplierId: Id,
        documents: Type.Array(
          Type.Object({
            documentId: Id,
            type: DocumentType,
            poNumber: Id,
            controlNumber: Type.Integer(),
            availableAt: Time,
            x12: Type.String({ minLength: 1 }),
          }),
        ),
      }),
    }),
    getOutboxDocument: httpOperation({
      method: 'GET',
      path: (i) => `/suppliers/${seg(i.supplierId)}/outbox/${seg(i.documentId)}`,
      description: 'One outbox document as X12 text',
      input: closed({ supplierId: Id, documentId: Id }),
      responseType: 'text',
      output: Type.String({ pattern: '^ISA' }),
    }),
  },
});
