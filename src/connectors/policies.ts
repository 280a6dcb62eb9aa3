import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  type IRetryBackoffContext,
  type RetryPolicy,
  retry,
  type TimeoutPolicy,
  TimeoutStrategy,
  timeout,
} from 'cockatiel';
import type { ConnectorSettings } from '../core/index.js';
import type { BreakerState } from '../store/index.js';
import { countsAgainstBreaker, isConnectorFailure } from './errors.js';

/** The settings of one system with every default filled in. */
export interface ResolvedSettings extends ConnectorSettings {
  timeoutMs: number;
  maxAttempts: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  breakerThreshold: number;
  breakerHalfOpenMs: number;
}

export const SDK_DEFAULTS = {
  timeoutMs: 10_000,
  maxAttempts: 3,
  retryDelayMs: 200,
  maxRetryDelayMs: 5_000,
  breakerThreshold: 5,
  breakerHalfOpenMs: 10_000,
} as const;

export function resolveSettings(
  declared: ConnectorSettings | undefined,
  configured: ConnectorSettings | undefined,
): ResolvedSettings {
  return { ...SDK_DEFAULTS, ...declared, ...configured };
}

/**
 * The cockatiel policies of one system, shared by every call to it in this process: the retry (only
 * retryable failures, exponential backoff with jitter, a `Retry-After` honoured when it fits within
 * `maxRetryDelayMs`), the breaker (consecutive system failures open it; 4xx answers do not count)
 * and the per-attempt timeout.
 */
export class SystemPolicies {
  readonly retry: RetryPolicy;
  readonly breaker: CircuitBreakerPolicy;
  readonly timeout: TimeoutPolicy;
  /** When the breaker last opened, for the health view. */
  openedAt: number | undefined;

  constructor(readonly settings: ResolvedSettings) {
    const s = settings;
    const canRetry = (err: Error) =>
      isConnectorFailure(err) &&
      err.retryable &&
      err.type !== 'connector.circuit-open' &&
      err.type !== 'connector.cancelled' &&
      (err.nextRetryDelayMs === undefined || err.nextRetryDelayMs <= s.maxRetryDelayMs);
    const exponential = new ExponentialBackoff({ initialDelay: s.retryDelayMs, maxDelay: s.maxRetryDelayMs });
    const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown> | undefined>(
      (context, previous) => {
        const next = previous ? previous.next(context) : exponential.next();
        const hinted =
          'error' in context.result && isConnectorFailure(context.result.error)
            ? context.result.error.nextRetryDelayMs
            : undefined;
        return { delay: hinted ?? next.duration, state: next };
      },
    );
    this.retry = retry(handleWhen(canRetry), { maxAttempts: s.maxAttempts - 1, backoff });
    this.breaker = circuitBreaker(handleWhen(countsAgainstBreaker), {
      halfOpenAfter: s.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(s.breakerThreshold),
    });
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
    });
    this.timeout = timeout(s.timeoutMs, TimeoutStrategy.Aggressive);
  }

  get state(): BreakerState {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }
}
