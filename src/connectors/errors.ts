import { ApplicationFailure } from '../core/index.js';

/**
 * How a call to a system can fail. Each kind is an `ApplicationFailure` type, so the engine's step
 * retry reads the same `retryable` flag the connector client does, and workflows can list kinds in
 * `retry.nonRetryableTypes` or match them in a `catch`.
 */
export const FAILURE = {
  /** Connection refused or reset, DNS failure, 502, 503, 504: the system is not there right now. */
  unavailable: 'connector.unavailable',
  /** An attempt ran over its time limit. */
  timeout: 'connector.timeout',
  /** 429: the system asks us to slow down (its `Retry-After` is honoured). */
  rateLimited: 'connector.rate-limited',
  /** The breaker of the system is open: no request was made. */
  circuitOpen: 'connector.circuit-open',
  /** A 4xx answer: the system refused the request (validation, a business rule). Not retried. */
  rejected: 'connector.rejected',
  /** A 500 or another answer that retrying the same request is not expected to fix. */
  failed: 'connector.failed',
  /** The answer does not match the operation's output schema. */
  invalidResponse: 'connector.invalid-response',
  /** The caller gave up (its signal was aborted, for example the step timed out). */
  cancelled: 'connector.cancelled',
} as const;

export type FailureKind = (typeof FAILURE)[keyof typeof FAILURE];

export interface FailureDetails {
  system: string;
  operation: string;
  status?: number;
  /** The system's problem details (RFC 9457) or JSON error body, when it sent one. */
  problem?: unknown;
  retryAfterMs?: number;
}

const RETRYABLE: ReadonlySet<string> = new Set([
  FAILURE.unavailable,
  FAILURE.timeout,
  FAILURE.rateLimited,
  FAILURE.circuitOpen,
  FAILURE.cancelled,
]);

/** Failures that say the system is unwell: these count toward opening its breaker. */
const SYSTEM_FAILURES: ReadonlySet<string> = new Set([FAILURE.unavailable, FAILURE.timeout, FAILURE.failed]);

export function connectorFailure(
  kind: FailureKind,
  message: string,
  details: FailureDetails,
): ApplicationFailure {
  const clean = Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
  return new ApplicationFailure(message, kind, {
    retryable: RETRYABLE.has(kind),
    ...(details.retryAfterMs !== undefined ? { nextRetryDelayMs: details.retryAfterMs } : {}),
    details: clean,
  });
}

export function isConnectorFailure(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && err.type.startsWith('connector.');
}

export function countsAgainstBreaker(err: unknown): boolean {
  return isConnectorFailure(err) && SYSTEM_FAILURES.has(err.type);
}

/** The HTTP status a failure carries, if any. */
export function statusOf(err: unknown): number | undefined {
  const s = isConnectorFailure(err) ? err.details?.status : undefined;
  return typeof s === 'number' ? s : undefined;
}

/** The failure kind of an HTTP status that is not a success. */
export function kindOfStatus(status: number): FailureKind {
  if (status === 429) return FAILURE.rateLimited;
  if (status === 408 || status === 502 || status === 503 || status === 504) return FAILURE.unavailable;
  if (status >= 400 && status < 500) return FAILURE.rejected;
  return FAILURE.failed;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Whether `err` (from `fetch`) is a transport failure: nothing usable came back. */
export function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof TypeError && /fetch failed|terminated|socket/i.test(err.message);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A system's refusal of a request, read from its problem details so a workflow can branch on it. */
export interface Rejection {
  status: number;
  /** The problem type as sent, e.g. `urn:baton:sim:erp:credit-limit-exceeded`. */
  type: string;
  /**
   * The last segment of the type (after `:`, `/` or `#`), e.g. `credit-limit-exceeded`; for an
   * untyped problem, the status's: `not-found`, `conflict`, `bad-request`, `unprocessable`.
   */
  reason: string;
  detail: string;
  /** The whole problem, with the system's extension members (`errors`, `available`, `lines`…). */
  problem: Readonly<Record<string, unknown>>;
}

/** The rejection a `connector.rejected` failure carries; undefined for any other error. */
export function rejectionOf(err: unknown): Rejection | undefined {
  if (!isConnectorFailure(err) || err.type !== FAILURE.rejected) return undefined;
  const raw = err.details?.problem;
  const problem = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const status = statusOf(err) ?? 400;
  const type = typeof problem.type === 'string' && problem.type !== '' ? problem.type : 'about:blank';
  const detail = [problem.detail, problem.title, typeof raw === 'string' ? raw : undefined].find(
    (v): v is string => typeof v === 'string',
  );
  // an untyped problem (about:blank) is named by its status
  const reason =
    type === 'about:blank'
      ? (STATUS_REASONS[status] ?? 'rejected')
      : (type.split(/[:/#]/).filter(Boolean).at(-1) ?? type);
  return { status, type, reason, detail: detail ?? err.message, problem };
}

const STATUS_REASONS: Record<number, string> = {
  400: 'bad-request',
  404: 'not-found',
  409: 'conflict',
  422: 'unprocessable',
};
