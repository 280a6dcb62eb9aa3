import { Type } from '@sinclair/typebox';
import type { ConnectorDefinition, Operations } from './define.js';
import { defineHttpConnector, httpOperation } from './http.js';

/**
 * The built-in connectors: the requests the reference workflows make to the retail estate, in the
 * shape the estate simulator (`baton sim`) serves them. Each system's `baseUrl` comes from
 * `connectors.<system>.baseUrl`. Outputs name the fields Baton reads; systems may send more.
 */

const Id = Type.String({ minLength: 1, maxLength: 64 });
const Money = Type.Number({ exclusiveMinimum: 0 });
const Currency = Type.String({ minLength: 3, maxLength: 3 });
const Lines = Type.Array(Type.Object({ sku: Id, qty: Type.Integer({ minimum: 1 }) }), { minItems: 1 });

export const erpConnector = defineHttpConnector({
  system: 'erp',
  description: 'ERP: credit checks and customer master data',
  limits: { maxConcurrent: 5, perSecond: 50 },
  operations: {
    checkCredit: httpOperation({
      method: 'POST',
      path: '/credit-checks',
      description: 'Whether a customer may buy for this amount on account',
      input: Type.Object({
        customerId: Id,
        amount: Money,
        currency: Type.Optional(Currency),
        orderId: Type.Optional(Id),
      }),
      output: Type.Object({ approved: Type.Boolean(), available: Type.Optional(Type.Number()) }),
    }),
    getCustomer: httpOperation({
      method: 'GET',
      path: (i) => `/customers/${encodeURIComponent(i.customerId)}`,
      input: Type.Object({ customerId: Id }),
      output: Type.Object({ id: Id }),
    }),
  },
});

export const omsConnector = defineHttpConnector({
  system: 'oms',
  description: 'Order management: stock reservations',
  operations: {
    reserve: httpOperation({
      method: 'POST',
      path: '/reservations',
      input: Type.Object({
        orderId: Id,
        location: Id,
        lines: Lines,
        allowPartial: Type.Optional(Type.Boolean()),
      }),
      output: Type.Object({ reservationId: Id, shortSkus: Type.Array(Type.String()) }),
    }),
    release: httpOperation({
      method: 'POST',
      path: (i) => `/reservations/${encodeURIComponent(i.reservationId)}/release`,
      input: Type.Object({ reservationId: Id, reason: Type.Optional(Type.String({ maxLength: 200 })) }),
      body: (i) => (i.reason ? { reason: i.reason } : {}),
      output: Type.Unknown(),
    }),
  },
});

export const crmConnector = defineHttpConnector({
  system: 'crm',
  description: 'CRM: customer notifications',
  operations: {
    notify: httpOperation({
      method: 'POST',
      path: '/notifications',
      input: Type.Object({
        customerId: Id,
        channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
        template: Type.String({ minLength: 1, maxLength: 80 }),
        subject: Type.Optional(Type.String({ maxLength: 200 })),
        message: Type.Optional(Type.String({ maxLength: 2000 })),
        reference: Type.Optional(Id),
      }),
      output: Type.Object({ notificationId: Id }),
    }),
  },
});

export const financeConnector = defineHttpConnector({
  system: 'finance',
  description: 'Finance: refunds',
  operations: {
    refund: httpOperation({
      method: 'POST',
      path: '/refunds',
      input: Type.Object({
        returnId: Id,
        amount: Money,
        method: Type.Union([
          Type.Literal('original-payment'),
          Type.Literal('store-credit'),
          Type.Literal('cash'),
          Type.Literal('credit-note'),
        ]),
        orderId: Type.Optional(Id),
        customerId: Type.Optional(Id),
        currency: Type.Optional(Currency),
        reason: Type.Optional(Type.String({ maxLength: 200 })),
      }),
      output: Type.Object({ refundId: Id }),
    }),
  },
});

export const builtinConnectors: ReadonlyArray<ConnectorDefinition<Operations>> = [
  erpConnector,
  omsConnector,
  crmConnector,
  financeConnector,
] as unknown as ReadonlyArray<ConnectorDefinition<Operations>>;
