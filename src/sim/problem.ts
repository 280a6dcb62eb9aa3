import type { FastifyReply } from 'fastify';
import { ApplicationFailure, BatonError, ValidationError } from '../core/index.js';
import type { SystemName } from './names.js';

/**
 * RFC 9457 problem details as the simulated systems answer them. Business rejections (credit
 * limit, negative stock, price mismatch) are `ApplicationFailure`s and answer 422 with the
 * failure's type in the problem type, e.g. `urn:baton:sim:erp:credit-limit-exceeded`, and its
 * details as extension members, so a client can tell a rule from a fault.
 */
export interface SimProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  system: SystemName;
  errors?: Array<{ pointer: string; detail: string }>;
  [extension: string]: unknown;
}

export const PROBLEM_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** A refusal that is not a domain error: an injected fault, a misused idempotency key, bad JSON. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly slug: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpRefusal';
  }
}

export function problemOf(system: SystemName, err: unknown, instance: string): SimProblem {
  const make = (
    status: number,
    slug: string,
    detail: string,
    extra: Record<string, unknown> = {},
  ): SimProblem => {
    const p: SimProblem = {
      type: `urn:baton:sim:${system}:${slug}`,
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      instance,
      system,
    };
    // extension members never override the standard ones
    for (const [k, v] of Object.entries(extra)) if (!(k in p)) p[k] = v;
    return p;
  };
  if (err instanceof HttpRefusal) return make(err.status, err.slug, err.message, err.extensions);
  if (err instanceof ValidationError)
    return {
      ...make(400, 'validation', err.message),
      errors: err.issues.map((i) => ({ pointer: i.path, detail: i.message })),
    };
  if (err instanceof ApplicationFailure) return make(422, err.type, err.message, err.details);
  if (err instanceof BatonError && err.status < 500)
    return make(err.status, err.code.toLowerCase().replace(/_/g, '-'), err.message, err.details);
  const fe = err as { statusCode?: unknown; message?: unknown; code?: unknown };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
    return make(
      fe.statusCode,
      fe.statusCode === 415 ? 'unsupported-media-type' : 'bad-request',
      String(fe.message),
    );
  return make(500, 'internal', `the ${system} system failed to process the request`);
}

export function sendProblem(reply: FastifyReply, problem: SimProblem): FastifyReply {
  const retryAfter = problem.retryAfterSeconds;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  return reply.code(problem.status).type(PROBLEM_TYPE).send(problem);
}
