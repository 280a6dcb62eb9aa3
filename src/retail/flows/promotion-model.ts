/**
 * The promotion's volume model and its stock plan: pure functions of the master data, the stock
 * the ERP reported and the promotion, so the run computes them inside one step and the journal
 * keeps the figures it acted on.
 *
 * Uplift model. For SKU k at store s over a promotion of D days at discount depth d (in %):
 *
 *   baseline(k, s) = velocity(k) × footfall(s) × D
 *   expected(k, s) = baseline(k, s) × (1 + UPLIFT_PER_POINT × d)
 *   expected web   = velocity(k) × WEB_SHARE × Σ footfall(stores of the promoted regions) × D × same factor
 *
 * UPLIFT_PER_POINT = 0.045 (+4.5 % demand per point of discount) reproduces the uplifts the estate's
 * own promotions show (10 % off ≈ ×1.45, 40 % off ≈ ×2.8). A planner's `forecastUpliftPercent` on
 * an item replaces the factor with 1 + pct/100. Only stores that range the SKU count.
 */

import type { MasterData, StoreData } from './master-data.js';

export const UPLIFT_PER_POINT = 0.045;
/** Share of demand that comes through e-commerce, relative to the stores' footfall. */
export const WEB_SHARE = 0.18;

export interface PlanItem {
  sku: string;
  upliftPct?: number;
}

export interface StockAt {
  location: string;
  available: number;
}

export interface ModelInput {
  items: PlanItem[];
  /** Stock by SKU at every location holding it (ERP). */
  stock: Record<string, StockAt[]>;
  /** Estate regions of the promotion. */
  regions: string[];
  days: number;
  discountPct: number;
  stores: boolean;
  web: boolean;
}

export interface Line {
  sku: string;
  qty: number;
}

export interface DcCover {
  dcId: string;
  sku: string;
  demand: number;
  available: number;
  shortfall: number;
}

export interface Move {
  from: string;
  to: string;
  sku: string;
  qty: number;
}

export interface PromotionPlan {
  upliftPct: number;
  baselineUnits: number;
  expectedUnits: number;
  /** Expected units by estate region. */
  byRegion: Record<string, number>;
  /** What each store needs from its DC to meet expected demand, after its own stock. */
  replenishment: Array<{ dcId: string; storeId: string; lines: Line[] }>;
  cover: DcCover[];
  /** Days the tightest DC stock lasts at promotion demand. */
  dcCoverDays: number;
  /** Store-to-store moves that cover store needs the DCs cannot: surplus stores to short stores. */
  moves: Move[];
}

export function factorOf(item: PlanItem, discountPct: number): number {
  return item.upliftPct !== undefined ? 1 + item.upliftPct / 100 : 1 + UPLIFT_PER_POINT * discountPct;
}

export function planPromotion(md: MasterData, input: ModelInput): PromotionPlan {
  const stores = md.stores().filter((s) => input.regions.includes(s.region));
  const byRegion: Record<string, number> = {};
  const needs = new Map<string, Line[]>();
  const cover: DcCover[] = [];
  const moves: Move[] = [];
  let baselineUnits = 0;
  let expectedUnits = 0;
  let dcCoverDays = Number.POSITIVE_INFINITY;
  for (const item of input.items) {
    const velocity = md.item(item.sku)?.velocity ?? 0;
    const factor = factorOf(item, input.discountPct);
    const at = new Map((input.stock[item.sku] ?? []).map((s) => [s.location, s.available]));
    const ranged = stores.filter((s) => at.has(s.id));
    const webBase = input.web ? velocity * WEB_SHARE * sum(stores.map((s) => s.sizeFactor)) * input.days : 0;
    // per store: expected units and what is left (+) or missing (-) after its own stock
    const balance = new Map<string, number>();
    for (const s of input.stores ? ranged : []) {
      const base = velocity * s.sizeFactor * input.days;
      const expected = Math.ceil(base * factor);
      baselineUnits += base;
      expectedUnits += expected;
      byRegion[s.region] = (byRegion[s.region] ?? 0) + expected;
      balance.set(s.id, (at.get(s.id) ?? 0) - expected);
    }
    baselineUnits += webBase;
    expectedUnits += Math.ceil(webBase * factor);
    for (const dc of md.dcs().filter((d) => d.regions.some((r) => input.regions.includes(r)))) {
      const served = stores.filter((s) => s.dcId === dc.id);
      const share =
        sum(served.map((s) => s.sizeFactor)) / Math.max(sum(stores.map((s) => s.sizeFactor)), 1e-9);
      const web = Math.ceil(webBase * factor * share);
      const short = served
        .filter((s) => (balance.get(s.id) ?? 0) < 0)
        .sort((a, b) => (balance.get(a.id) ?? 0) - (balance.get(b.id) ?? 0) || a.id.localeCompare(b.id));
      const demand = web + sum(short.map((s) => -(balance.get(s.id) ?? 0)));
      const available = Math.max(0, at.get(dc.id) ?? 0);
      cover.push({
        dcId: dc.id,
        sku: item.sku,
        demand,
        available,
        shortfall: Math.max(0, demand - available),
      });
      if (demand > 0) dcCoverDays = Math.min(dcCoverDays, (available / demand) * input.days);
      // the DC serves web orders first, then the stores that miss most
      let left = available - web;
      for (const s of short) {
        const qty = Math.min(-(balance.get(s.id) ?? 0), Math.max(0, left));
        left -= qty;
        if (qty > 0)
          needs.set(`${dc.id}|${s.id}`, [...(needs.get(`${dc.id}|${s.id}`) ?? []), { sku: item.sku, qty }]);
        balance.set(s.id, (balance.get(s.id) ?? 0) + qty);
      }
      moves.push(...storeMoves(item.sku, served, balance));
    }
  }
  return {
    upliftPct: Math.round((factorOf({ sku: '' }, input.discountPct) - 1) * 1000) / 10,
    baselineUnits: Math.round(baselineUnits),
    expectedUnits,
    byRegion,
    replenishment: [...needs].map(([key, lines]) => {
      const [dcId, storeId] = key.split('|') as [string, string];
      return { dcId, storeId, lines };
    }),
    cover,
    dcCoverDays: Number.isFinite(dcCoverDays) ? Math.round(dcCoverDays * 10) / 10 : 999,
    moves,
  };
}

/** Greedy: the store with the largest surplus gives to the store missing most, within one DC's stores. */
function storeMoves(sku: string, served: StoreData[], balance: Map<string, number>): Move[] {
  const bal = (s: StoreData) => balance.get(s.id) ?? 0;
  const donors = served.filter((s) => bal(s) > 0).sort((a, b) => bal(b) - bal(a) || a.id.localeCompare(b.id));
  const takers = served.filter((s) => bal(s) < 0).sort((a, b) => bal(a) - bal(b) || a.id.localeCompare(b.id));
  const out: Move[] = [];
  for (const to of takers) {
    for (const from of donors) {
      const qty = Math.min(-bal(to), bal(from));
      if (qty <= 0) continue;
      out.push({ from: from.id, to: to.id, sku, qty });
      balance.set(from.id, bal(from) - qty);
      balance.set(to.id, bal(to) + qty);
      if (bal(to) >= 0) break;
    }
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
