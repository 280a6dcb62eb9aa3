import type { PromotionApproved } from '../../contracts/index.js';
import { contractRegion, type EstateLike } from '../flows/master-data.js';

/** A campaign as merchandising plans it (the simulator's estate promotions have this shape). */
export interface PlannedPromotion {
  id: string;
  name: string;
  skus: readonly string[];
  discountPct: number;
  regions: readonly string[];
}

const DAY = 86_400_000;

/**
 * The `promotion.approved` merchandising sends for a planned campaign: on the tills of its regions
 * and on the web, starting the next day for a week. `launch` tells launches of the same campaign
 * apart, so each is a run of its own.
 */
export function promotionApproved(
  estate: Pick<EstateLike, 'skus' | 'currency'>,
  p: PlannedPromotion,
  launch: string,
  now = Date.now(),
): PromotionApproved {
  const items = new Map(estate.skus.map((s) => [s.sku, s]));
  const money = (n: number) => ({ amount: n.toFixed(2), currency: estate.currency });
  const day = (offset: number) => `${new Date(now + offset * DAY).toISOString().slice(0, 10)}T00:00:00Z`;
  return {
    promotionId: `${p.id}-${launch}`,
    name: p.name,
    mechanic: 'percent-off',
    discountPercent: String(p.discountPct),
    startsAt: day(1),
    endsAt: day(8),
    regions: p.regions.map((r) => contractRegion(r)),
    channels: ['pos', 'web'],
    items: p.skus.flatMap((sku) => {
      const item = items.get(sku);
      if (!item) return [];
      const regular = item.prices.store;
      return [
        {
          sku,
          gtin: item.gtin,
          regularPrice: money(regular),
          promoPrice: money(Math.round(regular * (100 - p.discountPct)) / 100),
        },
      ];
    }),
    approvedBy: 'marta.merch',
    approvedAt: new Date(now).toISOString(),
    // finance knows the campaign by its id in the system that planned it
    sourceDocument: { system: 'odoo', id: p.id, documentType: 'promotion-program' },
  } as PromotionApproved;
}
