import { Type } from '@sinclair/typebox';
import { ApplicationFailure, ConflictError, NotFoundError } from '../../core/index.js';
import type { SimContext } from '../context.js';
import type { SystemRoutes } from '../http.js';
import type { Reservation } from '../state.js';
import { closed, Id, Lines, requireKnown } from './schemas.js';

const ReserveRequest = closed({
  orderId: Id,
  location: Id,
  lines: Lines,
  /** When false, a reservation is all or nothing. */
  allowPartial: Type.Optional(Type.Boolean()),
});

const ReleaseRequest = closed({ reason: Type.Optional(Type.String({ maxLength: 200 })) });

/**
 * The OMS: promises stock to orders and tracks each order's status as the WMS picks and ships it.
 * Reservations draw on the same stock the ERP reports, so a reserved unit is not available to a
 * transfer or another order.
 */
export function omsRoutes(r: SystemRoutes, ctx: SimContext): void {
  const { index, state } = ctx;

  r.post('/reservations', ReserveRequest, (body) => {
    requireKnown(index, [
      { path: '/location', kind: 'location', id: body.location },
      ...body.lines.map((l, i) => ({ path: `/lines/${i}/sku`, kind: 'sku' as const, id: l.sku })),
    ]);
    const partial = body.allowPartial ?? true;
    const granted = new Map<string, number>();
    const lines = body.lines.map((l) => {
      const free = state.stock.available(l.sku, body.location) - (granted.get(l.sku) ?? 0);
      const reserved = Math.max(0, Math.min(l.qty, free));
      granted.set(l.sku, (granted.get(l.sku) ?? 0) + reserved);
      return { sku: l.sku, requested: l.qty, reserved };
    });
    const short = lines.filter((l) => l.reserved < l.requested);
    if (lines.every((l) => l.reserved === 0) || (!partial && short.length > 0))
      throw ApplicationFailure.nonRetryable(
        `not enough stock at ${body.location} for order ${body.orderId}: ${short.map((l) => `${l.sku} ${l.reserved}/${l.requested}`).join(', ')}`,
        'insufficient-stock',
        { location: body.location, lines },
      );
    for (const l of lines) if (l.reserved > 0) state.stock.reserve(l.sku, body.location, l.reserved);
    const reservation: Reservation = {
      reservationId: state.numbers.nextId('RSV'),
      orderId: body.orderId,
      location: body.location,
      status: 'active',
      lines,
      createdAt: state.nowIso(),
    };
    state.reservations.set(reservation.reservationId, reservation);
    const track = state.trackOrder(body.orderId, short.length > 0 ? 'partially-reserved' : 'reserved', 'oms');
    track.reservations.push(reservation.reservationId);
    return { status: 201, body: { ...reservation, shortSkus: short.map((l) => l.sku) } };
  });

  r.get('/reservations/:id', (req) => {
    const { id } = req.params as { id: string };
    const res = state.reservations.get(id);
    if (!res) throw new NotFoundError('reservation', id);
    return res;
  });

  r.post('/reservations/:id/release', ReleaseRequest, (body, req) => {
    const { id } = req.params as { id: string };
    const res = state.reservations.get(id);
    if (!res) throw new NotFoundError('reservation', id);
    if (res.status !== 'active')
      throw new ConflictError(
        `reservation ${id} is ${res.status}; only an active reservation can be released`,
        {
          status: res.status,
        },
      );
    for (const l of res.lines) {
      state.stock.unreserve(l.sku, res.location, l.reserved);
      l.reserved = 0;
    }
    res.status = 'released';
    const others = state.orders
      .get(res.orderId)
      ?.reservations.some((other) => state.reservations.get(other)?.status === 'active');
    if (!others) state.trackOrder(res.orderId, 'released', 'oms');
    return { body: { ...res, releasedAt: state.nowIso(), reason: body.reason } };
  });

  r.get('/orders/:id/status', (req) => {
    const { id } = req.params as { id: string };
    const track = state.orders.get(id);
    if (!track) throw new NotFoundError('order', id);
    return track;
  });
}
