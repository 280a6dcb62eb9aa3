import { type Duration, toMs } from '../core/index.js';

/** How a step retries. Defaults: 5 attempts, 1 s doubling to at most 1 min, ±20 % jitter. */
export interface RetryPolicy {
  /** Attempts in all, the first included. 1 means no retry. */
  maxAttempts?: number;
  initialInterval?: Duration;
  backoffCoefficient?: number;
  maximumInterval?: Duration;
  /** Fraction of the delay added or removed at random, 0 to 1. */
  jitter?: number;
  /** Error types (an `ApplicationFailure` type or an error name) that are never retried. */
  nonRetryableTypes?: string[];
}

export interface CompiledRetry {
  maxAttempts: number;
  initialMs: number;
  coefficient: number;
  maximumMs: number;
  jitter: number;
  nonRetryableTypes: string[];
}

export function compileRetry(p: RetryPolicy = {}): CompiledRetry {
  const out: CompiledRetry = {
    maxAttempts: p.maxAttempts ?? 5,
    initialMs: toMs(p.initialInterval ?? 1000, 'retry.initialInterval'),
    coefficient: p.backoffCoefficient ?? 2,
    maximumMs: toMs(p.maximumInterval ?? 60_000, 'retry.maximumInterval'),
    jitter: p.jitter ?? 0.2,
    nonRetryableTypes: p.nonRetryableTypes ?? [],
  };
  if (!Number.isInteger(out.maxAttempts) || out.maxAttempts < 1)
    throw new RangeError('retry.maxAttempts must be an integer >= 1');
  if (out.coefficient < 1) throw new RangeError('retry.backoffCoefficient must be >= 1');
  if (out.jitter < 0 || out.jitter > 1) throw new RangeError('retry.jitter must be between 0 and 1');
  return out;
}

/** Delay before attempt `attempt + 1`, after `attempt` attempts failed. */
export function backoffMs(
  policy: CompiledRetry,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maximumMs, policy.initialMs * policy.coefficient ** (attempt - 1));
  const jittered = base * (1 + policy.jitter * (2 * random() - 1));
  return Math.max(0, Math.min(policy.maximumMs, Math.round(jittered)));
}
