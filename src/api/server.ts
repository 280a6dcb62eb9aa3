import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import type { Bus } from '../bus/index.js';
import type { Connectors } from '../connectors/index.js';
import type { ContractRegistry } from '../contracts/index.js';
import { type BatonConfig, type Logger, newId, silentLogger } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import { authorize, KeyResolver, presentedKey } from './auth.js';
import type { Api, ApiDeps } from './context.js';
import { idempotency } from './idempotency.js';
import { ensureFirstAdminKey } from './keys.js';
import { openApiOptions } from './openapi.js';
import { HttpProblem, problemFor, sendProblem } from './problem.js';
import type { Principal } from './roles.js';
import { auditRoutes } from './routes/audit.js';
import { connectorRoutes } from './routes/connectors.js';
import { contractRoutes } from './routes/contracts.js';
import { dlqRoutes } from './routes/dlq.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { posRoutes } from './routes/pos.js';
import { quarantineRoutes } from './routes/quarantine.js';
import { ruleRoutes } from './routes/rules.js';
import { runRoutes } from './routes/runs.js';
import { taskRoutes } from './routes/tasks.js';
import { webhookRoutes } from './routes/webhooks.js';
import { sharedSchemas } from './schemas.js';
import { createValidatorCompiler } from './validation.js';

export interface ApiServerOptions {
  engine: Engine;
  registry: ContractRegistry;
  /** When given, accepted events also reach its triggers and subscribers. */
  bus?: Bus;
  /** When given, the health view shows this process's breakers and dead-lettered calls can be replayed. */
  connectors?: Connectors;
  logger?: Logger;
  /** Default: the engine's configuration. */
  config?: Readonly<BatonConfig>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** What the routes work with; `listen` reads the store from it. */
    baton: ApiDeps;
  }
}

const IdempotencyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: '^[\\x21-\\x7e]{1,255}$',
      description: 'Makes the POST safe to repeat: the same key and request replay the first response',
    }),
  ),
});

/** The most generous per-minute limit that applies to a key: its own, else its roles', else the default. */
function limitFor(p: Principal | undefined, api: BatonConfig['api']): number {
  if (!p) return api.rateLimitPerMinute;
  const own = api.rateLimits[p.keyId];
  if (own !== undefined) return own;
  const byRole = p.roles.map((r) => api.rateLimits[r]).filter((v): v is number => v !== undefined);
  return byRole.length ? Math.max(...byRole) : api.rateLimitPerMinute;
}

/**
 * The HTTP API under `/v1`, with OpenAPI 3.1 at `/openapi.json`, Swagger UI at `/docs`, the event
 * catalogue at `/asyncapi.json`, and `/health` and `/ready`. Every non-public route needs an API key;
 * every error is problem+json.
 */
export function createApiServer(options: ApiServerOptions): Api {
  const { engine, registry } = options;
  const config = options.config ?? engine.config;
  const log = options.logger ?? silentLogger;
  const governance = engine.store.governance;
  const clock = engine.clock;
  const deps: ApiDeps = {
    engine,
    governance,
    registry,
    log,
    config,
    clock,
    keys: new KeyResolver(governance, clock, log),
    validator: createValidatorCompiler(),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.connectors ? { connectors: options.connectors } : {}),
  };

  const app = Fastify({
    logger: false,
    bodyLimit: config.api.bodyLimitBytes,
    genReqId: () => newId(),
    requestIdHeader: false,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('baton', deps);

  app.setValidatorCompiler(deps.validator);
  // responses are documented by their schemas but written as they are: nothing is silently dropped
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const s of sharedSchemas) app.addSchema(s);

  // events and commands are JSON; plain text would only be misread
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    ['application/cloudevents+json', 'application/cloudevents-batch+json'],
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.setErrorHandler((err, req, reply) => sendProblem(reply, problemFor(err, req, log)));
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problemFor(new HttpProblem(404, `no route ${req.method} ${req.url}`), req, log)),
  );

  // every POST documents and checks the Idempotency-Key header
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST') || !route.schema) return;
    const own = route.schema.headers as { properties?: object } | undefined;
    route.schema.headers = own
      ? { ...own, properties: { ...IdempotencyHeader.properties, ...own.properties } }
      : IdempotencyHeader;
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const route = req.routeOptions;
    if (route.config.public || route.url === undefined || route.url.startsWith('/docs')) return;
    req.principal = await deps.keys.resolve(presentedKey(req));
    if (route.config.permission) authorize(req, route.config.permission);
  });

  // a POST without a body reads as an empty object: "from is required" beats "body must be object"
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined && req.routeOptions.schema?.body) req.body = {};
  });

  idempotency(app, { governance, clock, ttlMs: config.api.idempotencyTtlMs, log });

  app.register(swagger, openApiOptions);
  app.register(swaggerUi, { routePrefix: '/docs' });
  app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    max: (req) => limitFor(req.principal, config.api),
    keyGenerator: (req) => (req.principal ? `key:${req.principal.keyId}` : `ip:${req.ip}`),
    errorResponseBuilder: (req, ctx) =>
      new HttpProblem(
        429,
        `${req.principal ? `key ${req.principal.keyId}` : 'this client'} exceeded ${ctx.max} requests per minute; retry in ${ctx.after}`,
        { retryAfterSeconds: Math.ceil(ctx.ttl / 1000) },
      ),
  });

  app.register(async (api) => {
    const v1 = api as unknown as Api;
    v1.get(
      '/openapi.json',
      { config: { public: true }, schema: { hide: true } },
      async () => app.swagger() as unknown as Record<string, unknown>,
    );
    healthRoutes(v1, deps);
    eventRoutes(v1, deps);
    quarantineRoutes(v1, deps);
    contractRoutes(v1, deps);
    runRoutes(v1, deps);
    taskRoutes(v1, deps);
    keyRoutes(v1, deps);
    auditRoutes(v1, deps);
    webhookRoutes(v1, deps);
    posRoutes(v1, deps);
    connectorRoutes(v1, deps);
    dlqRoutes(v1, deps);
    ruleRoutes(v1, deps);
  });
  return app;
}

/**
 * Starts serving. On a fresh installation (no key at all) the first admin key is created and returned:
 * print it once, it is not stored anywhere in readable form.
 */
export async function listen(
  app: Api,
  at: { port?: number; host?: string } = {},
): Promise<{ url: string; firstAdminKey?: string }> {
  const { governance, clock, config } = app.baton;
  const first = await ensureFirstAdminKey(governance, clock.now());
  const url = await app.listen({ port: at.port ?? config.api.port, host: at.host ?? config.api.host });
  return first ? { url, firstAdminKey: first.secret } : { url };
}
