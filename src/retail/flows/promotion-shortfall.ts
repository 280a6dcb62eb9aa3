/**
 * The exception path when a distribution centre cannot cover a promotion's expected volume.
 * Supply chain decides: alternate sourcing (a purchase order per short SKU, each a replenishment
 * run of its own started as a child, so procurement owns the PO's whole life) or the store-to-store
 * transfers the stock plan proposes (each a `transfer.requested`, which the transfer flow approves).
 * The children are started before the launch and awaited after it: the launch does not wait for
 * suppliers, and the promotion's run ends only when its extra stock has arrived.
 */
import type { PromotionApproved } from '../../contracts/index.js';
import { errorMessage } from '../../core/index.js';
import type { AnyWorkflow, WorkflowContext } from '../../engine/index.js';
import { each, money } from './common.js';
import type { MasterData } from './master-data.js';
import type { Move, PromotionPlan } from './promotion-model.js';
import type { ReplenishmentRequest } from './replenishment-input.js';

export interface Supply {
  summary: { shortfalls: number; sourcing?: 'alternate-sourcing' | 'store-transfers'; transfers?: string[] };
  /** The alternate-sourcing children's outputs (or failures), once they all ended. */
  completion(): Promise<unknown[]>;
}

export async function coverShortfalls(
  ctx: WorkflowContext,
  p: PromotionApproved,
  plan: PromotionPlan,
  md: MasterData,
  replenishment: AnyWorkflow | undefined,
): Promise<Supply> {
  const short = plan.cover.filter((c) => c.shortfall > 0);
  if (short.length === 0) return { summary: { shortfalls: 0 }, completion: async () => [] };
  await ctx.emit('promotion.supply_shortfall', { promotionId: p.promotionId, shortfalls: short });
  const outcomes = [
    ...(replenishment ? ['alternate-sourcing'] : []),
    ...(plan.moves.length > 0 ? ['store-transfers'] : []),
  ];
  if (outcomes.length === 0) return { summary: { shortfalls: short.length }, completion: async () => [] };
  const choice = await ctx.task({
    kind: 'exception',
    title: `${short
      .map((s) => s.dcId)
      .filter((d, i, a) => a.indexOf(d) === i)
      .join(', ')} cannot cover ${p.promotionId}: ${short.length} SKU(s) short`,
    role: 'supply-chain',
    data: { promotionId: p.promotionId, shortfalls: short, proposedTransfers: plan.moves },
    outcomes,
    dueIn: '8h',
    escalateTo: 'supply-chain-lead',
  });

  if (choice.outcome === 'store-transfers') {
    const transfers = await requestTransfers(ctx, p, plan.moves, md);
    return {
      summary: { shortfalls: short.length, sourcing: 'store-transfers', transfers },
      completion: async () => [],
    };
  }
  const now = ctx.now().toISOString();
  // positions are taken now, in this order, so every replay asks for the same children
  const children = short.map((s) => {
    const request: ReplenishmentRequest = {
      locationId: s.dcId,
      sku: s.sku,
      threshold: 'stockout',
      onHand: each(s.available),
      available: each(s.available),
      thresholdQuantity: each(s.demand),
      detectedAt: now,
      sourceDocument: { system: 'baton', id: p.promotionId, documentType: 'promotion' },
      quantity: s.shortfall,
      reason: 'promotion',
    };
    return ctx.child(replenishment!, request, { tags: { promoId: p.promotionId } }).then(
      (out) => out,
      (err: unknown) => ({ status: 'failed', sku: s.sku, error: errorMessage(err) }),
    );
  });
  return {
    summary: { shortfalls: short.length, sourcing: 'alternate-sourcing' },
    completion: () => Promise.all(children),
  };
}

/** One transfer per pair of stores, with every SKU that moves between them. */
async function requestTransfers(ctx: WorkflowContext, p: PromotionApproved, moves: Move[], md: MasterData) {
  const pairs = new Map<string, Move[]>();
  for (const m of moves) pairs.set(`${m.from}>${m.to}`, [...(pairs.get(`${m.from}>${m.to}`) ?? []), m]);
  const ids: string[] = [];
  let n = 0;
  for (const lines of pairs.values()) {
    const transferId = `TR-${p.promotionId.replace(/^PROMO-/, '')}-${String(++n).padStart(3, '0')}`;
    const value = lines.reduce((s, l) => s + (md.item(l.sku)?.cost ?? 0) * l.qty, 0);
    await ctx.emit(
      'transfer.requested',
      {
        transferId,
        fromLocationId: lines[0]!.from,
        toLocationId: lines[0]!.to,
        reason: 'promotion',
        neededBy: p.startsAt.slice(0, 10),
        lines: lines.map((l) => ({ sku: l.sku, quantity: each(l.qty) })),
        estimatedValue: money(value, md.currency),
        requestedBy: `promotion.launch:${p.promotionId}`,
        requestedAt: ctx.now().toISOString(),
      },
      { subject: transferId },
    );
    ids.push(transferId);
  }
  return ids;
}
