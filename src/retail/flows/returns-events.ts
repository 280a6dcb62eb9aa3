import { type Static, Type } from '@sinclair/typebox';

/**
 * The inbound events of the returns flow, Baton's own types. The catalogue's `return.authorized`
 * is the *result* of authorisation, which this flow decides by policy and then publishes; a flow
 * started by it would start again on its own output. So a channel sends the customer's request:
 *
 * - `return.requested`: what the customer wants to return, from the web shop, the store desk or
 *   customer service, with each line's condition as declared and the price paid.
 * - `return.arrived`: the warehouse's goods-in count of the parcel, with what came back damaged.
 */

const ReturnId = Type.String({ pattern: '^RMA-[0-9A-Z-]{3,32}$' });
const Sku = Type.String({ minLength: 1, maxLength: 64 });
const closed = { additionalProperties: false } as const;

export const ReturnRequestedSchema = Type.Object(
  {
    returnId: ReturnId,
    orderId: Type.String({ pattern: '^[A-Z]{2,4}-[0-9A-Z-]{3,32}$' }),
    channel: Type.Union(
      ['pos', 'web', 'mobile-app', 'marketplace', 'b2b-edi', 'call-centre'].map((c) => Type.Literal(c)),
    ),
    customerId: Type.String({ minLength: 1, maxLength: 64 }),
    /** When the goods were bought: the return window counts from here. */
    purchasedAt: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T' }),
    method: Type.Union([Type.Literal('mail'), Type.Literal('in-store'), Type.Literal('carrier-pickup')]),
    returnLocationId: Type.String({ pattern: '^(ST|DC|WH)-[A-Z0-9-]{1,20}$' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    lines: Type.Array(
      Type.Object(
        {
          sku: Sku,
          quantity: Type.Integer({ minimum: 1 }),
          reason: Type.Union(
            [
              'damaged',
              'defective',
              'wrong-item',
              'not-as-described',
              'size-fit',
              'changed-mind',
              'late',
            ].map((r) => Type.Literal(r)),
          ),
          condition: Type.Union(['unopened', 'opened', 'damaged', 'defective'].map((c) => Type.Literal(c))),
          /** The product category the channel shows (apparel, electronics, beauty, grocery, home, …). */
          category: Type.String({ minLength: 1, maxLength: 40 }),
          unitPrice: Type.Number({ minimum: 0 }),
        },
        closed,
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  closed,
);
export type ReturnRequested = Static<typeof ReturnRequestedSchema>;

export const ReturnArrivedSchema = Type.Object(
  {
    returnId: ReturnId,
    inspectedBy: Type.String({ minLength: 1, maxLength: 120 }),
    lines: Type.Array(
      Type.Object(
        {
          sku: Sku,
          quantity: Type.Integer({ minimum: 0 }),
          damaged: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        closed,
      ),
      { minItems: 1 },
    ),
  },
  closed,
);
export type ReturnArrived = Static<typeof ReturnArrivedSchema>;
