/** Promotions and prices: approved campaigns, their launch in every channel, and price changes. */
import { type Static, Type } from '@sinclair/typebox';
import {
  Channel,
  DocumentRef,
  defineEntry,
  Enum,
  EventData,
  ItemIds,
  LocationId,
  Money,
  Obj,
  Text,
  Timestamp,
} from './common.js';

const PromotionId = Type.String({
  pattern: '^PROMO-[0-9A-Z-]{3,40}$',
  description: 'Baton’s promotion id, e.g. PROMO-2026-SPRING-01',
});
const Region = Type.String({ pattern: '^[A-Z]{2}(-[A-Z0-9]{1,10})?$', description: 'e.g. PT, PT-NORTH' });
const Percent = Type.String({
  pattern: '^(100|[0-9]{1,2})(\\.[0-9]{1,2})?$',
  description: 'A percentage as a decimal string, e.g. "20" or "12.5"',
});

export const PromotionApprovedSchema = EventData(
  'promotion.approved',
  'A promotion passed its approvals and may be launched',
  {
    promotionId: PromotionId,
    name: Text(120),
    mechanic: Enum(['percent-off', 'amount-off', 'buy-x-get-y', 'multi-buy', 'price-point']),
    discountPercent: Type.Optional(Percent),
    discountAmount: Type.Optional(Money),
    startsAt: Timestamp(),
    endsAt: Timestamp(),
    regions: Type.Array(Region, { minItems: 1, uniqueItems: true }),
    channels: Type.Array(Channel, { minItems: 1, uniqueItems: true }),
    items: Type.Array(
      Obj({
        ...ItemIds,
        regularPrice: Money,
        promoPrice: Type.Optional(Money),
        forecastUpliftPercent: Type.Optional(Percent),
      }),
      { minItems: 1, maxItems: 5000 },
    ),
    budget: Type.Optional(Money),
    approvedBy: Text(120),
    approvedAt: Timestamp(),
    sourceDocument: Type.Optional(DocumentRef),
  },
);
export type PromotionApproved = Static<typeof PromotionApprovedSchema>;

export const promotionApproved = defineEntry({
  type: 'promotion.approved',
  owner: 'pricing-promotions',
  description:
    'A campaign passed its approvals; carries mechanic, dates, regions, channels, items with regular and promo prices and forecast uplift.',
  schema: PromotionApprovedSchema,
  example: {
    promotionId: 'PROMO-2026-SPRING-01',
    name: 'Spring basics: 20% off T-shirts',
    mechanic: 'percent-off',
    discountPercent: '20',
    startsAt: '2026-03-20T00:00:00Z',
    endsAt: '2026-04-02T23:59:59Z',
    regions: ['PT', 'ES'],
    channels: ['pos', 'web'],
    items: [
      {
        sku: 'TSHIRT-BLK-M',
        gtin: '4006381333931',
        regularPrice: { amount: '19.90', currency: 'EUR' },
        promoPrice: { amount: '15.92', currency: 'EUR' },
        forecastUpliftPercent: '35',
      },
    ],
    budget: { amount: '25000.00', currency: 'EUR' },
    approvedBy: 'marta.costa',
    approvedAt: '2026-03-05T16:42:10Z',
    sourceDocument: { system: 'odoo', id: 'loyalty.program,57', documentType: 'promotion-program' },
  },
});

export const PromotionLaunchedSchema = EventData(
  'promotion.launched',
  'A promotion went live; per channel, whether the launch succeeded',
  {
    promotionId: PromotionId,
    launchedAt: Timestamp(),
    regions: Type.Array(Region, { minItems: 1, uniqueItems: true }),
    storeIds: Type.Optional(Type.Array(LocationId, { uniqueItems: true })),
    channels: Type.Array(
      Obj({
        channel: Channel,
        status: Enum(['live', 'failed']),
        externalId: Type.Optional(Text(128, 'The promotion in that channel, e.g. a Shopify discount gid')),
        error: Type.Optional(Text(500)),
      }),
      { minItems: 1 },
    ),
  },
);
export type PromotionLaunched = Static<typeof PromotionLaunchedSchema>;

export const promotionLaunched = defineEntry({
  type: 'promotion.launched',
  owner: 'pricing-promotions',
  description:
    'A promotion went live; carries the stores and, per channel, the status and the id the channel gave it.',
  schema: PromotionLaunchedSchema,
  example: {
    promotionId: 'PROMO-2026-SPRING-01',
    launchedAt: '2026-03-20T00:00:05Z',
    regions: ['PT', 'ES'],
    storeIds: ['ST-0042', 'ST-0107'],
    channels: [
      { channel: 'web', status: 'live', externalId: 'gid://shopify/DiscountAutomaticNode/1198470087' },
      { channel: 'pos', status: 'live' },
    ],
  },
});

export const PriceChangedSchema = EventData('price.changed', 'A selling price changes, from a date', {
  ...ItemIds,
  priceListId: Type.Optional(Text(40, 'The price list or SAP condition type (e.g. VKP0)')),
  channel: Type.Optional(Channel),
  region: Type.Optional(Region),
  storeId: Type.Optional(LocationId),
  oldPrice: Type.Optional(Money),
  newPrice: Money,
  effectiveFrom: Timestamp(),
  effectiveTo: Type.Optional(Timestamp()),
  reason: Enum(['promotion', 'markdown', 'cost-change', 'competitor', 'correction', 'regular']),
  promotionId: Type.Optional(PromotionId),
  erpDocument: Type.Optional(DocumentRef),
});
export type PriceChanged = Static<typeof PriceChangedSchema>;

export const priceChanged = defineEntry({
  type: 'price.changed',
  owner: 'pricing-promotions',
  description:
    'A selling price changes for an item, per channel, region or store; carries old and new price, dates and reason.',
  schema: PriceChangedSchema,
  example: {
    sku: 'TSHIRT-BLK-M',
    gtin: '4006381333931',
    priceListId: 'VKP0',
    region: 'PT',
    oldPrice: { amount: '19.90', currency: 'EUR' },
    newPrice: { amount: '15.92', currency: 'EUR' },
    effectiveFrom: '2026-03-20T00:00:00Z',
    effectiveTo: '2026-04-02T23:59:59Z',
    reason: 'promotion',
    promotionId: 'PROMO-2026-SPRING-01',
    erpDocument: { system: 'sap-s4', id: '0000048213', documentType: 'condition-record' },
  },
});
