import type { Bus } from '../../bus/index.js';
import type { OrderCreated } from '../../contracts/index.js';
import { defineWorkflow, type RetryPolicy, type WorkflowContext } from '../../engine/index.js';
import { addDays, cents, contractInput, each, isoDay, money, SYSTEM_RETRY } from './common.js';
import { checkCredit, checkPrices } from './order-checks.js';
import { type OrderDeps, type OrderFacts, type OrderLine, orderFacts } from './order-facts.js';
import { type BackorderPolicy, reserveStock, type StockResult } from './order-stock.js';
import type { PostingLine, RetailPorts } from './ports.js';
import type { FlowRules, WmsPriority } from './rules.js';

export interface OrderFlowOptions {
  ports: RetailPorts;
  rules: FlowRules;
  /** Where an order that names neither a fulfilment location nor a store is served from. */
  defaultLocation?: string;
  retry?: RetryPolicy;
  backorder?: Partial<BackorderPolicy>;
}

/**
 * Order to fulfilment, started by `order.created`: prices and credit checked with the ERP and the
 * rules, stock reserved in the OMS, the reserved lines released to the WMS with the priority the
 * rules give, the customer told through the CRM, the sale posted in the ERP. Exceptions become tasks
 * (pricing, finance or credit control, fulfilment) and every state change is an event.
 */
export function orderFulfilmentFlow(o: OrderFlowOptions) {
  const d: OrderDeps = { ports: o.ports, rules: o.rules, retry: o.retry ?? SYSTEM_RETRY };
  const backorder: BackorderPolicy = { recheckEvery: '4h', maxRechecks: 42, ...o.backorder };
  return defineWorkflow({
    name: 'order.fulfilment',
    version: 1,
    input: contractInput<OrderCreated>('order.created'),
    tags: (order) => ({ orderId: order.orderId, customerId: order.customer.id, channel: order.channel }),
    concurrency: { key: (order) => `order:${order.orderId}` },
    async run(ctx, order) {
      const f = orderFacts(order, o.defaultLocation ?? 'DC-1');
      const lines = await checkPrices(ctx, d, order, f);
      if (!lines) return cancel(ctx, f, 'price-mismatch');
      if (!(await checkCredit(ctx, d, f))) return cancel(ctx, f, 'credit-block');
      const stock = await reserveStock(ctx, d, f, lines, backorder);
      if (stock.outcome === 'cancelled') return cancel(ctx, f, 'short-stock');
      const reserved = reservedLines(lines, stock);
      if (reserved.length === 0)
        return { orderId: f.orderId, status: 'backordered', backordered: stock.backordered };

      const priority = await ctx.decide(await o.rules.decision<WmsPriority>(ctx, 'order-wms-priority'), {
        order: { channel: f.channel, serviceLevel: serviceLevel(order) },
      });
      const picks: string[] = [];
      for (const r of stock.reservations) {
        const pickLines = r.lines.filter((l) => l.reserved > 0).map((l) => ({ sku: l.sku, qty: l.reserved }));
        if (pickLines.length === 0) continue;
        const pick = await ctx.step(
          'release-to-wms',
          (call) =>
            d.ports.wms.pick(
              { orderId: f.orderId, location: r.location, lines: pickLines, priority: priority.wmsPriority },
              call,
            ),
          { retry: d.retry },
        );
        picks.push(pick.taskId);
      }
      await ctx.emit(
        'order.released',
        { orderId: f.orderId, pickTasks: picks, priority: priority.wmsPriority, wave: priority.wave },
        { subject: f.orderId },
      );

      const net = cents(reserved.reduce((s, l) => s + l.qty * l.unitPrice, 0));
      const promised = order.fulfilment.requestedDeliveryDate ?? isoDay(addDays(ctx.now(), 2));
      await ctx.emit(
        'order.confirmed',
        {
          orderId: f.orderId,
          confirmedAt: ctx.now().toISOString(),
          erpDocument: {
            system: 'oms',
            id: stock.reservations[0]!.reservationId!,
            documentType: 'reservation',
          },
          sourceDocument: order.sourceDocument,
          lines: reserved.map((l) => ({
            lineId: l.lineId,
            sku: l.sku,
            confirmedQuantity: each(l.qty),
            sourceLocationId: l.location,
            promisedDate: promised,
          })),
          grandTotal: money(invoiceTotal(order, net), f.currency),
        },
        { subject: f.orderId },
      );
      const later = stock.backordered.map((l) => `${l.qty} × ${l.sku}`).join(', ');
      const notice = await ctx.step(
        'confirm-to-customer',
        (call) =>
          d.ports.crm.notify(
            {
              customerId: f.customerId,
              template: 'order.confirmed',
              subject: `Your order ${f.orderId} is confirmed`,
              message: `We are preparing your order for delivery by ${promised}.${later ? ` Still to come: ${later}.` : ''}`,
              reference: f.orderId,
            },
            call,
          ),
        { retry: d.retry },
      );
      const posting = await ctx.step(
        'post-to-finance',
        (call) =>
          d.ports.erp.post(
            { reference: f.orderId, text: `Sale ${f.orderId}`, lines: saleLines(order, f, net) },
            call,
          ),
        { retry: d.retry },
      );
      await ctx.emit(
        'order.posted',
        {
          orderId: f.orderId,
          documentNumber: posting.documentNumber,
          amount: money(invoiceTotal(order, net), f.currency),
        },
        { subject: f.orderId },
      );
      return {
        orderId: f.orderId,
        status: stock.backordered.length > 0 ? 'confirmed-partially' : 'confirmed',
        stock: stock.outcome,
        reservations: stock.reservations.map((r) => r.reservationId),
        pickTasks: picks,
        customerNotified: notice.sent,
        document: posting.documentNumber,
        backordered: stock.backordered,
      };
    },
  });
}

/** Starts the flow once per order, whatever the number of deliveries of its `order.created`. */
export function triggerOrderFulfilment(bus: Bus, flow: ReturnType<typeof orderFulfilmentFlow>): Bus {
  return bus.trigger('order.created', flow, {
    input: (e) => e.data as OrderCreated,
    key: (e) => (e.data as OrderCreated).orderId,
  });
}

async function cancel(ctx: WorkflowContext, f: OrderFacts, reason: string) {
  await ctx.emit(
    'order.cancelled',
    { orderId: f.orderId, reason, at: ctx.now().toISOString() },
    { subject: f.orderId },
  );
  return { orderId: f.orderId, status: 'cancelled', reason };
}

/** The order lines as reserved, each with where its units come from. */
function reservedLines(lines: OrderLine[], stock: StockResult) {
  return lines.flatMap((l) => {
    const from = stock.reservations.flatMap((r) =>
      r.lines
        .filter((x) => x.sku === l.sku && x.reserved > 0)
        .map((x) => ({ location: r.location, qty: x.reserved })),
    );
    return from.map((x) => ({ ...l, qty: x.qty, location: x.location }));
  });
}

function serviceLevel(order: OrderCreated): string {
  if (order.fulfilment.method === 'pickup-in-store') return 'click-and-collect';
  const by = order.fulfilment.requestedDeliveryDate;
  if (by && Date.parse(by) - Date.parse(order.placedAt) <= 86_400_000 * 1.5) return 'next-day';
  return 'standard';
}

/** The share of tax that goes with the confirmed lines, and all of the shipping. */
function invoiceParts(order: OrderCreated, net: number) {
  const subtotal = Number(order.totals.subtotal.amount);
  const tax = subtotal > 0 ? cents((Number(order.totals.tax.amount) * net) / subtotal) : 0;
  return { tax, shipping: Number(order.totals.shipping.amount) };
}

function invoiceTotal(order: OrderCreated, net: number): number {
  const { tax, shipping } = invoiceParts(order, net);
  return cents(net + tax + shipping);
}

/** Revenue and VAT against the customer's account (on account) or the payment clearing (paid). */
function saleLines(order: OrderCreated, f: OrderFacts, net: number): PostingLine[] {
  const { tax, shipping } = invoiceParts(order, net);
  const onAccount = order.payment.status === 'on-account';
  const lines: PostingLine[] = [
    onAccount
      ? { account: '110000', debit: invoiceTotal(order, net), customerId: f.account }
      : { account: '100000', debit: invoiceTotal(order, net) },
    { account: '400000', credit: cents(net + shipping), text: `Sale ${f.orderId}` },
  ];
  if (tax > 0) lines.push({ account: '175000', credit: tax, text: 'Output VAT' });
  return lines;
}
