import { Type } from '@sinclair/typebox';
import { ConflictError, NotFoundError } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { WEB_SHARE } from '../demand-model.js';
import { promotionalPrice } from '../estate.js';
import type { SystemRoutes } from '../http.js';
import { cents } from '../random.js';
import type { Refund } from '../state.js';
import { parse } from '../validate.js';
import { RECEIVABLES } from './erp-postings.js';
import { closed, Id, rejection } from './schemas.js';

const ExposureQuery = closed({ promotion: Id });

const RefundRequest = closed({
  returnId: Id,
  orderId: Type.Optional(Id),
  customerId: Type.Optional(Id),
  amount: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
  currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
  method: Type.Union([
    Type.Literal('original-payment'),
    Type.Literal('store-credit'),
    Type.Literal('cash'),
    Type.Literal('credit-note'),
  ]),
  reason: Type.Optional(Type.String({ maxLength: 200 })),
});

const Reconciliation = closed({
  /** A return id or order id: refunds and ERP postings carrying it are compared. */
  reference: Id,
  expectedAmount: Type.Optional(Type.Number({ minimum: 0 })),
});

/** Account the ERP posts refunds of returned goods to. */
const SALES_RETURNS = '410000';

/**
 * Finance: the margin a promotion puts at stake, refunds (once per return), and reconciliation of
 * refunds against what the ERP posted for the same reference.
 */
export function financeRoutes(r: SystemRoutes, ctx: SimContext): void {
  const { index, state } = ctx;

  r.get('/margin-exposure', (req) => {
    const q = parse(ExposureQuery, req.query, 'query');
    const p = index.promotions.get(q.promotion);
    if (!p) throw new NotFoundError('promotion', q.promotion);
    const days = Math.round((Date.parse(p.end) - Date.parse(p.start)) / 86_400_000) + 1;
    const stores = index.estate.stores.filter((s) => p.regions.includes(s.region));
    const allFootfall = index.estate.stores.reduce((s, st) => s + st.sizeFactor, 0);
    const lines = p.skus.map((id) => {
      const sku = index.skus.get(id)!;
      const ranged = index.estate.stock[id] ?? {};
      const storeFootfall = p.channels.includes('store')
        ? stores.filter((s) => s.id in ranged).reduce((sum, s) => sum + s.sizeFactor, 0)
        : 0;
      const webFootfall = p.channels.includes('web')
        ? WEB_SHARE * allFootfall * (p.regions.length / index.estate.regions.length)
        : 0;
      const baseline = sku.velocity * (storeFootfall + webFootfall) * days;
      const units = Math.round(baseline * p.uplift);
      const promoPrice = promotionalPrice(sku.prices.store, p);
      return {
        sku: id,
        listPrice: sku.prices.store,
        promoPrice,
        cost: sku.cost,
        baselineUnits: Math.round(baseline),
        forecastUnits: units,
        discountCost: cents((sku.prices.store - promoPrice) * units),
        marginAtList: cents((sku.prices.store - sku.cost) * Math.round(baseline)),
        marginAtPromotion: cents((promoPrice - sku.cost) * units),
        belowCost: promoPrice < sku.cost,
      };
    });
    const sum = (f: (l: (typeof lines)[number]) => number) => cents(lines.reduce((s, l) => s + f(l), 0));
    const revenue = sum((l) => l.promoPrice * l.forecastUnits);
    const marginAtPromotion = sum((l) => l.marginAtPromotion);
    return {
      promotion: p.id,
      name: p.name,
      start: p.start,
      end: p.end,
      days,
      currency: index.estate.currency,
      forecastRevenue: revenue,
      discountCost: sum((l) => l.discountCost),
      marginAtList: sum((l) => l.marginAtList),
      marginAtPromotion,
      marginChange: cents(marginAtPromotion - sum((l) => l.marginAtList)),
      marginRate: revenue > 0 ? Math.round((marginAtPromotion / revenue) * 10_000) / 10_000 : 0,
      belowCostSkus: lines.filter((l) => l.belowCost).map((l) => l.sku),
      lines,
    };
  });

  r.post('/refunds', RefundRequest, (body) => {
    if (body.currency !== undefined && body.currency !== index.estate.currency)
      throw rejection('currency-mismatch', [
        { path: '/currency', message: `refunds are paid in ${index.estate.currency}` },
      ]);
    if (body.customerId !== undefined && !index.customers.has(body.customerId))
      throw rejection('unknown-master-data', [
        { path: '/customerId', message: `unknown customer ${body.customerId}` },
      ]);
    if (body.method === 'credit-note' && body.customerId === undefined)
      throw rejection('invalid-refund', [
        { path: '/customerId', message: 'a credit note is issued to a customer account' },
      ]);
    const earlier = state.refunds.find((x) => x.returnId === body.returnId);
    if (earlier)
      throw new ConflictError(`return ${body.returnId} was already refunded by ${earlier.refundId}`, {
        refundId: earlier.refundId,
        amount: earlier.amount,
      });
    const refund: Refund = {
      refundId: state.numbers.nextId('RF'),
      returnId: body.returnId,
      ...(body.orderId ? { orderId: body.orderId } : {}),
      ...(body.customerId ? { customerId: body.customerId } : {}),
      amount: cents(body.amount),
      currency: index.estate.currency,
      method: body.method,
      createdAt: state.nowIso(),
    };
    state.refunds.push(refund);
    // a credit note lowers what the customer owes
    if (body.method === 'credit-note' && body.customerId) state.addExposure(body.customerId, -refund.amount);
    return { status: 201, body: { ...refund, status: 'issued', reason: body.reason } };
  });

  r.get('/refunds/:id', (req) => {
    const { id } = req.params as { id: string };
    const refund = state.refunds.find((x) => x.refundId === id);
    if (!refund) throw new NotFoundError('refund', id);
    return refund;
  });

  r.post('/reconciliations', Reconciliation, (body) => {
    const refunds = state.refunds.filter(
      (x) => x.returnId === body.reference || x.orderId === body.reference,
    );
    const docs = state.postings.filter((d) => d.reference === body.reference);
    if (refunds.length === 0 && docs.length === 0)
      throw new NotFoundError('refund or ERP posting with reference', body.reference);
    const refunded = cents(refunds.reduce((s, x) => s + x.amount, 0));
    // what the ERP booked as refunded: sales returns debited (net of reversals) for the reference
    const posted = cents(
      docs
        .flatMap((d) => d.lines)
        .filter((l) => l.account === SALES_RETURNS)
        .reduce((s, l) => s + l.debit - l.credit, 0),
    );
    const creditNotes = cents(
      docs
        .flatMap((d) => d.lines)
        .filter((l) => l.account === RECEIVABLES)
        .reduce((s, l) => s + l.credit, 0),
    );
    const differences: string[] = [];
    if (refunded !== posted)
      differences.push(`refunded ${refunded} but the ERP posted ${posted} to sales returns`);
    if (body.expectedAmount !== undefined && cents(body.expectedAmount) !== refunded)
      differences.push(`expected ${cents(body.expectedAmount)} but ${refunded} was refunded`);
    return {
      status: 201,
      body: {
        reconciliationId: state.numbers.nextId('REC'),
        reference: body.reference,
        status: differences.length === 0 ? 'matched' : 'unmatched',
        refunded,
        posted,
        creditNotes,
        difference: cents(refunded - posted),
        differences,
        refunds: refunds.map((x) => x.refundId),
        documents: docs.map((d) => d.documentNumber),
        reconciledAt: state.nowIso(),
      },
    };
  });
}
