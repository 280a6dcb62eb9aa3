/**
 * The closed error hierarchy. Every error Baton raises is a `BatonError` with a stable `code`;
 * retry behaviour and the HTTP status are data on the error, never inferred from its class name.
 */

export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'CONFIG'
  | 'APPLICATION'
  | 'TIMEOUT'
  | 'NON_DETERMINISM'
  | 'STEP_FAILED'
  | 'CHILD_FAILED'
  | 'CANCELLED'
  | 'LEASE_LOST'
  | 'STORE';

export interface BatonErrorOptions {
  /** When false, retry policies stop at this error. */
  retryable?: boolean;
  /** Overrides the computed backoff for the next attempt, in milliseconds. */
  nextRetryDelayMs?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export abstract class BatonError extends Error {
  abstract readonly code: ErrorCode;
  /** HTTP status the API maps this error to. */
  readonly status: number = 500;
  readonly retryable: boolean;
  readonly nextRetryDelayMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: BatonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? true;
    this.nextRetryDelayMs = options.nextRetryDelayMs;
    this.details = options.details;
  }
}

/** Input that does not satisfy a schema or a precondition. `issues` say what and where. */
export class ValidationError extends BatonError {
  readonly code = 'VALIDATION';
  override readonly status = 400;
  readonly issues: ValidationIssue[];
  constructor(message: string, issues: ValidationIssue[] = []) {
    super(message, { retryable: false, details: { issues } });
    this.issues = issues;
  }
}

export interface ValidationIssue {
  /** JSON pointer of the offending value, `''` for the whole document. */
  path: string;
  message: string;
}

export class NotFoundError extends BatonError {
  readonly code = 'NOT_FOUND';
  override readonly status = 404;
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`, { retryable: false, details: { what, id } });
  }
}

/** The operation does not fit the current state (completing a completed task, retrying a running run). */
export class ConflictError extends BatonError {
  readonly code = 'CONFLICT';
  override readonly status = 409;
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { retryable: false, details });
  }
}

export class ConfigError extends BatonError {
  readonly code = 'CONFIG';
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/**
 * Thrown by workflow and step code to fail with a business reason. `type` classifies the failure
 * (for example `CreditBlocked`) and is matched by `retry.nonRetryableTypes`.
 */
export class ApplicationFailure extends BatonError {
  readonly code = 'APPLICATION';
  readonly type: string;
  constructor(message: string, type = 'ApplicationFailure', options: BatonErrorOptions = {}) {
    super(message, options);
    this.type = type;
  }
  static nonRetryable(message: string, type?: string, details?: Record<string, unknown>): ApplicationFailure {
    return new ApplicationFailure(message, type, { retryable: false, details });
  }
  static retryable(message: string, type?: string, nextRetryDelayMs?: number): ApplicationFailure {
    return new ApplicationFailure(message, type, { retryable: true, nextRetryDelayMs });
  }
}

export class TimeoutError extends BatonError {
  readonly code = 'TIMEOUT';
  override readonly status = 504;
}

export interface JournalCallRef {
  kind: string;
  name: string;
}

/** Workflow code asked for a different durable call than the journal recorded at that position. */
export class NonDeterminismError extends BatonError {
  readonly code = 'NON_DETERMINISM';
  readonly position: number;
  readonly recorded: JournalCallRef | undefined;
  readonly requested: JournalCallRef | undefined;
  constructor(position: number, recorded: JournalCallRef | undefined, requested: JournalCallRef | undefined) {
    const show = (c: JournalCallRef | undefined) => (c ? `${c.kind} "${c.name}"` : 'nothing');
    super(
      `non-deterministic workflow: at journal position ${position} the journal recorded ${show(recorded)} but the code asked for ${show(requested)}`,
      { retryable: false, details: { position, recorded, requested } },
    );
    this.position = position;
    this.recorded = recorded;
    this.requested = requested;
  }
}

/** A step failed for good (non-retryable, or out of attempts). Carries the last failure. */
export class StepFailedError extends BatonError {
  readonly code = 'STEP_FAILED';
  readonly step: string;
  readonly position: number;
  readonly attempts: number;
  readonly failure: SerializedError;
  constructor(step: string, position: number, attempts: number, failure: SerializedError) {
    super(`step "${step}" failed after ${attempts} attempt(s): ${failure.message}`, {
      retryable: false,
      details: { step, position, attempts, failure },
    });
    this.step = step;
    this.position = position;
    this.attempts = attempts;
    this.failure = failure;
  }
}

export class ChildFailedError extends BatonError {
  readonly code = 'CHILD_FAILED';
  readonly childRunId: string;
  readonly failure: SerializedError;
  constructor(childRunId: string, failure: SerializedError) {
    super(`child run ${childRunId} failed: ${failure.message}`, {
      retryable: false,
      details: { childRunId, failure },
    });
    this.childRunId = childRunId;
    this.failure = failure;
  }
}

export class CancelledError extends BatonError {
  readonly code = 'CANCELLED';
  constructor(message = 'cancelled') {
    super(message, { retryable: false });
  }
}

/** The worker no longer holds the run's lease; its writes are refused (fencing). */
export class LeaseLostError extends BatonError {
  readonly code = 'LEASE_LOST';
  constructor(runId: string) {
    super(`lease on run ${runId} was lost`, { retryable: false, details: { runId } });
  }
}

export class StoreError extends BatonError {
  readonly code = 'STORE';
  override readonly status = 503;
}

/** The JSON form of an error kept in the journal and in run records. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  type?: string;
  retryable?: boolean;
  details?: Record<string, unknown>;
  stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof BatonError) {
    const out: SerializedError = {
      name: err.name,
      message: err.message,
      code: err.code,
      retryable: err.retryable,
    };
    if (err instanceof ApplicationFailure) out.type = err.type;
    if (err.details) out.details = err.details;
    if (err.stack) out.stack = err.stack;
    return out;
  }
  if (err instanceof Error) {
    const out: SerializedError = { name: err.name, message: err.message };
    if (err.stack) out.stack = err.stack;
    return out;
  }
  return { name: 'Error', message: typeof err === 'string' ? err : JSON.stringify(err) };
}

/** Whether a retry policy may try again after this error. Plain errors are retryable. */
export function isRetryable(err: unknown, nonRetryableTypes: readonly string[] = []): boolean {
  if (err instanceof ApplicationFailure && nonRetryableTypes.includes(err.type)) return false;
  if (err instanceof BatonError) return err.retryable;
  if (err instanceof Error && nonRetryableTypes.includes(err.name)) return false;
  return true;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
