/**
 * Replenishment and procurement, started by `inventory.threshold_breached` (or the same request
 * from a forecast, or a promotion's DC shortfall): the reorder policy (rules/replenishment.dmn)
 * sets the quantity, a purchase order goes to the supplier as an X12 850, and the run follows it
 * through the 855, the 856 and the receipt to the 810. A rejected or late order moves to an
 * alternate supplier when procurement says so; a short delivery may be reordered or refused
 * (refusing it returns the booked goods: the receipt's compensation).
 */
import type { Bus } from '../../bus/index.js';
import type { Connectors } from '../../connectors/index.js';
import type { Duration } from '../../core/index.js';
import { defineWorkflow } from '../../engine/index.js';
import type { DecisionTable } from '../../rules/index.js';
import { portsFromConnectors } from './connector-ports.js';
import type { MasterData } from './master-data.js';
import { WEB_SHARE } from './promotion-model.js';
import {
  orderQuantity,
  poNumberFor,
  ReplenishmentInput,
  type ReplenishmentRequest,
} from './replenishment-input.js';
import { type Procured, procure } from './replenishment-procure.js';
import { supplierSide } from './replenishment-supplier.js';
import { asFlowRules, type FlowRules, type ReorderPolicy } from './rules.js';

export interface ReplenishmentFlowOptions {
  connectors: Connectors;
  masterData: MasterData;
  /**
   * Where `reorder-policy` (rules/replenishment.dmn) comes from: `fileRules()`, or
   * `governedRules(store)` for the published versions and the location's regional override.
   * Tables already loaded by id (`loadDefaultRules()`) are read as `tableRules`.
   */
  rules: FlowRules | ReadonlyMap<string, DecisionTable>;
  pollEvery?: Duration;
  asnGrace?: Duration;
}

/** A request is answered by at most this many purchase orders (alternates and reorders included). */
const MAX_ORDERS = 3;

export function replenishmentFlow(o: ReplenishmentFlowOptions) {
  const rules = asFlowRules(o.rules);
  const side = supplierSide(o.connectors, o.masterData);
  const { erp } = portsFromConnectors(o.connectors);
  const timing = { pollEvery: o.pollEvery ?? '6h', asnGrace: o.asnGrace ?? '1d' };

  return defineWorkflow({
    name: 'replenishment.procure',
    version: 1,
    input: ReplenishmentInput,
    tags: (r) => ({ sku: r.sku, locationId: r.locationId }),
    concurrency: { key: (r) => `replenish:${r.locationId}:${r.sku}` },
    async run(ctx, req: ReplenishmentRequest) {
      // planning data changes; the journal keeps what this run ordered on
      const item = await ctx.step('load-item', () => itemFacts(o.masterData, req));
      const policyOf = await rules.decision<ReorderPolicy>(ctx, 'reorder-policy', item.region);
      const policy = await ctx.decide(policyOf, {
        item: { abcClass: item.abc, leadTimeDays: item.leadTimeDays, dailyDemand: item.dailyDemand },
      });
      let qty = orderQuantity(policy, req.available.value, req.quantity, item.packSize);
      if (qty === 0)
        return { status: 'not-needed', available: req.available.value, reorderPoint: policy.reorderPoint };

      let supplierId = req.supplierId ?? item.supplierId;
      const orders: Procured[] = [];
      while (qty > 0 && orders.length < MAX_ORDERS) {
        const facts = {
          poNumber: poNumberFor(req, orders.length),
          supplierId,
          locationId: req.locationId,
          sku: req.sku,
          qty,
          issuedAt: ctx.now(),
          reason: req.reason ?? ('replenishment' as const),
        };
        const r = await procure(ctx, side, erp, o.masterData, facts, timing);
        orders.push(r);
        if (r.outcome === 'cancelled') break;
        if (r.outcome === 'switch-supplier') {
          if (!r.supplierId) break;
          supplierId = r.supplierId;
        } else qty = r.remainder;
      }
      const last = orders.at(-1);
      const received = orders.reduce((s, r) => s + (r.outcome === 'received' ? r.received : 0), 0);
      const status =
        last?.outcome === 'received'
          ? 'received'
          : last?.outcome === 'cancelled'
            ? 'cancelled'
            : 'unfulfilled';
      return { status, policy, received, orders };
    },
  });
}

/** What the reorder policy needs, and the item's supplier. A DC's demand is that of the stores it serves. */
function itemFacts(md: MasterData, req: ReplenishmentRequest) {
  const item = md.item(req.sku);
  if (!item) throw new Error(`unknown item ${req.sku}`);
  const supplier = md.supplier(item.supplierId);
  const stores = md.stores();
  const store = stores.find((s) => s.id === req.locationId);
  const footfall = store
    ? store.sizeFactor
    : stores.filter((s) => s.dcId === req.locationId).reduce((sum, s) => sum + s.sizeFactor, 0) *
      (1 + WEB_SHARE);
  return {
    // the region whose override of the reorder policy applies: a store's, or a DC's when it serves one
    ...regionOf(md, req.locationId, store?.region),
    abc: item.abc,
    packSize: item.packSize,
    supplierId: item.supplierId,
    leadTimeDays: supplier?.leadTimeDays ?? 7,
    dailyDemand: Math.round(item.velocity * footfall * 100) / 100,
  };
}

function regionOf(md: MasterData, locationId: string, storeRegion: string | undefined) {
  if (storeRegion) return { region: storeRegion };
  const regions = md.dcs().find((d) => d.id === locationId)?.regions ?? [];
  return regions.length === 1 ? { region: regions[0]! } : {};
}

/** Starts a replenishment run once per breach (location, SKU and time of detection). */
export function triggerReplenishment(bus: Bus, flow: ReturnType<typeof replenishmentFlow>): Bus {
  return bus.trigger('inventory.threshold_breached', flow, {
    input: (e) => e.data as ReplenishmentRequest,
    key: (e) => {
      const d = e.data as ReplenishmentRequest;
      return `${d.locationId}:${d.sku}:${d.detectedAt}`;
    },
  });
}
