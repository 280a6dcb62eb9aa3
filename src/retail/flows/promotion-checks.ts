/**
 * The promotion's two gates: the margin check (promotion-margin-floor and promotion-finance-alerts
 * in rules/promotion.dmn, a finance approval below the floor) and the channel confirmation (read
 * the price updates back until every store and channel applied them, a durable wait between
 * reads, then merchandising decides about the channels that did not confirm).
 */
import type { PromotionApproved } from '../../contracts/index.js';
import { type Duration, toMs } from '../../core/index.js';
import type { StepInfo, WorkflowContext } from '../../engine/index.js';
import type { Confirmation, PriceUpdates } from './promotion-systems.js';
import type { FinanceAlerts, FlowRules, MarginFloor } from './rules.js';

/** Estate departments named as the margin-floor table knows them. */
const CATEGORY: Record<string, string> = { food: 'grocery' };

interface Figures {
  projectedMarginPct: number;
  upliftPct: number;
  forecastRevenue: number;
  marginAtPromotion: number;
}

/**
 * The gates decide with the tables `rules` gives them at the moment they decide, so with
 * `governedRules` a launch decides with the version active then (and the region's override when
 * the campaign runs in one region); the journal records which.
 */
export function launchChecks(rules: FlowRules, every: Duration, within: Duration) {
  const withinMs = toMs(within, 'confirmWithin');

  return {
    /** 'approve', or who stopped the launch. */
    async margin(
      ctx: WorkflowContext,
      p: PromotionApproved,
      department: string,
      f: Figures,
      dcCoverDays: number,
      region?: string,
    ) {
      const facts = {
        category: CATEGORY[department] ?? department,
        mechanic: p.mechanic,
        projectedMarginPct: f.projectedMarginPct,
      };
      const floor = await rules.decision<MarginFloor>(ctx, 'promotion-margin-floor', region);
      const verdict = await ctx.decide(floor, { promotion: facts });
      const alerts = await rules.decision<FinanceAlerts>(ctx, 'promotion-finance-alerts', region);
      const raised = await ctx.decide(alerts, {
        promotion: {
          projectedMarginPct: f.projectedMarginPct,
          discountPct: Number(p.discountPercent ?? 0),
          upliftPct: f.upliftPct,
          dcCoverDays,
        },
      });
      for (const a of raised)
        await ctx.emit('promotion.alert_raised', {
          promotionId: p.promotionId,
          ...a,
          projectedMarginPct: f.projectedMarginPct,
        });
      if (verdict.decision === 'reject') {
        await ctx.emit('promotion.rejected', {
          promotionId: p.promotionId,
          by: 'rules',
          projectedMarginPct: f.projectedMarginPct,
        });
        return 'rules' as const;
      }
      if (verdict.decision === 'approve') return 'approve' as const;
      const review = await ctx.task({
        kind: 'approval',
        title: `Margin below floor: ${p.promotionId} projects ${f.projectedMarginPct}%`,
        role: 'finance',
        data: { promotionId: p.promotionId, name: p.name, ...f },
        outcomes: ['approve', 'reject'],
        dueIn: '4h',
        escalateTo: 'finance-lead',
      });
      if (review.outcome === 'approve') return 'approve' as const;
      await ctx.emit('promotion.rejected', {
        promotionId: p.promotionId,
        by: review.by,
        projectedMarginPct: f.projectedMarginPct,
      });
      return 'finance' as const;
    },

    /** Contract channels that did not confirm, and merchandising's decision when some did not. */
    async confirmPrices(
      ctx: WorkflowContext,
      p: PromotionApproved,
      updates: PriceUpdates,
      read: (info: StepInfo) => Promise<Confirmation[]>,
    ): Promise<{ failed: string[]; decision: 'confirmed' | 'launch-confirmed-channels' | 'cancel-launch' }> {
      const deadline = ctx.now().getTime() + withinMs;
      let status = await ctx.step('read-back-prices', read);
      while (status.some((c) => c.pending.length > 0) && ctx.now().getTime() < deadline) {
        await ctx.sleep(every);
        status = await ctx.step('read-back-prices', read);
      }
      const open = status.filter((c) => c.pending.length > 0);
      if (open.length === 0) return { failed: [], decision: 'confirmed' };
      // a store that lags leaves the POS channel unconfirmed; a web channel maps to its contract channel
      const failed = p.channels.filter((c) =>
        c === 'pos'
          ? open.some((x) => x.system === 'pos')
          : open.some((x) => x.system === 'ecommerce' && x.pending.includes(webTargetOf(c))),
      );
      const answer = await ctx.task({
        kind: 'exception',
        title: `Prices of ${p.promotionId} not confirmed by ${failed.join(', ')}`,
        role: 'merchandising',
        data: {
          promotionId: p.promotionId,
          updates,
          unconfirmed: open.map((c) => ({
            system: c.system,
            pending: c.pending.slice(0, 50),
            reachable: c.reachable,
          })),
        },
        outcomes: ['launch-confirmed-channels', 'cancel-launch'],
        dueIn: '1h',
        escalateTo: 'merchandising-lead',
      });
      return { failed, decision: answer.outcome as 'launch-confirmed-channels' | 'cancel-launch' };
    },
  };
}

const webTargetOf = (c: string) => (c === 'web' ? 'webshop' : c === 'mobile-app' ? 'app' : c);
