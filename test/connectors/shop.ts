import { Type } from '@sinclair/typebox';
import {
  type ConnectorDefinition,
  defineHttpConnector,
  httpOperation,
  type Operations,
} from '../../src/connectors/index.js';

/** A small system for the tests: one write and one read. */
export const shop = defineHttpConnector({
  system: 'shop',
  operations: {
    place: httpOperation({
      method: 'POST',
      path: '/orders',
      input: Type.Object({ orderId: Type.String({ minLength: 1 }), qty: Type.Integer({ minimum: 1 }) }),
      output: Type.Object({ ok: Type.Boolean(), key: Type.Optional(Type.String()) }),
    }),
    get: httpOperation({
      method: 'GET',
      path: (i) => `/orders/${encodeURIComponent(i.orderId)}`,
      input: Type.Object({ orderId: Type.String() }),
      output: Type.Object({ ok: Type.Boolean() }),
    }),
  },
});

export const definitions = [shop] as unknown as ConnectorDefinition<Operations>[];
