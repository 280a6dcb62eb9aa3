import { Type } from '@sinclair/typebox';
import { NotFoundError, type ValidationIssue } from '../../core/index.js';
import type { SimContext } from '../context.js';
import type { SystemRoutes } from '../http.js';
import { Rng } from '../random.js';
import { parse } from '../validate.js';
import { closed, Id, rejection, requireKnown } from './schemas.js';

/** The e-commerce platform's sales channels, each of which applies a price on its own. */
export const WEB_CHANNELS = ['webshop', 'app', 'marketplace'] as const;

const PriceUpdate = closed({
  prices: Type.Array(closed({ sku: Id, price: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }) }), {
    minItems: 1,
    maxItems: 5000,
  }),
  /** POS only: the stores to update; every store (of `regions`, when given) otherwise. */
  stores: Type.Optional(Type.Array(Id, { minItems: 1 })),
  regions: Type.Optional(Type.Array(Id, { minItems: 1 })),
  /** E-commerce only: the channels to update; all of them otherwise. */
  channels: Type.Optional(Type.Array(Type.Union(WEB_CHANNELS.map((c) => Type.Literal(c))), { minItems: 1 })),
  reference: Type.Optional(Id),
});

const PriceQuery = closed({ store: Type.Optional(Id), channel: Type.Optional(Id) });

interface Target {
  target: string;
  appliesAt: number;
}

interface PriceUpdateRecord {
  updateId: string;
  reference?: string;
  prices: Array<{ sku: string; price: number }>;
  targets: Target[];
  createdAt: number;
}

/**
 * A point of sale estate (`pos`, one target per store) or an e-commerce platform (`ecommerce`, one
 * target per sales channel). A price update is accepted at once and applied by each target after
 * its own delay; a seeded few targets lag well behind, as tills that sync overnight or a cached app
 * do. `GET /price-updates/:id` confirms target by target.
 */
export function channelRoutes(kind: 'pos' | 'ecommerce') {
  return (r: SystemRoutes, ctx: SimContext): void => {
    const { index, state, timing } = ctx;
    const updates = new Map<string, PriceUpdateRecord>();
    const bySku = new Map<string, PriceUpdateRecord[]>();
    const rng = new Rng(`baton-prices/${ctx.seed}/${kind}`);
    const all = kind === 'pos' ? index.estate.stores.map((s) => s.id) : [...WEB_CHANNELS];
    const lagging = new Set(all.filter(() => rng.chance(timing.laggingShare)));
    // at least one target lags, so the behaviour is always there to be seen
    if (lagging.size === 0) lagging.add(all[rng.int(0, all.length - 1)]!);
    const noun = kind === 'pos' ? 'store' : 'channel';

    const targetsOf = (body: { stores?: string[]; regions?: string[]; channels?: string[] }): string[] => {
      const issues: ValidationIssue[] = [];
      if (kind === 'ecommerce' && (body.stores || body.regions))
        issues.push({
          path: body.stores ? '/stores' : '/regions',
          message: 'e-commerce prices are set per channel; use channels',
        });
      if (kind === 'pos' && body.channels)
        issues.push({ path: '/channels', message: 'POS prices are set per store; use stores or regions' });
      body.regions?.forEach((reg, i) => {
        if (!index.estate.regions.some((x) => x.id === reg))
          issues.push({ path: `/regions/${i}`, message: `unknown region ${reg}` });
      });
      if (issues.length > 0) throw rejection('invalid-targets', issues);
      if (kind === 'ecommerce') return body.channels ? [...new Set(body.channels)] : all;
      if (body.stores) {
        requireKnown(
          index,
          body.stores.map((id, i) => ({ path: `/stores/${i}`, kind: 'store' as const, id })),
        );
        return [...new Set(body.stores)];
      }
      return index.estate.stores
        .filter((s) => !body.regions || body.regions.includes(s.region))
        .map((s) => s.id);
    };

    const viewOf = (u: PriceUpdateRecord) => {
      const now = ctx.clock.now();
      const applied = u.targets.filter((t) => t.appliesAt <= now).length;
      return {
        updateId: u.updateId,
        reference: u.reference,
        status: applied === u.targets.length ? 'applied' : applied === 0 ? 'pending' : 'partial',
        applied,
        pending: u.targets.length - applied,
        prices: u.prices,
        acceptedAt: new Date(u.createdAt).toISOString(),
        targets: u.targets.map((t) =>
          t.appliesAt <= now
            ? { [noun]: t.target, status: 'applied', appliedAt: new Date(t.appliesAt).toISOString() }
            : { [noun]: t.target, status: 'pending' },
        ),
      };
    };

    r.post('/price-updates', PriceUpdate, (body) => {
      requireKnown(
        index,
        body.prices.map((p, i) => ({ path: `/prices/${i}/sku`, kind: 'sku' as const, id: p.sku })),
      );
      const cents = body.prices.findIndex((p) => Math.abs(p.price * 100 - Math.round(p.price * 100)) > 1e-6);
      if (cents >= 0)
        throw rejection('invalid-price', [
          { path: `/prices/${cents}/price`, message: 'prices are in whole cents' },
        ]);
      const targets = targetsOf(body);
      if (targets.length === 0)
        throw rejection('invalid-targets', [
          { path: '/regions', message: `no ${noun} of the estate is in ${body.regions?.join(', ')}` },
        ]);
      const updateId = state.numbers.nextId('PU');
      const now = ctx.clock.now();
      const u: PriceUpdateRecord = {
        updateId,
        ...(body.reference ? { reference: body.reference } : {}),
        prices: body.prices.map((p) => ({ sku: p.sku, price: p.price })),
        targets: targets.map((target) => {
          const jitter = new Rng(`${rng.seed}/${updateId}/${target}`).float(0.5, 1.5);
          const delay = timing.priceApplyMs * jitter + (lagging.has(target) ? timing.priceLagMs : 0);
          return { target, appliesAt: now + Math.round(delay) };
        }),
        createdAt: now,
      };
      updates.set(updateId, u);
      for (const p of u.prices) bySku.set(p.sku, [...(bySku.get(p.sku) ?? []), u]);
      const latest = Math.max(...u.targets.map((t) => t.appliesAt));
      return {
        status: 202,
        headers: { location: `/price-updates/${updateId}` },
        body: {
          updateId,
          status: 'pending',
          targets: u.targets.length,
          skus: u.prices.length,
          expectedBy: new Date(latest).toISOString(),
        },
      };
    });

    r.get('/price-updates/:id', (req) => {
      const { id } = req.params as { id: string };
      const u = updates.get(id);
      if (!u) throw new NotFoundError('price update', id);
      return viewOf(u);
    });

    /** The price a shopper sees now at one store or channel: the latest applied update, else the list. */
    r.get('/prices/:sku', (req) => {
      const { sku } = req.params as { sku: string };
      const q = parse(PriceQuery, req.query, 'query');
      const item = index.skus.get(sku);
      if (!item) throw new NotFoundError('SKU', sku);
      const target = kind === 'pos' ? q.store : (q.channel ?? 'webshop');
      if (!target || !all.includes(target))
        throw rejection('invalid-targets', [
          {
            path: kind === 'pos' ? '/store' : '/channel',
            message: `name a ${noun}: ${kind === 'pos' ? 'a store id' : WEB_CHANNELS.join(', ')}`,
          },
        ]);
      const now = ctx.clock.now();
      let current: { price: number; updateId?: string } = {
        price: item.prices[kind === 'pos' ? 'store' : 'web'],
      };
      for (const u of bySku.get(sku) ?? []) {
        const t = u.targets.find((x) => x.target === target);
        if (t && t.appliesAt <= now)
          current = { price: u.prices.findLast((p) => p.sku === sku)!.price, updateId: u.updateId };
      }
      return { sku, [noun]: target, currency: index.estate.currency, ...current };
    });
  };
}
