import { type TSchema, Type } from '@sinclair/typebox';
import { defineHttpConnector, httpOperation } from '../http.js';
import { Count, Currency, closed, Id, seg, Time } from './schemas.js';

const Prices = Type.Array(
  closed({ sku: Id, price: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }) }),
  {
    minItems: 1,
    maxItems: 5000,
  },
);

const Accepted = Type.Object({
  updateId: Id,
  status: Type.Literal('pending'),
  /** How many stores (POS) or channels (e-commerce) will apply it. */
  targets: Type.Integer({ minimum: 1 }),
  skus: Type.Integer({ minimum: 1 }),
  expectedBy: Time,
});

/** The confirmation of an update, target by target (`store` or `channel`). */
const confirmation = (target: 'store' | 'channel') =>
  Type.Object({
    updateId: Id,
    status: Type.Union([Type.Literal('pending'), Type.Literal('partial'), Type.Literal('applied')]),
    applied: Count,
    pending: Count,
    prices: Type.Array(Type.Object({ sku: Id, price: Type.Number() })),
    targets: Type.Array(
      Type.Object({
        [target]: Id,
        status: Type.Union([Type.Literal('pending'), Type.Literal('applied')]),
        appliedAt: Type.Optional(Time),
      }),
    ),
  });

/** The price a shopper sees now at one target, and the update it came from. */
const current = (target: string, targetSchema: TSchema) =>
  Type.Object({
    sku: Id,
    [target]: targetSchema,
    currency: Currency,
    price: Type.Number(),
    updateId: Type.Optional(Id),
  });

export const WEB_CHANNELS = ['webshop', 'app', 'marketplace'] as const;
const WebChannel = Type.Union(WEB_CHANNELS.map((c) => Type.Literal(c)));

/**
 * Point of sale: a price update is accepted at once (202) and applied by each store after its own
 * delay; `getPriceUpdate` confirms store by store. Refusals: `invalid-price` (not whole cents),
 * `invalid-targets`, `unknown-master-data`.
 */
export const posConnector = defineHttpConnector({
  system: 'pos',
  description: 'Point of sale: price updates per store and their confirmation',
  operations: {
    updatePrices: httpOperation({
      method: 'POST',
      path: '/price-updates',
      description: 'Sends prices to every store, or to the given stores or regions',
      input: closed({
        prices: Prices,
        stores: Type.Optional(Type.Array(Id, { minItems: 1 })),
        regions: Type.Optional(Type.Array(Id, { minItems: 1 })),
        reference: Type.Optional(Id),
      }),
      output: Accepted,
    }),
    getPriceUpdate: httpOperation({
      method: 'GET',
      path: (i) => `/price-updates/${seg(i.updateId)}`,
      description: 'Which stores have applied an update',
      input: closed({ updateId: Id }),
      output: confirmation('store'),
    }),
    getPrice: httpOperation({
      method: 'GET',
      path: (i) => `/prices/${seg(i.sku)}`,
      description: 'The price a till charges now at one store',
      input: closed({ sku: Id, store: Id }),
      query: (i) => ({ store: i.store }),
      output: current('store', Id),
    }),
  },
});

/** E-commerce: the same interface with sales channels (webshop, app, marketplace) as targets. */
export const ecommerceConnector = defineHttpConnector({
  system: 'ecommerce',
  description: 'E-commerce: price updates per sales channel and their confirmation',
  operations: {
    updatePrices: httpOperation({
      method: 'POST',
      path: '/price-updates',
      description: 'Sends prices to every sales channel, or to the given ones',
      input: closed({
        prices: Prices,
        channels: Type.Optional(Type.Array(WebChannel, { minItems: 1 })),
        reference: Type.Optional(Id),
      }),
      output: Accepted,
    }),
    getPriceUpdate: httpOperation({
      method: 'GET',
      path: (i) => `/price-updates/${seg(i.updateId)}`,
      description: 'Which channels have applied an update',
      input: closed({ updateId: Id }),
      output: confirmation('channel'),
    }),
    getPrice: httpOperation({
      method: 'GET',
      path: (i) => `/prices/${seg(i.sku)}`,
      description: 'The price a shopper sees now on one channel (webshop by default)',
      input: closed({ sku: Id, channel: Type.Optional(WebChannel) }),
      query: (i) => ({ channel: i.channel }),
      output: current('channel', WebChannel),
    }),
  },
});
