import type { OrderCreated } from '../../contracts/index.js';
import type { RetryPolicy, WorkflowContext } from '../../engine/index.js';
import { amountOf, ruleChannel } from './common.js';
import type { PricedLine, RetailPorts } from './ports.js';
import type { FlowRules } from './rules.js';

/** What the order flow's steps share: the systems, the rules and how system calls retry. */
export interface OrderDeps {
  ports: RetailPorts;
  rules: FlowRules;
  retry: RetryPolicy;
}

export interface OrderLine extends PricedLine {
  lineId: string;
}

/** The order as the checks read it: amounts as numbers, channels as the ERP and the rules name them. */
export interface OrderFacts {
  orderId: string;
  /** The ERP sold-to account; the CRM id when the order names none. */
  account: string;
  customerId: string;
  channel: 'pos' | 'web' | 'b2b';
  currency: string;
  total: number;
  location: string;
  lines: OrderLine[];
}

export function orderFacts(order: OrderCreated, defaultLocation: string): OrderFacts {
  return {
    orderId: order.orderId,
    account: order.customer.erpAccount ?? order.customer.id,
    customerId: order.customer.id,
    channel: ruleChannel(order.channel),
    currency: order.totals.grandTotal.currency,
    total: amountOf(order.totals.grandTotal),
    location: order.fulfilment.locationId ?? order.storeId ?? defaultLocation,
    lines: order.lines.map((l) => ({
      lineId: l.lineId,
      sku: l.sku,
      qty: l.quantity.value,
      unitPrice: amountOf(l.unitPrice),
    })),
  };
}

type Severity = 'low' | 'medium' | 'high' | 'critical';
type Reason = 'price-mismatch' | 'credit-block' | 'short-stock';

/** `order.exception_raised`: an order now needs a person, and whose inbox it is in. */
export function raiseException(
  ctx: WorkflowContext,
  f: OrderFacts,
  e: { reason: Reason; severity: Severity; message: string; role: string; details?: Record<string, string> },
): Promise<void> {
  const { reason, severity, message, role, details } = e;
  const data = {
    orderId: f.orderId,
    raisedAt: ctx.now().toISOString(),
    reason,
    severity,
    message: message.slice(0, 500),
    assignedRole: role,
    ...(details ? { details } : {}),
  };
  return ctx.emit('order.exception_raised', data, { subject: f.orderId });
}
