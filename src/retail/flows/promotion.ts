/**
 * Promotion launch, started by `promotion.approved`: eligibility, regional stock, the uplift
 * estimate, the margin check with finance, the DC exception path, store replenishment at warehouse
 * priority, and the price sync to POS and e-commerce, read back until every channel applied it.
 * If the launch is withdrawn after prices went out, the prices are put back and the picks dropped
 * to the end of the queue (compensation). Exceptions go to the role that owns them, with an SLA.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { Bus } from '../../bus/index.js';
import type { Connectors } from '../../connectors/index.js';
import type { PromotionApproved } from '../../contracts/index.js';
import { ApplicationFailure, type Duration } from '../../core/index.js';
import { type AnyWorkflow, defineWorkflow } from '../../engine/index.js';
import type { DecisionTable } from '../../rules/index.js';
import { cents, hoursBetween, money } from './common.js';
import { estateRegion, type MasterData } from './master-data.js';
import { launchChecks } from './promotion-checks.js';
import { planPromotion } from './promotion-model.js';
import { coverShortfalls } from './promotion-shortfall.js';
import { promotionSystems, WEB_TARGETS, type WebTarget } from './promotion-systems.js';
import { asFlowRules, type FlowRules } from './rules.js';

/** The contract's data, checked loosely here: the bus validated it against its contract already. */
export const PromotionInput = Type.Unsafe<PromotionApproved>(
  Type.Object({
    promotionId: Type.String({ pattern: '^PROMO-' }),
    mechanic: Type.String(),
    startsAt: Type.String(),
    endsAt: Type.String(),
    regions: Type.Array(Type.String(), { minItems: 1 }),
    channels: Type.Array(Type.String(), { minItems: 1 }),
    items: Type.Array(Type.Object({ sku: Type.String() }), { minItems: 1 }),
  }),
);

export interface PromotionFlowOptions {
  connectors: Connectors;
  masterData: MasterData;
  /**
   * Where the decision tables come from (promotion.dmn and wms-priorities.dmn): `fileRules()`, or
   * `governedRules(store)` for the published versions. Tables already loaded by id
   * (`loadDefaultRules()`) are read as `tableRules`.
   */
  rules: FlowRules | ReadonlyMap<string, DecisionTable>;
  /** Started as a child per DC shortfall when supply chain chooses alternate sourcing. */
  replenishment?: AnyWorkflow;
  /** How often the channels are read back, and how long they have to confirm. */
  confirmEvery?: Duration;
  confirmWithin?: Duration;
}

const PRIORITY = { P1: 1, P2: 3, P3: 5, P4: 7 } as const;

export function promotionLaunchFlow(o: PromotionFlowOptions) {
  const sys = promotionSystems(o.connectors, o.masterData);
  const rules = asFlowRules(o.rules);
  const checks = launchChecks(rules, o.confirmEvery ?? '15m', o.confirmWithin ?? '2h');
  return defineWorkflow({
    name: 'promotion.launch',
    version: 1,
    input: PromotionInput,
    tags: (p) => ({ promoId: p.promotionId }),
    concurrency: { key: (p) => `promotion:${p.promotionId}` },
    async run(ctx, p: Static<typeof PromotionInput>) {
      const currency = o.masterData.currency;
      const regions = p.regions.map(estateRegion);
      const discountPct = Number(p.discountPercent ?? 0);
      const days = Math.max(1, Math.ceil((Date.parse(p.endsAt) - Date.parse(p.startsAt)) / 86_400_000));
      const storeIds = new Set(
        o.masterData
          .stores()
          .filter((s) => regions.includes(s.region))
          .map((s) => s.id),
      );
      const items = p.items.map((i) => {
        const regular = Number(i.regularPrice.amount);
        const promo = i.promoPrice ? Number(i.promoPrice.amount) : cents(regular * (1 - discountPct / 100));
        const uplift =
          i.forecastUpliftPercent === undefined ? {} : { upliftPct: Number(i.forecastUpliftPercent) };
        return { sku: i.sku, regular, promo, ...uplift };
      });

      const { eligible, excluded, stock } = await ctx.step('check-eligibility', (info) =>
        sys.eligibility(items, storeIds, p.startsAt.slice(0, 10), info),
      );
      if (excluded.length > 0)
        await ctx.emit('promotion.items_excluded', { promotionId: p.promotionId, excluded });
      if (eligible.length === 0) return { status: 'not-launched', reason: 'no eligible items', excluded };

      const stores = p.channels.includes('pos');
      const webTargets = p.channels.flatMap((c) =>
        c in WEB_TARGETS ? [WEB_TARGETS[c as keyof typeof WEB_TARGETS] as WebTarget] : [],
      );
      const plan = await ctx.step('estimate-uplift', () =>
        planPromotion(o.masterData, {
          items: eligible,
          stock,
          regions,
          days,
          discountPct,
          stores,
          web: webTargets.length > 0,
        }),
      );
      const skus = eligible.map((i) => i.sku);
      // finance knows the campaign by its id in the system that planned it
      const margin = await ctx.step('project-margin', (info) =>
        sys.marginExposure(p.sourceDocument?.id ?? p.promotionId, skus, info),
      );
      const figures = {
        expectedUnits: plan.expectedUnits,
        baselineUnits: plan.baselineUnits,
        upliftPct: plan.upliftPct,
        ...margin,
      };
      await ctx.emit('promotion.forecast_ready', {
        promotionId: p.promotionId,
        ...figures,
        byRegion: plan.byRegion,
      });

      const verdict = await checks.margin(
        ctx,
        p,
        o.masterData.item(skus[0]!)?.department ?? 'general',
        figures,
        plan.dcCoverDays,
        // a campaign in one region decides with that region's override, if it has one
        regions.length === 1 ? regions[0] : undefined,
      );
      if (verdict !== 'approve') return { status: 'rejected', by: verdict, figures };

      const supply = await coverShortfalls(ctx, p, plan, o.masterData, o.replenishment);

      const hoursToStart = hoursBetween(ctx.now(), new Date(p.startsAt));
      const wmsPriority = await rules.decision<{ priority: string }>(ctx, 'wms-task-priority');
      const { priority } = await ctx.decide(wmsPriority, {
        work: {
          type: 'promotion-allocation',
          hoursToCutoff: Math.max(0, hoursToStart),
          stockoutRisk: plan.dcCoverDays < days,
        },
      });
      const picks = await ctx.step(
        'replenish-stores',
        (info) =>
          sys.replenish(
            plan.replenishment,
            PRIORITY[priority as keyof typeof PRIORITY] ?? 5,
            p.promotionId,
            info,
          ),
        { compensate: (done, info) => sys.deprioritise(done, info) },
      );
      await ctx.emit('promotion.replenishment_released', {
        promotionId: p.promotionId,
        priority,
        transferOrders: picks.length,
      });

      const prices = eligible.map((i) => ({ sku: i.sku, price: i.promo }));
      const target = { ...(stores ? { storeRegions: regions } : {}), web: webTargets };
      const updates = await ctx.step(
        'sync-prices',
        (info) => sys.pushPrices(prices, target, p.promotionId, info),
        {
          // a price left behind on a channel is worse than a late one: retry for about an hour
          retry: { maxAttempts: 12, initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m' },
          compensate: (_u, info) =>
            sys.pushPrices(
              eligible.map((i) => ({ sku: i.sku, price: i.regular })),
              target,
              `${p.promotionId}-revert`,
              info,
            ),
        },
      );
      for (const i of eligible)
        await ctx.emit('price.changed', {
          sku: i.sku,
          oldPrice: money(i.regular, currency),
          newPrice: money(i.promo, currency),
          effectiveFrom: p.startsAt,
          effectiveTo: p.endsAt,
          reason: 'promotion',
          promotionId: p.promotionId,
        });

      const confirmed = await checks.confirmPrices(ctx, p, updates, (info) =>
        sys.confirmations(updates, info),
      );
      if (confirmed.decision === 'cancel-launch')
        throw ApplicationFailure.nonRetryable(
          `promotion ${p.promotionId} withdrawn: channels did not confirm`,
          'promotion.withdrawn',
        );

      const launched = {
        promotionId: p.promotionId,
        launchedAt: ctx.now().toISOString(),
        regions: p.regions,
        ...(stores ? { storeIds: [...storeIds].sort() } : {}),
        channels: p.channels.map((c) => ({
          channel: c,
          status: confirmed.failed.includes(c) ? ('failed' as const) : ('live' as const),
          ...(confirmed.failed.includes(c)
            ? { error: 'the channel did not confirm the prices in time' }
            : {}),
        })),
      };
      await ctx.emit('promotion.launched', launched, { subject: p.promotionId });
      const sourcing = await supply.completion();
      return {
        status: 'launched',
        figures,
        channels: launched.channels,
        picks: picks.length,
        excluded,
        ...supply.summary,
        sourcing,
      };
    },
  });
}

/** Starts one launch per approved promotion. */
export function triggerPromotionLaunch(bus: Bus, flow: ReturnType<typeof promotionLaunchFlow>): Bus {
  return bus.trigger('promotion.approved', flow, {
    input: (e) => e.data as PromotionApproved,
    key: (e) => (e.data as PromotionApproved).promotionId,
  });
}
