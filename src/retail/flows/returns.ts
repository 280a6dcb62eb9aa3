import type { Bus } from '../../bus/index.js';
import type { Duration } from '../../core/index.js';
import { defineWorkflow, type RetryPolicy } from '../../engine/index.js';
import { addDays, cents, type ErpSystem, each, erpChannel, money, SYSTEM_RETRY } from './common.js';
import type { CustomerAccount, RetailPorts } from './ports.js';
import { type ReturnArrived, type ReturnRequested, ReturnRequestedSchema } from './returns-events.js';
import { receiveReturn } from './returns-receipt.js';
import { refundReturn } from './returns-refund.js';
import type { FlowRules, ReturnAuthorisation } from './rules.js';

export interface ReturnsFlowOptions {
  ports: RetailPorts;
  rules: FlowRules;
  retry?: RetryPolicy;
  /** How long an authorised return stays open for the goods to arrive. */
  returnWindow?: Duration;
  /** The loyalty tier the refund limits use; the estate has none, so trade accounts count as members. */
  tierOf?: (account: CustomerAccount) => 'standard' | 'member' | 'vip';
  erpSystem?: ErpSystem;
}

/**
 * Returns and refunds, started by `return.requested`: each line authorised by the return policy,
 * `return.authorized` published and the customer told; the parcel counted in at the warehouse and
 * given a disposition (undamaged, resaleable units go back into stock); the refund decided by the
 * automatic refund limits or by a person, paid by finance, posted as a credit memo and reconciled.
 * Every status is an event and a CRM message, so customer service sees where a return is.
 */
export function returnsFlow(o: ReturnsFlowOptions) {
  const retry = o.retry ?? SYSTEM_RETRY;
  const tierOf = o.tierOf ?? ((a: CustomerAccount) => (a.kind === 'trade' ? 'member' : 'standard'));
  return defineWorkflow({
    name: 'return.refund-flow',
    version: 1,
    input: ReturnRequestedSchema,
    tags: (r) => ({ returnId: r.returnId, orderId: r.orderId, customerId: r.customerId }),
    concurrency: { key: (r) => `return:${r.returnId}` },
    async run(ctx, r) {
      const id = r.returnId;
      const tell = (template: string, subject: string, message: string) =>
        ctx.step(
          `tell-customer:${template}`,
          (call) =>
            o.ports.crm.notify({ customerId: r.customerId, template, subject, message, reference: id }, call),
          { retry },
        );
      const daysSincePurchase = Math.floor((ctx.now().getTime() - Date.parse(r.purchasedAt)) / 86_400_000);
      const policy = await o.rules.decision<ReturnAuthorisation>(ctx, 'return-authorisation');
      const verdicts: ReturnAuthorisation[] = [];
      for (const l of r.lines)
        verdicts.push(
          await ctx.decide(policy, {
            returnRequest: {
              daysSincePurchase,
              condition: l.condition,
              category: l.category,
              channel: erpChannel(r.channel),
            },
          }),
        );
      const accepted = r.lines
        .map((l, i) => ({ ...l, verdict: verdicts[i]! }))
        .filter((l) => l.verdict.disposition !== 'reject');
      if (accepted.length === 0) {
        await ctx.emit(
          'return.rejected',
          { returnId: id, orderId: r.orderId, daysSincePurchase, at: ctx.now().toISOString() },
          { subject: id },
        );
        await tell(
          'return.rejected',
          `Return ${id}`,
          'We are sorry: these items cannot be returned under our return policy.',
        );
        return { returnId: id, status: 'rejected' };
      }
      const refundMethod = accepted.some((l) => l.verdict.refundMethod === 'store-credit')
        ? 'store-credit'
        : 'original-payment';
      const expected = cents(accepted.reduce((s, l) => s + l.quantity * l.unitPrice, 0));
      const expiresAt = addDays(ctx.now(), 14);
      await ctx.emit(
        'return.authorized',
        {
          returnId: id,
          orderId: r.orderId,
          channel: r.channel,
          sourceDocument: { system: 'baton', id, documentType: 'return' },
          authorizedAt: ctx.now().toISOString(),
          expiresAt: expiresAt.toISOString(),
          customerId: r.customerId,
          method: r.method,
          returnLocationId: r.returnLocationId,
          refundMethod,
          lines: accepted.map((l) => ({ sku: l.sku, quantity: each(l.quantity), reason: l.reason })),
          expectedRefund: money(expected, r.currency),
        },
        { subject: id },
      );
      await tell(
        'return.authorized',
        `Your return ${id} is authorised`,
        `Please send it to us by ${expiresAt.toISOString().slice(0, 10)}.`,
      );

      const arrived = await ctx.waitForEvent<ReturnArrived>('return.arrived', {
        match: { returnId: id },
        timeout: o.returnWindow ?? '14d',
      });
      if (!arrived) {
        await ctx.emit(
          'return.expired',
          { returnId: id, orderId: r.orderId, at: ctx.now().toISOString() },
          { subject: id },
        );
        await tell(
          'return.expired',
          `Return ${id} has expired`,
          'We did not receive the goods within the return window.',
        );
        return { returnId: id, status: 'expired' };
      }
      const received = await receiveReturn(ctx, o.ports, retry, r, accepted, arrived.data);
      const account = await ctx.step('read-customer', (call) => o.ports.erp.customer(r.customerId, call), {
        retry,
      });
      const refund = await refundReturn(ctx, { ...o, retry }, r, {
        amount: received.refundable,
        method: refundMethod,
        inspect: accepted.some((l) => l.verdict.disposition === 'inspect'),
        tier: tierOf(account),
      });
      if (refund.status === 'refunded')
        await tell(
          'return.refunded',
          `Your refund for ${id}`,
          `We refunded ${refund.amount} ${r.currency} (${refundMethod}).`,
        );
      else
        await tell(
          'return.declined',
          `Your return ${id}`,
          'After checking the goods we cannot refund this return.',
        );
      return { returnId: id, receipt: received.receiptId, ...refund };
    },
  });
}

/** Starts the flow once per return id. */
export function triggerReturns(bus: Bus, flow: ReturnType<typeof returnsFlow>): Bus {
  return bus.trigger('return.requested', flow, {
    input: (e) => e.data as ReturnRequested,
    key: (e) => (e.data as ReturnRequested).returnId,
  });
}
