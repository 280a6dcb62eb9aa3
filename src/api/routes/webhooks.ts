import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { builtinMappings, verifySignature } from '../../connectors/index.js';
import { authorize, presentedKey } from '../auth.js';
import { type Api, type ApiDeps, secured } from '../context.js';
import { ingestMapped } from '../inbound.js';
import { HttpProblem, unauthorized } from '../problem.js';
import { Issue, problems } from '../schemas.js';

/**
 * Webhooks from e-commerce platforms. They authenticate by a signature over the raw body, not by an
 * API key, so the routes are public to the key check and limited per source instead. A verified
 * delivery is mapped to order.created and ingested as `POST /v1/events` would; a delivery whose
 * signature does not match is refused with 401 and nothing is kept.
 */

const SHOPIFY_MAPPING = 'shopify-orders-create';
const MEDUSA_MAPPING = 'medusa-order-placed';

const Source = Type.Object({
  source: Type.String({
    pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
    description: 'The sender as configured under webhooks.<provider>.<source>',
  }),
});

const Delivery = Type.Object({
  status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('quarantined')]),
  id: Type.Optional(Type.String({ description: 'The event id' })),
  source: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  contractVersion: Type.Optional(Type.Integer()),
  quarantineId: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  issues: Type.Optional(Type.Array(Issue)),
});

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const rawBody = (req: FastifyRequest): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'the body is not JSON');
  }
}

export function webhookRoutes(app: Api, deps: ApiDeps): void {
  const { config, clock } = deps;
  const hooks = config.webhooks;
  // the signature covers the bytes as sent: this scope keeps every body raw
  app.register(async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const api = scope as unknown as Api;
    const perSource = (provider: string) => ({
      public: true,
      rateLimit: {
        max: hooks.rateLimitPerMinute,
        keyGenerator: (req: FastifyRequest) =>
          `webhook:${provider}:${(req.params as { source?: string }).source ?? ''}`,
      },
    });
    const rawValidator = (def: { httpPart?: string }) =>
      def.httpPart === 'body' ? () => true : deps.validator(def as never);

    api.post(
      '/v1/webhooks/shopify/:source',
      {
        config: perSource('shopify'),
        validatorCompiler: rawValidator,
        schema: {
          tags: ['events'],
          summary: 'Shopify orders/create webhook, signed with the app secret',
          description: `Verifies \`X-Shopify-Hmac-Sha256\` (base64 HMAC-SHA256 of the raw body under \`webhooks.shopify.<source>.secret\`);
a missing or wrong signature is refused with 401 and nothing is kept. \`X-Shopify-Webhook-Id\` is the event id, so a redelivery is a duplicate.
The order is mapped with the ${SHOPIFY_MAPPING} mapping to order.created and ingested like \`POST /v1/events\` (source \`/shopify/<source>\`);
an order that does not map or breaks the contract is quarantined with the reason and still answered 202. Needs no API key; limited to
\`webhooks.rateLimitPerMinute\` per source.`,
          // signed, not keyed: no API key is asked for
          security: [],
          params: Source,
          headers: Type.Object({
            'x-shopify-hmac-sha256': Type.Optional(
              Type.String({ description: 'base64 HMAC-SHA256 of the body' }),
            ),
            'x-shopify-topic': Type.Optional(Type.String({ examples: ['orders/create'] })),
            'x-shopify-webhook-id': Type.Optional(
              Type.String({ description: 'Unique per delivery; the event id' }),
            ),
            'x-shopify-shop-domain': Type.Optional(Type.String({ examples: ['baton-demo.myshopify.com'] })),
          }),
          body: {
            content: {
              'application/json': {
                schema: Type.Object({}, { description: 'A Shopify order (Admin REST JSON)' }),
              },
            },
          },
          response: { 202: Delivery, ...problems(400, 401, 403, 404, 429) },
        },
      },
      async (req, reply) => {
        const { source } = req.params;
        const shop = hooks.shopify[source];
        if (!shop)
          throw new HttpProblem(
            404,
            `no Shopify source "${source}" is configured (webhooks.shopify.${source})`,
          );
        const body = rawBody(req);
        if (!verifySignature(shop.secret, body, header(req, 'x-shopify-hmac-sha256'), 'base64'))
          throw unauthorized('the X-Shopify-Hmac-Sha256 signature is missing or does not match the body');
        const topic = header(req, 'x-shopify-topic');
        if (topic !== 'orders/create')
          throw new HttpProblem(
            400,
            `topic "${topic ?? '(none)'}" is not handled here: this route takes orders/create`,
          );
        const id = header(req, 'x-shopify-webhook-id');
        if (!id) throw new HttpProblem(400, 'X-Shopify-Webhook-Id is required: it identifies the delivery');
        const payload = parseJson(body);
        const domain = header(req, 'x-shopify-shop-domain');
        const [outcome] = await ingestMapped(
          deps,
          [
            {
              mapping: builtinMappings().get(SHOPIFY_MAPPING),
              input: payload,
              id,
              source: `/shopify/${source}`,
              received: payload,
              ...(domain ? { extensions: { shopdomain: domain } } : {}),
            },
          ],
          { publishedBy: `webhook:shopify/${source}`, receivedAt: clock.now() },
        );
        return reply.code(202).send(outcome!);
      },
    );

    api.post(
      '/v1/webhooks/medusa/:source',
      {
        config: perSource('medusa'),
        validatorCompiler: rawValidator,
        schema: {
          tags: ['events'],
          summary: 'Medusa order.placed webhook, signed or sent with an API key',
          description: `With \`webhooks.medusa.<source>.secret\` set, \`X-Medusa-Signature: sha256=<hex HMAC-SHA256 of the raw body>\` is required
(401 without it, nothing kept); without a secret the sender presents an API key that may publish order.created.
The body is \`{ "event": "order.placed", "data": <order> }\`; the event id is \`X-Medusa-Event-Id\` when sent, else \`order.placed:<order id>\`,
so a redelivery is a duplicate. Mapped with ${MEDUSA_MAPPING} to order.created and ingested like \`POST /v1/events\` (source \`/medusa/<source>\`).`,
          // a signed source needs no key; a source without a secret takes one
          security: [{}, ...secured],
          params: Source,
          headers: Type.Object({
            'x-medusa-signature': Type.Optional(
              Type.String({ description: 'sha256=<hex HMAC-SHA256 of the body>' }),
            ),
            'x-medusa-event-id': Type.Optional(Type.String()),
          }),
          body: {
            content: {
              'application/json': {
                schema: Type.Object(
                  { event: Type.Literal('order.placed'), data: Type.Object({ id: Type.String() }) },
                  { description: 'The order.placed event with the order' },
                ),
              },
            },
          },
          response: { 202: Delivery, ...problems(400, 401, 403, 404, 429) },
        },
      },
      async (req, reply) => {
        const { source } = req.params;
        const store = hooks.medusa[source];
        if (!store)
          throw new HttpProblem(
            404,
            `no Medusa source "${source}" is configured (webhooks.medusa.${source})`,
          );
        const body = rawBody(req);
        let publishedBy = `webhook:medusa/${source}`;
        if (store.secret !== undefined) {
          const presented = header(req, 'x-medusa-signature')?.replace(/^sha256=/, '');
          if (!verifySignature(store.secret, body, presented, 'hex'))
            throw unauthorized('the X-Medusa-Signature signature is missing or does not match the body');
        } else {
          req.principal = await deps.keys.resolve(presentedKey(req));
          authorize(req, 'events:publish', 'order.created');
          publishedBy = req.principal.name;
        }
        const payload = parseJson(body) as { event?: unknown; data?: { id?: unknown } } | null;
        const event = payload?.event;
        if (event !== 'order.placed')
          throw new HttpProblem(
            400,
            `event "${String(event ?? '(none)')}" is not handled here: this route takes order.placed`,
          );
        const orderId = payload?.data?.id;
        if (typeof orderId !== 'string' || orderId.length === 0)
          throw new HttpProblem(400, 'data.id is required: the Medusa order id');
        const [outcome] = await ingestMapped(
          deps,
          [
            {
              mapping: builtinMappings().get(MEDUSA_MAPPING),
              input: payload,
              id: header(req, 'x-medusa-event-id') || `order.placed:${orderId}`,
              source: `/medusa/${source}`,
              received: payload,
            },
          ],
          { publishedBy, receivedAt: clock.now() },
        );
        return reply.code(202).send(outcome!);
      },
    );
  });
}
