import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BatonError, type Logger, ValidationError } from '../core/index.js';

/**
 * RFC 9457 problem details: the body of every error response, as `application/problem+json`.
 * Baton errors map through their `status`; anything unexpected is a 500 that names the request id
 * for the logs and never carries a stack trace or an internal message.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  /** Validation problems, each with the JSON pointer of the offending value. */
  errors?: Array<{ pointer: string; detail: string; in?: string }>;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const SLUGS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'rate-limited',
  500: 'internal',
  503: 'unavailable',
  504: 'timeout',
};

const typeOf = (status: number, slug?: string) =>
  `urn:baton:problem:${slug ?? SLUGS[status] ?? (status >= 500 ? 'internal' : 'bad-request')}`;

/** An HTTP-level refusal (authentication, authorisation, rate limits, request conflicts). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    readonly slug?: string,
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

export const unauthorized = (detail: string) => new HttpProblem(401, detail);
export const forbidden = (detail: string) => new HttpProblem(403, detail);

/** Fastify's own request errors: their codes and the status each maps to. */
const FASTIFY_CODES: Record<string, number> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_JSON_BODY: 400,
};

interface AjvIssue {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function describe(e: AjvIssue): string {
  const allowed = e.params?.allowedValues;
  if (e.keyword === 'enum' && Array.isArray(allowed)) return `must be one of ${allowed.join(', ')}`;
  return e.message ?? 'is invalid';
}

function pointerOf(e: AjvIssue): string {
  const missing = e.params?.missingProperty;
  const extra = e.params?.additionalProperty;
  const leaf = missing ?? extra;
  const base = e.instancePath ?? '';
  return leaf === undefined ? base : `${base}/${String(leaf).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The problem for an error raised while serving `req`. */
export function problemFor(err: unknown, req: FastifyRequest, log: Logger): Problem {
  const base = (status: number, detail: string, slug?: string): Problem => ({
    type: typeOf(status, slug),
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    detail,
    instance: req.url,
    requestId: req.id,
  });
  if (err instanceof HttpProblem) return { ...base(err.status, err.message, err.slug), ...err.extensions };
  if (err instanceof ValidationError) {
    return {
      ...base(400, err.message, 'validation'),
      errors: err.issues.map((i) => ({ pointer: i.path, detail: i.message })),
    };
  }
  if (err instanceof BatonError) {
    if (err.status >= 500 && err.status !== 503 && err.status !== 504) {
      log.error('request failed', { requestId: req.id, url: req.url, error: err.message });
      return base(500, `the request failed unexpectedly; quote request id ${req.id} when reporting it`);
    }
    const p = base(err.status, err.message, err.code.toLowerCase().replace(/_/g, '-'));
    const { details } = err;
    // conflict details (for example the incompatible changes of a schema) help the caller fix the request
    const extra = {
      ...details,
      ...('changes' in err ? { changes: (err as { changes: unknown }).changes } : {}),
    };
    if (err.status === 409) for (const [k, v] of Object.entries(extra)) if (!(k in p)) p[k] = v;
    return p;
  }
  const fe = err as Partial<FastifyError> & { validation?: unknown[]; validationContext?: string };
  if (Array.isArray(fe.validation)) {
    const where = fe.validationContext ?? 'body';
    const errors = (fe.validation as AjvIssue[]).map((e) => ({
      pointer: pointerOf(e),
      detail: describe(e),
      ...(where === 'body' ? {} : { in: where === 'querystring' ? 'query' : where }),
    }));
    const first = errors[0];
    const detail = first
      ? `${where === 'querystring' ? 'query' : where} ${first.pointer || '(root)'} ${first.detail}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`
      : `the request ${where} is invalid`;
    return { ...base(400, detail, 'validation'), errors };
  }
  const code = typeof fe.code === 'string' ? fe.code : '';
  const mapped = FASTIFY_CODES[code];
  const status =
    mapped ??
    (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500);
  if (status >= 500) {
    log.error('request failed', {
      requestId: req.id,
      url: req.url,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    return base(500, `the request failed unexpectedly; quote request id ${req.id} when reporting it`);
  }
  if (status === 415)
    return base(
      415,
      `content type "${req.headers['content-type'] ?? '(none)'}" is not accepted; send application/json (events also as application/cloudevents+json or application/cloudevents-batch+json)`,
    );
  return base(status, fe.message ?? TITLES[status] ?? 'the request was refused');
}

/** Sends `problem` as `application/problem+json`. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}
