import { Type } from '@sinclair/typebox';
import { defineHttpConnector, httpOperation } from '../http.js';
import { Count, closed, Id, Lines, seg, Text, Time } from './schemas.js';

const Reservation = Type.Object({
  reservationId: Id,
  orderId: Id,
  location: Id,
  status: Type.Union([Type.Literal('active'), Type.Literal('released'), Type.Literal('consumed')]),
  lines: Type.Array(Type.Object({ sku: Id, requested: Count, reserved: Count })),
  createdAt: Time,
});

const OrderStatus = Type.Union(
  ['reserved', 'partially-reserved', 'released', 'picking', 'shipped'].map((s) => Type.Literal(s)),
);

/**
 * Order management: reservations over the stock the ERP reports. A reservation that gets nothing
 * (or, with `allowPartial: false`, not everything) is refused as `insufficient-stock` with the
 * `lines` it could have had.
 */
export const omsConnector = defineHttpConnector({
  system: 'oms',
  description: 'Order management: stock reservations, release, order status',
  operations: {
    reserve: httpOperation({
      method: 'POST',
      path: '/reservations',
      description: 'Reserves stock at one location; partial by default, `shortSkus` names what fell short',
      input: closed({
        orderId: Id,
        location: Id,
        lines: Lines,
        allowPartial: Type.Optional(Type.Boolean()),
      }),
      output: Type.Composite([Reservation, Type.Object({ shortSkus: Type.Array(Id) })]),
    }),
    getReservation: httpOperation({
      method: 'GET',
      path: (i) => `/reservations/${seg(i.reservationId)}`,
      input: closed({ reservationId: Id }),
      output: Reservation,
    }),
    release: httpOperation({
      method: 'POST',
      path: (i) => `/reservations/${seg(i.reservationId)}/release`,
      description: 'Gives an active reservation’s stock back',
      input: closed({ reservationId: Id, reason: Type.Optional(Text(200)) }),
      body: (i) => (i.reason ? { reason: i.reason } : {}),
      output: Type.Composite([Reservation, Type.Object({ releasedAt: Time })]),
    }),
    getOrderStatus: httpOperation({
      method: 'GET',
      path: (i) => `/orders/${seg(i.orderId)}/status`,
      description: 'Where an order is: reserved, picking, shipped… with its documents and history',
      input: closed({ orderId: Id }),
      output: Type.Object({
        orderId: Id,
        status: OrderStatus,
        reservations: Type.Array(Id),
        pickTasks: Type.Array(Id),
        shipments: Type.Array(Id),
        history: Type.Array(Type.Object({ status: OrderStatus, at: Time, by: Type.String() })),
      }),
    }),
  },
});
