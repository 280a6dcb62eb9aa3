import { Type } from '@sinclair/typebox';
import { defineHttpConnector, httpOperation } from '../http.js';
import {
  Amount,
  Count,
  Currency,
  closed,
  Id,
  IsoDate,
  Lines,
  Money,
  Qty,
  SalesChannel,
  seg,
  Text,
  Time,
} from './schemas.js';

const StockAtLocation = Type.Object({
  location: Id,
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer(),
});

const TransferOrder = Type.Object({
  stoNumber: Id,
  from: Id,
  to: Id,
  status: Type.Union([Type.Literal('open'), Type.Literal('issued'), Type.Literal('received')]),
  lines: Type.Array(Type.Object({ sku: Id, qty: Qty, reserved: Count })),
  reference: Type.Optional(Id),
  createdAt: Time,
});

const PostingLine = closed({
  account: Type.String({ minLength: 1, maxLength: 10 }),
  debit: Type.Optional(Money),
  credit: Type.Optional(Money),
  customerId: Type.Optional(Id),
  text: Type.Optional(Text(200)),
});

const AccountingDocument = Type.Object({
  documentNumber: Id,
  fiscalYear: Type.Integer(),
  postingDate: IsoDate,
  reference: Type.Optional(Id),
  currency: Currency,
  lines: Type.Array(
    Type.Object({ account: Type.String(), debit: Money, credit: Money, customerId: Type.Optional(Id) }),
  ),
});

/**
 * The ERP: the master of prices, credit and stock. Refusals are 422 problems: `price-mismatch`
 * (with `mismatches`), `credit-limit-exceeded` (with `available`), `insufficient-stock-at-source`,
 * `negative-stock`, `unbalanced-posting`, `unknown-master-data`.
 */
export const erpConnector = defineHttpConnector({
  system: 'erp',
  description: 'ERP: order validation, prices, credit, stock, transfer orders, goods movements, postings',
  limits: { maxConcurrent: 5, perSecond: 50 },
  operations: {
    validateOrder: httpOperation({
      method: 'POST',
      path: '/sales-orders/validate',
      description: 'Checks customer, SKUs and every unit price against the price list of the day',
      input: closed({
        orderId: Type.Optional(Id),
        customerId: Id,
        channel: SalesChannel,
        storeId: Type.Optional(Id),
        orderDate: Type.Optional(IsoDate),
        currency: Type.Optional(Currency),
        lines: Type.Array(closed({ sku: Id, qty: Qty, unitPrice: Money }), { minItems: 1, maxItems: 1000 }),
      }),
      output: Type.Object({
        valid: Type.Literal(true),
        orderId: Type.Optional(Id),
        customerId: Id,
        pricingDate: IsoDate,
        currency: Currency,
        netAmount: Type.Number(),
        lines: Type.Array(
          Type.Object({
            sku: Id,
            qty: Qty,
            unitPrice: Money,
            listPrice: Money,
            promotionId: Type.Optional(Id),
          }),
        ),
      }),
    }),
    getPrice: httpOperation({
      method: 'GET',
      path: (i) => `/prices/${seg(i.sku)}`,
      description: 'The price list price of a SKU on a channel and day, promotions included',
      input: closed({
        sku: Id,
        channel: Type.Optional(SalesChannel),
        date: Type.Optional(IsoDate),
        store: Type.Optional(Id),
      }),
      query: (i) => ({ channel: i.channel, date: i.date, store: i.store }),
      output: Type.Object({
        sku: Id,
        channel: SalesChannel,
        date: IsoDate,
        currency: Currency,
        listPrice: Money,
        price: Money,
        promotion: Type.Optional(Type.Object({ id: Id, discountPct: Type.Number() })),
      }),
    }),
    checkCredit: httpOperation({
      method: 'POST',
      path: '/credit-checks',
      description: 'Whether a customer may buy for this amount on account',
      input: closed({
        customerId: Id,
        amount: Amount,
        currency: Type.Optional(Currency),
        orderId: Type.Optional(Id),
      }),
      output: Type.Object({
        approved: Type.Boolean(),
        customerId: Id,
        checkId: Type.Optional(Id),
        creditLimit: Type.Optional(Type.Number()),
        exposure: Type.Optional(Type.Number()),
        available: Type.Optional(Type.Number()),
      }),
    }),
    getCustomer: httpOperation({
      method: 'GET',
      path: (i) => `/customers/${seg(i.customerId)}`,
      description: 'Customer master data with credit limit, exposure and what is still available',
      input: closed({ customerId: Id }),
      output: Type.Object({
        id: Id,
        name: Type.Optional(Type.String()),
        creditLimit: Type.Number(),
        exposure: Type.Number(),
        available: Type.Number(),
      }),
    }),
    getStock: httpOperation({
      method: 'GET',
      path: (i) => `/stock/${seg(i.sku)}`,
      description: 'Stock of a SKU at every location that holds or reserves it',
      input: closed({ sku: Id }),
      output: Type.Object({ sku: Id, available: Type.Integer(), locations: Type.Array(StockAtLocation) }),
    }),
    getStockAt: httpOperation({
      method: 'GET',
      path: (i) => `/stock/${seg(i.sku)}`,
      description: 'Stock of a SKU at one location: on hand, reserved, available',
      input: closed({ sku: Id, location: Id }),
      query: (i) => ({ location: i.location }),
      output: Type.Composite([Type.Object({ sku: Id }), StockAtLocation]),
    }),
    createTransferOrder: httpOperation({
      method: 'POST',
      path: '/stock-transfer-orders',
      description: 'A stock transfer order; its quantities are reserved at the source until issued',
      input: closed({ from: Id, to: Id, lines: Lines, reference: Type.Optional(Id) }),
      output: TransferOrder,
    }),
    getTransferOrder: httpOperation({
      method: 'GET',
      path: (i) => `/stock-transfer-orders/${seg(i.stoNumber)}`,
      input: closed({ stoNumber: Id }),
      output: TransferOrder,
    }),
    postGoodsMovement: httpOperation({
      method: 'POST',
      path: '/goods-movements',
      description: 'A goods receipt (101), issue (201) or transfer (301); all lines or none',
      input: closed({
        movementType: Type.Union([Type.Literal('receipt'), Type.Literal('issue'), Type.Literal('transfer')]),
        location: Type.Optional(Id),
        from: Type.Optional(Id),
        to: Type.Optional(Id),
        lines: Lines,
        stoNumber: Type.Optional(Id),
        reference: Type.Optional(Id),
        reason: Type.Optional(Text(200)),
      }),
      output: Type.Object({
        materialDocument: Id,
        year: Type.Integer(),
        movementType: Type.String(),
        movementCode: Type.String(),
        from: Type.Optional(Id),
        to: Type.Optional(Id),
        stoNumber: Type.Optional(Id),
        lines: Type.Array(
          Type.Object({
            sku: Id,
            qty: Qty,
            onHandAtSource: Type.Optional(Type.Integer()),
            onHandAtTarget: Type.Optional(Type.Integer()),
          }),
        ),
        postedAt: Time,
      }),
    }),
    postJournal: httpOperation({
      method: 'POST',
      path: '/postings',
      description: 'A balanced accounting document; receivables lines move the customer’s exposure',
      input: closed({
        documentDate: Type.Optional(IsoDate),
        reference: Type.Optional(Id),
        currency: Type.Optional(Currency),
        text: Type.Optional(Text(200)),
        lines: Type.Array(PostingLine, { minItems: 2, maxItems: 500 }),
      }),
      output: Type.Composite([AccountingDocument, Type.Object({ total: Money })]),
    }),
    listPostings: httpOperation({
      method: 'GET',
      path: '/postings',
      description: 'Accounting documents, by reference',
      input: closed({ reference: Type.Optional(Id) }),
      query: (i) => ({ reference: i.reference }),
      output: Type.Object({ postings: Type.Array(AccountingDocument) }),
    }),
  },
});
