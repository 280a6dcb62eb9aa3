import { Type } from '@sinclair/typebox';
import { defineHttpConnector, httpOperation } from '../http.js';
import { Amount, Currency, closed, Id, IsoDate, Money, seg, Text, Time } from './schemas.js';

const Method = Type.Union([
  Type.Literal('original-payment'),
  Type.Literal('store-credit'),
  Type.Literal('cash'),
  Type.Literal('credit-note'),
]);

const Refund = Type.Object({
  refundId: Id,
  returnId: Id,
  orderId: Type.Optional(Id),
  customerId: Type.Optional(Id),
  amount: Money,
  currency: Currency,
  method: Method,
  createdAt: Time,
});

/**
 * Finance: a promotion's margin at stake, refunds (once per return: a second one is a 409 naming
 * the first `refundId`), and reconciliation of refunds against the ERP's postings, whose verdict
 * (`matched` or `unmatched` with its `differences`) is an answer, not a refusal.
 */
export const financeConnector = defineHttpConnector({
  system: 'finance',
  description: 'Finance: margin exposure, refunds, reconciliation',
  operations: {
    getMarginExposure: httpOperation({
      method: 'GET',
      path: '/margin-exposure',
      description: 'Forecast revenue, discount cost and margin of a promotion, per SKU',
      input: closed({ promotion: Id }),
      query: (i) => ({ promotion: i.promotion }),
      output: Type.Object({
        promotion: Id,
        start: IsoDate,
        end: IsoDate,
        currency: Currency,
        forecastRevenue: Type.Number(),
        discountCost: Type.Number(),
        marginAtList: Type.Number(),
        marginAtPromotion: Type.Number(),
        marginChange: Type.Number(),
        marginRate: Type.Number(),
        belowCostSkus: Type.Array(Id),
        lines: Type.Array(
          Type.Object({
            sku: Id,
            listPrice: Type.Number(),
            promoPrice: Type.Number(),
            cost: Type.Number(),
            forecastUnits: Type.Integer(),
            marginAtPromotion: Type.Number(),
            belowCost: Type.Boolean(),
          }),
        ),
      }),
    }),
    refund: httpOperation({
      method: 'POST',
      path: '/refunds',
      description: 'Pays a return back; a credit note lowers the customer’s exposure',
      input: closed({
        returnId: Id,
        amount: Amount,
        method: Method,
        orderId: Type.Optional(Id),
        customerId: Type.Optional(Id),
        currency: Type.Optional(Currency),
        reason: Type.Optional(Text(200)),
      }),
      output: Type.Composite([Refund, Type.Object({ status: Type.Literal('issued') })]),
    }),
    getRefund: httpOperation({
      method: 'GET',
      path: (i) => `/refunds/${seg(i.refundId)}`,
      input: closed({ refundId: Id }),
      output: Refund,
    }),
    reconcile: httpOperation({
      method: 'POST',
      path: '/reconciliations',
      description: 'Compares what was refunded for a return or order with what the ERP posted',
      input: closed({ reference: Id, expectedAmount: Type.Optional(Money) }),
      output: Type.Object({
        reconciliationId: Id,
        reference: Id,
        status: Type.Union([Type.Literal('matched'), Type.Literal('unmatched')]),
        refunded: Type.Number(),
        posted: Type.Number(),
        difference: Type.Number(),
        differences: Type.Array(Type.String()),
        refunds: Type.Array(Id),
        documents: Type.Array(Id),
        reconciledAt: Time,
      }),
    }),
  },
});
