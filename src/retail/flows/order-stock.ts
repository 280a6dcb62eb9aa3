import { ApplicationFailure, type Duration } from '../../core/index.js';
import type { WorkflowContext } from '../../engine/index.js';
import { type OrderDeps, type OrderFacts, type OrderLine, raiseException } from './order-facts.js';
import type { Line, Reservation } from './ports.js';

export interface BackorderPolicy {
  /** How often a backordered order tries to reserve what it still lacks (the OMS does not notify). */
  recheckEvery: Duration;
  /** After this many tries the order ships what it has and the rest stays backordered. */
  maxRechecks: number;
}

export interface StockResult {
  outcome: 'reserved' | 'split' | 'backorder' | 'alternate-location' | 'cancelled';
  reservations: Reservation[];
  /** Units not reserved, announced by `order.backordered`. */
  backordered: Line[];
}

const missing = (lines: Line[], reservations: Reservation[]): Line[] =>
  lines
    .map((l) => {
      const got = reservations
        .flatMap((r) => r.lines)
        .filter((x) => x.sku === l.sku)
        .reduce((s, x) => s + x.reserved, 0);
      return { sku: l.sku, qty: l.qty - got };
    })
    .filter((l) => l.qty > 0);

/**
 * Reserves the order's stock. When the location is short, fulfilment chooses: split (ship what is
 * reserved now, backorder the rest), backorder (wait until all of it can be reserved), an alternate
 * location (reserve everything there instead) or cancel. Every reservation step is compensated by
 * its release, so a later failure that retries cannot fix gives the stock back.
 */
export async function reserveStock(
  ctx: WorkflowContext,
  d: OrderDeps,
  f: OrderFacts,
  lines: OrderLine[],
  backorder: BackorderPolicy,
): Promise<StockResult> {
  const { oms, erp } = d.ports;
  const wanted: Line[] = lines.map(({ sku, qty }) => ({ sku, qty }));
  const reserve = (name: string, location: string, want: Line[], allowPartial: boolean) =>
    ctx.step(name, (call) => oms.reserve({ orderId: f.orderId, location, lines: want, allowPartial }, call), {
      retry: d.retry,
      compensate: (r, call) =>
        r.reservationId ? oms.release(r.reservationId, 'order could not be completed', call) : undefined,
    });
  const first = await reserve('reserve-stock', f.location, wanted, true);
  const short = missing(wanted, [first]);
  if (short.length === 0) return { outcome: 'reserved', reservations: [first], backordered: [] };

  const summary = short.map((l) => `${l.qty} × ${l.sku}`).join(', ');
  await raiseException(ctx, f, {
    reason: 'short-stock',
    severity: 'medium',
    message: `${f.location} is short of ${summary}`,
    role: 'fulfilment',
  });
  // locations that could take the whole order instead, for the person deciding
  const alternates = await ctx.step(
    'find-alternate-locations',
    async (call) => {
      const stock = await Promise.all(wanted.map((l) => erp.stock(l.sku, call)));
      const ok = (loc: string) =>
        wanted.every((l, i) => (stock[i]!.find((s) => s.location === loc)?.available ?? 0) >= l.qty);
      return [...new Set(stock.flat().map((s) => s.location))]
        .filter((loc) => loc !== f.location && ok(loc))
        .sort();
    },
    { retry: d.retry },
  );
  const anyReserved = first.reservationId !== undefined;
  const choice = await ctx.task<{ locationId?: string }>({
    kind: 'exception',
    title: `Short stock on ${f.orderId} at ${f.location}: ${summary}`,
    role: 'fulfilment',
    data: { orderId: f.orderId, location: f.location, short, reserved: first.lines, alternates },
    outcomes: [
      ...(anyReserved ? ['split'] : []),
      'backorder',
      ...(alternates.length > 0 ? ['alternate-location'] : []),
      'cancel-order',
    ],
    ...(alternates.length > 0
      ? { form: { type: 'object', properties: { locationId: { type: 'string', enum: alternates } } } }
      : {}),
    dueIn: '1h',
    escalateTo: 'fulfilment-lead',
  });
  const releaseFirst = () =>
    ctx.step('release-stock', async (call) => {
      if (first.reservationId) await oms.release(first.reservationId, `order ${choice.outcome}`, call);
      return { released: first.reservationId ?? null };
    });

  switch (choice.outcome) {
    case 'split':
      await announceBackorder(ctx, f, short, 'split');
      return { outcome: 'split', reservations: [first], backordered: short };
    case 'alternate-location': {
      const location = choice.values.locationId ?? alternates[0]!;
      await releaseFirst();
      const moved = await reserve('reserve-alternate', location, wanted, false);
      if (missing(wanted, [moved]).length > 0)
        throw ApplicationFailure.nonRetryable(
          `${location} could not reserve all of ${f.orderId}`,
          'short-stock',
        );
      return { outcome: 'alternate-location', reservations: [moved], backordered: [] };
    }
    case 'backorder': {
      const held = anyReserved ? [first] : [];
      let still = short;
      await announceBackorder(ctx, f, still, 'backorder');
      for (let i = 0; i < backorder.maxRechecks && still.length > 0; i++) {
        await ctx.sleep(backorder.recheckEvery);
        const more = await reserve('reserve-backorder', f.location, still, true);
        if (more.reservationId) held.push(more);
        still = missing(wanted, held);
      }
      return { outcome: 'backorder', reservations: held, backordered: still };
    }
    default:
      await releaseFirst();
      return { outcome: 'cancelled', reservations: [], backordered: short };
  }
}

/** `order.backordered`: units of the order that wait for stock, and why. */
function announceBackorder(
  ctx: WorkflowContext,
  f: OrderFacts,
  lines: Line[],
  reason: 'split' | 'backorder',
) {
  return ctx.emit(
    'order.backordered',
    { orderId: f.orderId, location: f.location, reason, lines, at: ctx.now().toISOString() },
    { subject: f.orderId },
  );
}
