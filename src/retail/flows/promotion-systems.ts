/**
 * What the promotion flow asks of the estate, each through its connector and inside a step (the
 * caller passes the step's info, so the idempotency key is forwarded; a call that makes several
 * requests suffixes the key per request, so a retried step repeats each one exactly once).
 */

import {
  type Connectors,
  ecommerceConnector,
  erpConnector,
  financeConnector,
  posConnector,
  wmsConnector,
} from '../../connectors/index.js';
import type { StepInfo } from '../../engine/index.js';
import { portsFromConnectors } from './connector-ports.js';
import type { MasterData } from './master-data.js';
import type { Line, StockAt } from './promotion-model.js';

export interface PromoItem {
  sku: string;
  regular: number;
  promo: number;
  upliftPct?: number;
}

export interface Excluded {
  sku: string;
  reason: 'unknown-item' | 'not-ranged' | 'below-cost' | 'regular-price-differs';
}

/** The e-commerce platform's sales channel for each contract channel it serves. */
export const WEB_TARGETS = { web: 'webshop', 'mobile-app': 'app', marketplace: 'marketplace' } as const;
export type WebTarget = (typeof WEB_TARGETS)[keyof typeof WEB_TARGETS];

export interface PriceUpdates {
  pos?: string;
  ecommerce?: string;
  webTargets: WebTarget[];
}

export interface Confirmation {
  system: 'pos' | 'ecommerce';
  updateId: string;
  applied: number;
  /** Stores or channels that have not applied the prices, or every one when the system did not answer. */
  pending: string[];
  reachable: boolean;
}

const keyed = (info: StepInfo, part: string) => ({
  ...info,
  idempotencyKey: `${info.idempotencyKey}:${part}`,
});

export function promotionSystems(connectors: Connectors, md: MasterData) {
  const erp = connectors.client(erpConnector);
  const pos = connectors.client(posConnector);
  const web = connectors.client(ecommerceConnector);
  const finance = connectors.client(financeConnector);
  const wms = connectors.client(wmsConnector);
  // the requests the other flows make too go through their port, with the same keys
  const ports = portsFromConnectors(connectors);

  return {
    /** Eligibility against the item master and the ERP's price list, with each item's stock by location. */
    async eligibility(items: PromoItem[], storeIds: Set<string>, date: string, info: StepInfo) {
      const eligible: PromoItem[] = [];
      const excluded: Excluded[] = [];
      const stock: Record<string, StockAt[]> = {};
      for (const item of items) {
        const master = md.item(item.sku);
        if (!master) {
          excluded.push({ sku: item.sku, reason: 'unknown-item' });
          continue;
        }
        const locations = await ports.erp.stock(item.sku, keyed(info, `stock:${item.sku}`));
        const list = await erp.call(
          'getPrice',
          { sku: item.sku, channel: 'store', date },
          keyed(info, `price:${item.sku}`),
        );
        const reason: Excluded['reason'] | undefined = !locations.some((l) => storeIds.has(l.location))
          ? 'not-ranged'
          : item.promo < master.cost
            ? 'below-cost'
            : Math.abs(list.listPrice - item.regular) > 0.005
              ? 'regular-price-differs'
              : undefined;
        if (reason) excluded.push({ sku: item.sku, reason });
        else {
          eligible.push(item);
          stock[item.sku] = locations;
        }
      }
      return { eligible, excluded, stock };
    },

    async marginExposure(promotionId: string, skus: string[], info: StepInfo) {
      const m = await finance.call('getMarginExposure', { promotion: promotionId }, info);
      const lines = m.lines.filter((l) => skus.includes(l.sku));
      const revenue = lines.reduce((s, l) => s + l.promoPrice * l.forecastUnits, 0);
      const margin = lines.reduce((s, l) => s + l.marginAtPromotion, 0);
      return {
        currency: m.currency,
        forecastRevenue: Math.round(revenue * 100) / 100,
        marginAtPromotion: Math.round(margin * 100) / 100,
        projectedMarginPct: revenue > 0 ? Math.round((margin / revenue) * 1000) / 10 : 0,
        financeMarginRate: m.marginRate,
      };
    },

    /** Stock transfer orders from each DC to its short stores, and their pick tasks at the DC's priority. */
    async replenish(
      orders: Array<{ dcId: string; storeId: string; lines: Line[] }>,
      priority: number,
      reference: string,
      info: StepInfo,
    ) {
      const out: Array<{ storeId: string; stoNumber: string; taskId: string }> = [];
      for (const o of orders) {
        const sto = await ports.erp.createTransferOrder(
          { from: o.dcId, to: o.storeId, lines: o.lines, reference },
          keyed(info, `sto:${o.storeId}`),
        );
        const task = await ports.wms.pick(
          { stoNumber: sto.stoNumber, location: o.dcId, lines: o.lines, priority },
          keyed(info, `pick:${o.storeId}`),
        );
        out.push({ storeId: o.storeId, stoNumber: sto.stoNumber, taskId: task.taskId });
      }
      return out;
    },

    /** Compensation: the picks go to the back of the queue; the DC decides whether to ship them at all. */
    async deprioritise(picks: Array<{ taskId: string }>, info: StepInfo) {
      for (const p of picks)
        await wms.call(
          'setPriority',
          { taskId: p.taskId, priority: 9, reason: 'promotion withdrawn' },
          keyed(info, p.taskId),
        );
      return picks.length;
    },

    async pushPrices(
      prices: Array<{ sku: string; price: number }>,
      target: { storeRegions?: string[]; web: WebTarget[] },
      reference: string,
      info: StepInfo,
    ): Promise<PriceUpdates> {
      const updates: PriceUpdates = { webTargets: target.web };
      if (target.storeRegions)
        updates.pos = (
          await pos.call(
            'updatePrices',
            { prices, regions: target.storeRegions, reference },
            keyed(info, 'pos'),
          )
        ).updateId;
      if (target.web.length > 0)
        updates.ecommerce = (
          await web.call(
            'updatePrices',
            { prices, channels: target.web, reference },
            keyed(info, 'ecommerce'),
          )
        ).updateId;
      return updates;
    },

    /**
     * Reads every update back. A system that does not answer is not an error here: its targets count
     * as unconfirmed, and the flow checks again later or hands the launch to merchandising.
     */
    async confirmations(updates: PriceUpdates, info: StepInfo): Promise<Confirmation[]> {
      const read = async (system: 'pos' | 'ecommerce', updateId: string): Promise<Confirmation> => {
        try {
          const client = system === 'pos' ? pos : web;
          const u = await client.call(
            'getPriceUpdate',
            { updateId },
            { ...keyed(info, system), deadLetter: false },
          );
          const pending = u.targets
            .filter((t) => t.status !== 'applied')
            .map((t) => String(t.store ?? t.channel));
          return { system, updateId, applied: u.applied, pending, reachable: true };
        } catch {
          return {
            system,
            updateId,
            applied: 0,
            pending: system === 'pos' ? ['all stores'] : [...updates.webTargets],
            reachable: false,
          };
        }
      };
      const out: Confirmation[] = [];
      if (updates.pos) out.push(await read('pos', updates.pos));
      if (updates.ecommerce) out.push(await read('ecommerce', updates.ecommerce));
      return out;
    },
  };
}

export type PromotionSystems = ReturnType<typeof promotionSystems>;
