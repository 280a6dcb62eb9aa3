import type { RetryPolicy, WorkflowContext } from '../../engine/index.js';
import { type ErpSystem, money } from './common.js';
import type { RefundMethod, RetailPorts } from './ports.js';
import type { ReturnRequested } from './returns-events.js';
import type { AutoRefund, FlowRules } from './rules.js';

/**
 * The refund of a received return: automatic within the refund limits, else a person (returns
 * inspection for goods that needed checking, customer service above the limits); then the credit
 * memo in the ERP, the payment by finance and the reconciliation of the two. The credit memo is
 * reversed if the payment fails for good, so the books never show a refund nobody received.
 */
export async function refundReturn(
  ctx: WorkflowContext,
  o: { ports: RetailPorts; rules: FlowRules; retry: RetryPolicy; erpSystem?: ErpSystem },
  r: ReturnRequested,
  s: { amount: number; method: RefundMethod; inspect: boolean; tier: string },
) {
  const id = r.returnId;
  const { erp, finance } = o.ports;
  const limits = await o.rules.decision<AutoRefund>(ctx, 'return-auto-refund');
  const auto = await ctx.decide(limits, {
    disposition: s.inspect ? 'inspect' : 'approve',
    customer: { tier: s.tier },
    returnRequest: { amount: s.amount },
  });
  let approvedBy = 'rule:return-auto-refund';
  if (!auto.autoRefund || s.amount <= 0) {
    const review = await ctx.task({
      kind: s.inspect ? 'inspection' : 'approval',
      title: `${s.inspect ? 'Inspect and refund' : 'Approve the refund of'} return ${id}: ${s.amount} ${r.currency}`,
      role: auto.reviewRole ?? 'customer-service',
      data: {
        returnId: id,
        orderId: r.orderId,
        amount: s.amount,
        method: s.method,
        tier: s.tier,
        lines: r.lines,
      },
      outcomes: s.amount > 0 ? ['refund', 'decline'] : ['decline'],
      dueIn: '1d',
      escalateTo: 'customer-service-lead',
    });
    if (review.outcome === 'decline') {
      await ctx.emit(
        'return.declined',
        { returnId: id, orderId: r.orderId, by: review.by, at: ctx.now().toISOString() },
        { subject: id },
      );
      return { status: 'declined' as const, by: review.by, amount: 0 };
    }
    approvedBy = review.by;
  }

  // both refund methods leave the money account here; a store-credit liability is the shop's to book
  const memoLines = (reverse: boolean) => [
    { account: '410000', ...(reverse ? { credit: s.amount } : { debit: s.amount }), text: `Return ${id}` },
    { account: '100000', ...(reverse ? { debit: s.amount } : { credit: s.amount }) },
  ];
  const memo = await ctx.step(
    'post-credit-memo',
    (call) =>
      erp.post({ reference: id, text: `Credit memo for return ${id}`, lines: memoLines(false) }, call),
    {
      retry: o.retry,
      compensate: (m, call) =>
        erp.post(
          { reference: id, text: `Reversal of ${m.documentNumber}: refund not paid`, lines: memoLines(true) },
          call,
        ),
    },
  );
  const refund = await ctx.step(
    'refund',
    (call) =>
      finance.refund(
        { returnId: id, orderId: r.orderId, customerId: r.customerId, amount: s.amount, method: s.method },
        call,
      ),
    { retry: o.retry },
  );
  await ctx.emit(
    'return.refunded',
    {
      returnId: id,
      orderId: r.orderId,
      refundedAt: ctx.now().toISOString(),
      amount: money(s.amount, r.currency),
      method: s.method,
      paymentReference: refund.refundId,
      erpDocument: { system: o.erpSystem ?? 'sap-s4', id: memo.documentNumber, documentType: 'credit-memo' },
    },
    { subject: id },
  );
  const rec = await ctx.step(
    'reconcile',
    (call) => finance.reconcile({ reference: id, expectedAmount: s.amount }, call),
    { retry: o.retry },
  );
  if (rec.status !== 'matched')
    await ctx.task({
      kind: 'exception',
      title: `Refund of ${id} does not reconcile: ${rec.differences.join('; ')}`,
      role: 'finance',
      data: { returnId: id, reconciliationId: rec.reconciliationId, differences: rec.differences },
      outcomes: ['resolved'],
      dueIn: '2d',
      escalateTo: 'finance-lead',
    });
  await ctx.emit(
    'return.reconciled',
    {
      returnId: id,
      reconciliationId: rec.reconciliationId,
      status: rec.status,
      differences: rec.differences,
    },
    { subject: id },
  );
  return {
    status: 'refunded' as const,
    approvedBy,
    amount: s.amount,
    refundId: refund.refundId,
    creditMemo: memo.documentNumber,
    reconciliation: rec.status,
  };
}
