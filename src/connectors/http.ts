import type { Static, TSchema } from '@sinclair/typebox';
import { ConfigError, type ConnectorSettings } from '../core/index.js';
import {
  type ConnectorDefinition,
  type ConnectorSpec,
  defineConnector,
  type InvokeContext,
  type OperationSpec,
} from './define.js';
import { connectorFailure, FAILURE, isNetworkError, kindOfStatus, parseRetryAfter } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A path function, checked bivariantly so operations with different inputs share one record type. */
type PathOf<I> = { path(input: I): string }['path'];

/** An operation that is one JSON request: the path (and query) from the input, the input as the body. */
export interface HttpOperationSpec<I extends TSchema = TSchema, O extends TSchema = TSchema> {
  method: HttpMethod;
  /** Relative to the system's `baseUrl`, e.g. `/reservations` or `(i) => \`/orders/${i.orderId}\``. */
  path: string | PathOf<Static<I>>;
  input: I;
  output: O;
  description?: string;
  query?(input: Static<I>): Record<string, string | number | undefined>;
  /** The request body; default: the whole input (none for GET and DELETE). */
  body?(input: Static<I>): unknown;
  /** A body that is not JSON (an X12 document): its media type; `body` then returns the text to send. */
  contentType?: string;
  /** `text`: the answer is returned as text (an X12 document), not parsed as JSON. Default `json`. */
  responseType?: 'json' | 'text';
}

/** Declares one HTTP operation with its input type inferred for `path`, `query` and `body`. */
export function httpOperation<I extends TSchema, O extends TSchema>(
  spec: HttpOperationSpec<I, O>,
): HttpOperationSpec<I, O> {
  return spec;
}

export interface HttpConnectorSpec<H extends Record<string, HttpOperationSpec>> {
  system: string;
  description?: string;
  operations: H;
  /** A GET that answers 2xx while the system is healthy. Default `/health`. */
  healthPath?: string;
  limits?: ConnectorSpec<never>['limits'];
}

type AsOperations<H extends Record<string, HttpOperationSpec>> = {
  [K in keyof H]: OperationSpec<H[K]['input'], H[K]['output']>;
};

/** A connector whose operations talk JSON over HTTP (Node's global `fetch`). */
export function defineHttpConnector<H extends Record<string, HttpOperationSpec>>(
  spec: HttpConnectorSpec<H>,
): ConnectorDefinition<AsOperations<H>> {
  const operations = Object.fromEntries(
    Object.entries(spec.operations).map(([name, op]) => [
      name,
      {
        input: op.input,
        output: op.output,
        ...(op.description ? { description: op.description } : {}),
        invoke: (input: unknown, ctx: InvokeContext) => requestJson(op, input, ctx),
      } satisfies OperationSpec,
    ]),
  ) as AsOperations<H>;
  const healthPath = spec.healthPath ?? '/health';
  return defineConnector({
    system: spec.system,
    ...(spec.description ? { description: spec.description } : {}),
    operations,
    ...(spec.limits ? { limits: spec.limits } : {}),
    async health({ settings, signal }) {
      const res = await fetch(urlOf(spec.system, settings, healthPath), {
        headers: { accept: 'application/json', ...settings.headers },
        signal,
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`${spec.system} health check answered ${res.status}`);
    },
  });
}

function urlOf(system: string, settings: Readonly<ConnectorSettings>, path: string): URL {
  if (!settings.baseUrl)
    throw new ConfigError(`connectors.${system}.baseUrl is not set: where does ${system} answer?`);
  const base = settings.baseUrl.endsWith('/') ? settings.baseUrl : `${settings.baseUrl}/`;
  return new URL(path.replace(/^\//, ''), base);
}

async function requestJson(op: HttpOperationSpec, input: unknown, ctx: InvokeContext): Promise<unknown> {
  const { system, operation } = ctx;
  const url = urlOf(system, ctx.settings, typeof op.path === 'function' ? op.path(input) : op.path);
  for (const [k, v] of Object.entries(op.query?.(input) ?? {}))
    if (v !== undefined) url.searchParams.set(k, String(v));
  const hasBody = op.method !== 'GET' && op.method !== 'DELETE';
  const headers: Record<string, string> = {
    accept: op.responseType === 'text' ? '*/*' : 'application/json, application/problem+json',
    'idempotency-key': ctx.idempotencyKey,
    ...ctx.settings.headers,
  };
  if (hasBody) headers['content-type'] = op.contentType ?? 'application/json';
  const payload = op.body ? op.body(input) : input;
  let res: Response;
  try {
    res = await fetch(url, {
      method: op.method,
      headers,
      ...(hasBody ? { body: op.contentType ? String(payload) : JSON.stringify(payload) } : {}),
      signal: ctx.signal,
    });
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
    const why = isNetworkError(err) ? describe(err) : String(err);
    throw connectorFailure(FAILURE.unavailable, `${system} ${operation}: ${why}`, { system, operation });
  }
  const text = await res.text();
  if (res.ok && op.responseType === 'text') return text;
  const body = parseJson(text);
  if (res.ok) return res.status === 204 || text === '' ? null : body;
  const kind = kindOfStatus(res.status);
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const problem = body ?? (text ? text.slice(0, 500) : undefined);
  throw connectorFailure(kind, `${system} ${operation} answered ${res.status}${summary(problem)}`, {
    system,
    operation,
    status: res.status,
    problem,
    retryAfterMs,
  });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `: detail` from problem details or a JSON error, when the system gave one. */
function summary(problem: unknown): string {
  if (typeof problem === 'string') return `: ${problem.slice(0, 200)}`;
  if (problem && typeof problem === 'object') {
    const p = problem as { detail?: unknown; title?: unknown; message?: unknown; error?: unknown };
    const text = [p.detail, p.message, p.title, p.error].find((v) => typeof v === 'string');
    if (text) return `: ${text}`;
  }
  return '';
}

/** The innermost message and code of a fetch failure (`connect ECONNREFUSED 127.0.0.1:8081`). */
function describe(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && (e as { cause?: unknown })?.cause; depth++)
    e = (e as { cause: unknown }).cause;
  return e instanceof Error ? e.message : String(e);
}
