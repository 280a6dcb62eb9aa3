import { Type } from '@sinclair/typebox';
import { ApplicationFailure, NotFoundError, type ValidationIssue } from '../../core/index.js';
import type { SimContext } from '../context.js';
import { promotionalPrice } from '../estate.js';
import type { SystemRoutes } from '../http.js';
import type { Channel } from '../model.js';
import { cents } from '../random.js';
import { parse } from '../validate.js';
import { postingRoutes } from './erp-postings.js';
import { stockRoutes } from './erp-stock.js';
import { ChannelSchema, closed, dayOf, Id, IsoDate, Money, Qty, rejection, requireKnown } from './schemas.js';

const ValidateOrder = closed({
  orderId: Type.Optional(Id),
  customerId: Id,
  channel: ChannelSchema,
  storeId: Type.Optional(Id),
  orderDate: Type.Optional(IsoDate),
  currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
  lines: Type.Array(closed({ sku: Id, qty: Qty, unitPrice: Money }), { minItems: 1, maxItems: 1000 }),
});

const CreditCheck = closed({
  customerId: Id,
  amount: Type.Number({ exclusiveMinimum: 0, maximum: 100_000_000 }),
  currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
  orderId: Type.Optional(Id),
});

const PriceQuery = closed({
  channel: Type.Optional(ChannelSchema),
  date: Type.Optional(IsoDate),
  store: Type.Optional(Id),
});

/** The price the price list sets for a SKU on a channel and day, with the promotion behind it. */
export function listPrice(ctx: SimContext, sku: string, channel: Channel, date: string, region?: string) {
  const item = ctx.index.skus.get(sku);
  if (!item) throw new NotFoundError('SKU', sku);
  const promotion = ctx.index.activePromotion(sku, channel, date, region);
  const list = item.prices[channel];
  return { list, price: promotion ? promotionalPrice(list, promotion) : list, promotion };
}

function checkCurrency(ctx: SimContext, currency: string | undefined): void {
  if (currency !== undefined && currency !== ctx.index.estate.currency)
    throw rejection('currency-mismatch', [
      {
        path: '/currency',
        message: `the company code books in ${ctx.index.estate.currency}, not ${currency}`,
      },
    ]);
}

/**
 * The ERP: the master of prices, customers' credit and stock. It refuses what a real ERP refuses
 * (an unknown customer or SKU, a price that is not on the price list, credit beyond the limit,
 * stock that would go negative) and numbers its documents in SAP-like ranges.
 */
export function erpRoutes(r: SystemRoutes, ctx: SimContext): void {
  const { index, state } = ctx;

  r.post('/sales-orders/validate', ValidateOrder, (body) => {
    requireKnown(index, [
      { path: '/customerId', kind: 'customer', id: body.customerId },
      ...(body.storeId ? [{ path: '/storeId', kind: 'store' as const, id: body.storeId }] : []),
      ...body.lines.map((l, i) => ({ path: `/lines/${i}/sku`, kind: 'sku' as const, id: l.sku })),
    ]);
    checkCurrency(ctx, body.currency);
    const date = dayOf(body.orderDate, ctx.clock.now());
    const region = body.storeId
      ? index.stores.get(body.storeId)?.region
      : index.customers.get(body.customerId)?.region;
    const issues: ValidationIssue[] = [];
    const mismatches: Array<{ line: number; sku: string; expected: number; got: number }> = [];
    const lines = body.lines.map((l, i) => {
      const p = listPrice(ctx, l.sku, body.channel, date, region);
      if (Math.abs(l.unitPrice - p.price) > ctx.timing.priceTolerance + 1e-9) {
        issues.push({
          path: `/lines/${i}/unitPrice`,
          message: `${l.unitPrice} does not match the ${body.channel} price list: ${p.price}${p.promotion ? ` (${p.promotion.id})` : ''} on ${date}`,
        });
        mismatches.push({ line: i, sku: l.sku, expected: p.price, got: l.unitPrice });
      }
      return {
        sku: l.sku,
        qty: l.qty,
        unitPrice: l.unitPrice,
        listPrice: p.price,
        promotionId: p.promotion?.id,
      };
    });
    if (issues.length > 0)
      throw rejection('price-mismatch', issues, { mismatches, tolerance: ctx.timing.priceTolerance });
    return {
      body: {
        valid: true,
        orderId: body.orderId,
        customerId: body.customerId,
        channel: body.channel,
        pricingDate: date,
        currency: index.estate.currency,
        lines,
        netAmount: cents(lines.reduce((s, l) => s + l.qty * l.unitPrice, 0)),
      },
    };
  });

  r.get('/prices/:sku', (req) => {
    const { sku } = req.params as { sku: string };
    const q = parse(PriceQuery, req.query, 'query');
    const channel = q.channel ?? 'store';
    const date = dayOf(q.date, ctx.clock.now());
    if (q.store !== undefined && !index.stores.has(q.store)) throw new NotFoundError('store', q.store);
    const region = q.store ? index.stores.get(q.store)?.region : undefined;
    const p = listPrice(ctx, sku, channel, date, region);
    return {
      sku,
      channel,
      date,
      currency: index.estate.currency,
      listPrice: p.list,
      price: p.price,
      ...(p.promotion
        ? {
            promotion: {
              id: p.promotion.id,
              discountPct: p.promotion.discountPct,
              start: p.promotion.start,
              end: p.promotion.end,
              regions: p.promotion.regions,
            },
          }
        : {}),
    };
  });

  r.post('/credit-checks', CreditCheck, (body) => {
    const customer = index.customers.get(body.customerId);
    if (!customer)
      throw rejection('unknown-master-data', [
        { path: '/customerId', message: `unknown customer ${body.customerId}` },
      ]);
    checkCurrency(ctx, body.currency);
    const exposure = state.exposure(customer.id);
    const available = cents(customer.creditLimit - exposure);
    const figures = {
      customerId: customer.id,
      creditLimit: customer.creditLimit,
      exposure,
      available,
      requested: body.amount,
    };
    if (body.amount > available)
      throw ApplicationFailure.nonRetryable(
        `credit limit exceeded for ${customer.id}: ${body.amount} requested, ${Math.max(0, available)} available (limit ${customer.creditLimit}, exposure ${exposure})`,
        'credit-limit-exceeded',
        figures,
      );
    return {
      status: 201,
      body: {
        checkId: state.numbers.nextId('CRC', 7),
        approved: true,
        orderId: body.orderId,
        ...figures,
        checkedAt: state.nowIso(),
      },
    };
  });

  r.get('/customers/:id', (req) => {
    const { id } = req.params as { id: string };
    const c = index.customers.get(id);
    if (!c) throw new NotFoundError('customer', id);
    const exposure = state.exposure(id);
    return { ...c, exposure, available: cents(c.creditLimit - exposure) };
  });

  stockRoutes(r, ctx);
  postingRoutes(r, ctx);
}
