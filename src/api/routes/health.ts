import { Type } from '@sinclair/typebox';
import type { Api, ApiDeps } from '../context.js';
import { HttpProblem } from '../problem.js';
import { problems } from '../schemas.js';

/** Liveness and readiness, for load balancers and orchestrators; no key needed. */
export function healthRoutes(app: Api, { engine, registry, log }: ApiDeps): void {
  const open = { public: true, rateLimit: false } as const;
  app.get(
    '/health',
    {
      config: open,
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: open,
      schema: {
        tags: ['health'],
        summary: 'The process can serve: the database answers',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), database: Type.Literal('ok') }),
          ...problems(503),
        },
      },
    },
    async () => {
      try {
        await engine.store.getRun('readiness-probe');
      } catch (err) {
        log.warn('readiness check failed', { error: String(err) });
        throw new HttpProblem(503, 'the database does not answer');
      }
      return { status: 'ready' as const, database: 'ok' as const };
    },
  );

  app.get(
    '/asyncapi.json',
    {
      config: open,
      schema: {
        tags: ['contracts'],
        summary: 'The event catalogue as an AsyncAPI 3.0 document',
        response: { 200: Type.Record(Type.String(), Type.Unknown()) },
      },
    },
    () => registry.asyncApi() as Promise<Record<string, unknown>>,
  );
}
