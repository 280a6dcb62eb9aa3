import type { DecisionLogic, WorkflowContext } from '../../engine/index.js';
import { activeDecision, type DecisionTable, decisionFor, loadDefaultRules } from '../../rules/index.js';
import type { Store } from '../../store/index.js';

/**
 * Where the flows' decision tables come from. Either way every outcome is journalled by
 * `ctx.decide` (table id and version, facts, matched rules, outputs), so a run keeps deciding with
 * the rules it started on even when they change while it waits.
 */
export interface FlowRules {
  decision<O>(ctx: WorkflowContext, id: string, region?: string): Promise<DecisionLogic<O>>;
}

/** The tables in `rules/*.dmn` (or another folder), read once. */
export async function fileRules(dir?: string): Promise<FlowRules> {
  return tableRules(await loadDefaultRules(dir), 'the rules folder');
}

/** Tables already loaded (`loadDefaultRules()`, or tables a test builds), by decision id. */
export function tableRules(
  tables: ReadonlyMap<string, DecisionTable>,
  from = 'the loaded tables',
): FlowRules {
  const logic = new Map<string, DecisionLogic<unknown>>();
  return {
    async decision<O>(_ctx: WorkflowContext, id: string) {
      let l = logic.get(id);
      if (!l) {
        const table = tables.get(id);
        if (!table) throw new Error(`no decision table "${id}" in ${from}`);
        l = decisionFor(table);
        logic.set(id, l);
      }
      return l as DecisionLogic<O>;
    },
  };
}

/** `FlowRules` as given, or loaded tables wrapped as `tableRules`. */
export const asFlowRules = (rules: FlowRules | ReadonlyMap<string, DecisionTable>): FlowRules =>
  rules instanceof Map ? tableRules(rules) : (rules as FlowRules);

/**
 * The governed rule sets on the database: the active version (with the region's approved override).
 * Reading it is I/O, so it happens in a step and the journal keeps the table the run decided with.
 */
export function governedRules(store: Store): FlowRules {
  return {
    async decision<O>(ctx: WorkflowContext, id: string, region?: string) {
      const table = await ctx.step<DecisionTable>(`rules:${id}${region ? `@${region}` : ''}`, () =>
        activeDecision(store, id, region ? { region } : {}),
      );
      return decisionFor<O>(table);
    },
  };
}

// The outputs of the tables the flows decide with (rules/order-fulfilment.dmn,
// rules/transfer-policy.dmn, rules/return-policy.dmn, rules/wms-priorities.dmn, rules/promotion.dmn,
// rules/replenishment.dmn).

export interface PriceTolerance {
  action: 'accept-order-price' | 'accept-erp-price' | 'pricing-review';
  taskRole: string | null;
}
export interface CreditRouting {
  route: 'release' | 'finance-review' | 'hold';
  taskRole: string | null;
  dueIn: string | null;
}
export interface ApprovalLimits {
  approval: 'auto' | 'manager' | 'finance';
  approverRole: string | null;
}
export interface WmsPriority {
  wmsPriority: number;
  wave: 'immediate' | 'next-wave' | 'daily';
}
export interface TransferApproval {
  approval: 'auto-approve' | 'store-operations';
  reason: string;
  dueIn: string | null;
}
export interface ReturnAuthorisation {
  disposition: 'approve' | 'inspect' | 'reject';
  refundMethod: 'original-payment' | 'store-credit' | 'none';
  restock: boolean;
}
export interface AutoRefund {
  autoRefund: boolean;
  reviewRole: string | null;
}
export interface MarginFloor {
  decision: 'approve' | 'finance-approval' | 'reject';
  financeAlert: boolean;
}
export type FinanceAlerts = Array<{ alert: string; recipient: string }>;
export interface ReorderPolicy {
  safetyDays: number;
  reorderPoint: number;
  orderQuantity: number;
  reviewCycle: string;
}
