import type { Bus } from '../../bus/index.js';
import type { Connectors } from '../../connectors/index.js';
import type { AnyWorkflow } from '../../engine/index.js';
import { type DecisionTable, decisionFor } from '../../rules/index.js';
import { portsFromConnectors } from '../flows/connector-ports.js';
import { type EstateSites, locationsFrom } from '../flows/locations.js';
import { type EstateLike, masterDataFrom } from '../flows/master-data.js';
import { orderFulfilmentFlow, triggerOrderFulfilment } from '../flows/order-fulfilment.js';
import { promotionLaunchFlow, triggerPromotionLaunch } from '../flows/promotion.js';
import { replenishmentFlow, triggerReplenishment } from '../flows/replenishment.js';
import { returnsFlow, triggerReturns } from '../flows/returns.js';
import type { FlowRules } from '../flows/rules.js';
import { transferFlow, triggerTransfer } from '../flows/transfer.js';

/** The estate as plain data: what the flows need to know about sites, items and suppliers. */
export type EstateData = EstateLike & EstateSites;

export interface EstateFlowOptions {
  connectors: Connectors;
  estate: EstateData;
  /** Decision tables by id, `loadDefaultRules()`. */
  rules: ReadonlyMap<string, DecisionTable>;
  /** Real milliseconds per simulated day: the flows' waits and polls scale with it. */
  dayMs: number;
}

export interface EstateFlows {
  workflows: AnyWorkflow[];
  /** Registers every flow's trigger on the bus. */
  triggers(bus: Bus): void;
}

/** Tables in memory as the order, transfer and returns flows read them. */
export function tableRules(tables: ReadonlyMap<string, DecisionTable>): FlowRules {
  return {
    async decision(_ctx, id) {
      const table = tables.get(id);
      if (!table) throw new Error(`no decision table "${id}" is loaded`);
      return decisionFor(table);
    },
  };
}

/**
 * The five reference flows over one estate, with their timers shortened to the estate's pace: a
 * simulated day of `dayMs` real milliseconds, so a supplier's week-long lead time or a day's grace
 * for an ASN pass while someone watches.
 */
export function estateFlows(o: EstateFlowOptions): EstateFlows {
  const ports = portsFromConnectors(o.connectors);
  const rules = tableRules(o.rules);
  const masterData = masterDataFrom(o.estate);
  const hours = (h: number) => Math.max(1, Math.round((o.dayMs * h) / 24));
  const order = orderFulfilmentFlow({
    ports,
    rules,
    backorder: { recheckEvery: hours(4), maxRechecks: 12 },
  });
  const transfer = transferFlow({
    ports,
    rules,
    locations: locationsFrom(o.estate),
    arrivalTimeout: hours(5 * 24),
  });
  const returns = returnsFlow({ ports, rules, returnWindow: hours(14 * 24) });
  const replenishment = replenishmentFlow({
    connectors: o.connectors,
    masterData,
    rules: o.rules,
    pollEvery: hours(6),
    asnGrace: hours(24),
  });
  const promotion = promotionLaunchFlow({
    connectors: o.connectors,
    masterData,
    rules: o.rules,
    replenishment,
    confirmEvery: hours(0.25),
    confirmWithin: hours(2),
  });
  return {
    workflows: [order, transfer, returns, replenishment, promotion],
    triggers(bus) {
      triggerOrderFulfilment(bus, order);
      triggerTransfer(bus, transfer);
      triggerReturns(bus, returns);
      triggerReplenishment(bus, replenishment);
      triggerPromotionLaunch(bus, promotion);
    },
  };
}

/** The workflow names of the five flows, in the order the summaries list them. */
export const FLOW_NAMES = [
  'order.fulfilment',
  'transfer.stock',
  'return.refund-flow',
  'replenishment.procure',
  'promotion.launch',
] as const;
