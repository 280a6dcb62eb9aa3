import { Type } from '@sinclair/typebox';
import { type Api, type ApiDeps, actorOf, secured } from '../context.js';
import { createKey, keyView, revokeKey } from '../keys.js';
import { ApiKey, problems, RoleName, ref } from '../schemas.js';

/** API keys: create (the secret is in this one response only), list, revoke. */
export function keyRoutes(app: Api, { governance, clock, keys }: ApiDeps): void {
  app.get(
    '/v1/keys',
    {
      config: { permission: 'keys:manage' },
      schema: {
        tags: ['keys'],
        summary: 'List API keys (never their secrets)',
        security: secured,
        response: { 200: Type.Object({ items: Type.Array(ref(ApiKey)) }), ...problems() },
      },
    },
    async () => ({ items: (await governance.listApiKeys()).map(keyView) }),
  );

  app.post(
    '/v1/keys',
    {
      config: {
        permission: 'keys:manage',
        // the secret exists only in the first answer: a replay says the key was made, without it
        replayable: (body) => ({ ...(body as object), secret: undefined }),
      },
      schema: {
        tags: ['keys'],
        summary: 'Create an API key; the secret is shown in this response only',
        security: secured,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            roles: Type.Array(RoleName, { minItems: 1 }),
            scopes: Type.Optional(
              Type.Array(Type.String(), {
                description: 'Narrow the roles, for example events:publish:order.* or tasks:complete:finance',
              }),
            ),
            principal: Type.Optional(
              Type.String({ description: 'Who the key acts as, for example svc:shop or user:ana' }),
            ),
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            key: ref(ApiKey),
            secret: Type.Optional(
              Type.String({
                description:
                  'The key itself: store it now, it cannot be shown again (absent when a repeated Idempotency-Key replays this answer)',
              }),
            ),
          }),
          ...problems(),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const issued = await createKey(
        governance,
        {
          name: b.name,
          roles: b.roles,
          ...(b.scopes ? { scopes: b.scopes } : {}),
          ...(b.principal !== undefined ? { principal: b.principal } : {}),
          ...(b.expiresAt !== undefined ? { expiresAt: Date.parse(b.expiresAt) } : {}),
        },
        actorOf(req),
        clock.now(),
      );
      return reply
        .code(201)
        .header('location', `/v1/keys/${issued.record.id}`)
        .header('cache-control', 'no-store')
        .send({ key: keyView(issued.record), secret: issued.secret });
    },
  );

  app.post(
    '/v1/keys/:id/revoke',
    {
      config: { permission: 'keys:manage' },
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key at once',
        security: secured,
        params: Type.Object({ id: Type.String({ minLength: 1 }) }),
        response: { 200: ref(ApiKey), ...problems(404, 409, 422) },
      },
    },
    async (req) => {
      const revoked = await revokeKey(governance, req.params.id, actorOf(req), clock.now());
      keys.forget(revoked.id);
      return keyView(revoked);
    },
  );
}
