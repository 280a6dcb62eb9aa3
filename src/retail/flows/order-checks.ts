import type { OrderCreated } from '../../contracts/index.js';
import type { WorkflowContext } from '../../engine/index.js';
import { cents, erpChannel, isoDay } from './common.js';
import { type OrderDeps, type OrderFacts, type OrderLine, raiseException } from './order-facts.js';
import type { ApprovalLimits, CreditRouting, PriceTolerance } from './rules.js';
/**
 * Prices against the ERP's price list. The tolerance table says whether a difference is honoured,
 * corrected to the list price, or goes to pricing. Returns the lines at the prices to invoice, or
 * null when pricing cancels the order.
 */
export async function checkPrices(
  ctx: WorkflowContext,
  d: OrderDeps,
  order: OrderCreated,
  f: OrderFacts,
): Promise<OrderLine[] | null> {
  const check = await ctx.step(
    'validate-price',
    (call) =>
      d.ports.erp.validatePrices(
        {
          orderId: f.orderId,
          customerId: f.account,
          channel: erpChannel(order.channel),
          ...(order.storeId?.startsWith('ST-') ? { storeId: order.storeId } : {}),
          orderDate: isoDay(new Date(order.placedAt)),
          lines: f.lines.map(({ sku, qty, unitPrice }) => ({ sku, qty, unitPrice })),
        },
        call,
      ),
    { retry: d.retry },
  );
  const mismatches = check.ok ? [] : check.mismatches;
  const listed = f.lines.reduce(
    (s, l, i) => s + l.qty * (mismatches.find((m) => m.line === i)?.expected ?? l.unitPrice),
    0,
  );
  const varianceAmount = cents(
    mismatches.reduce((s, m) => s + Math.abs(m.got - m.expected) * f.lines[m.line]!.qty, 0),
  );
  const variancePct = listed > 0 ? cents((varianceAmount / listed) * 100) : 0;
  const tolerance = await d.rules.decision<PriceTolerance>(ctx, 'order-price-tolerance');
  let { action, taskRole } = await ctx.decide(tolerance, {
    order: { channel: f.channel },
    priceCheck: { variancePct, varianceAmount },
  });
  if (action === 'pricing-review') {
    const first = mismatches[0];
    const role = taskRole ?? 'pricing';
    const message = `${mismatches.length} line(s) differ from the price list by ${varianceAmount} ${f.currency} (${variancePct}%)`;
    await raiseException(ctx, f, {
      reason: 'price-mismatch',
      severity: variancePct > 10 ? 'high' : 'medium',
      message,
      role,
      ...(first
        ? { details: { sku: first.sku, erpPrice: String(first.expected), chargedPrice: String(first.got) } }
        : {}),
    });
    const review = await ctx.task({
      kind: 'exception',
      title: `Price mismatch on ${f.orderId}: ${message}`,
      role,
      data: { orderId: f.orderId, mismatches, variancePct, varianceAmount },
      outcomes: ['accept-order-price', 'accept-erp-price', 'cancel-order'],
      dueIn: '2h',
      escalateTo: 'pricing-lead',
    });
    if (review.outcome === 'cancel-order') return null;
    action = review.outcome as PriceTolerance['action'];
  }
  if (action !== 'accept-erp-price') return f.lines;
  return f.lines.map((l, i) => ({
    ...l,
    unitPrice: mismatches.find((m) => m.line === i)?.expected ?? l.unitPrice,
  }));
}

/**
 * Credit: the ERP's check, a risk score, the routing it leads to and the approval limits of the
 * channel. A refusal by the ERP is a credit block for finance; a risky order goes to the role the
 * routing names; a large one to its approver. True when the order may go on.
 */
export async function checkCredit(ctx: WorkflowContext, d: OrderDeps, f: OrderFacts): Promise<boolean> {
  const { erp } = d.ports;
  const account = await ctx.step('read-customer', (call) => erp.customer(f.account, call), {
    retry: d.retry,
  });
  const credit = await ctx.step(
    'check-credit',
    (call) => erp.checkCredit({ customerId: f.account, amount: f.total, orderId: f.orderId }, call),
    { retry: d.retry },
  );
  // the estate keeps no payment history, so nothing is overdue; a retailer reads it from the ledger
  const segment = account.kind === 'trade' ? 'trade' : 'retail';
  const utilisationPct =
    account.creditLimit > 0 ? cents(((account.exposure + f.total) / account.creditLimit) * 100) : 999;
  const risk = await d.rules.decision<number | null>(ctx, 'order-risk-score');
  const riskScore =
    (await ctx.decide(risk, {
      customer: { segment },
      order: { channel: f.channel },
      credit: { utilisationPct, daysOverdue: 0 },
    })) ?? 0;
  const routing = await ctx.decide(await d.rules.decision<CreditRouting>(ctx, 'credit-routing'), {
    riskScore,
    customer: { segment },
    order: { total: f.total },
  });
  const limits = await ctx.decide(await d.rules.decision<ApprovalLimits>(ctx, 'order-approval-limits'), {
    order: { channel: f.channel, total: f.total },
  });

  if (!credit.approved || routing.route !== 'release') {
    const blocked = !credit.approved;
    const role = blocked ? 'finance' : (routing.taskRole ?? 'finance');
    const message = blocked
      ? `The ERP refused credit for ${f.total} ${f.currency}: ${credit.available} available`
      : `Risk score ${riskScore} routes the order to ${routing.route}`;
    await raiseException(ctx, f, {
      reason: 'credit-block',
      severity: blocked || routing.route === 'hold' ? 'high' : 'medium',
      message,
      role,
      details: { available: String(credit.available), riskScore: String(riskScore) },
    });
    const review = await ctx.task({
      kind: 'exception',
      title: `Credit block on ${f.orderId} for ${f.account}: ${message}`,
      role,
      data: {
        orderId: f.orderId,
        total: f.total,
        available: credit.available,
        riskScore,
        route: routing.route,
      },
      outcomes: ['release', 'reject'],
      dueIn: blocked ? '4h' : (routing.dueIn ?? '4h'),
      escalateTo: 'finance-lead',
    });
    if (review.outcome === 'reject') return false;
  }
  if (limits.approval !== 'auto') {
    const approval = await ctx.task({
      kind: 'approval',
      title: `Approve order ${f.orderId} of ${f.total} ${f.currency} (${limits.approval} approval)`,
      role: limits.approverRole ?? limits.approval,
      data: { orderId: f.orderId, total: f.total, channel: f.channel },
      outcomes: ['approve', 'reject'],
      dueIn: '4h',
      escalateTo: 'finance-lead',
    });
    if (approval.outcome === 'reject') return false;
  }
  return true;
}
