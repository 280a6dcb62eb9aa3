import type { Static } from '@sinclair/typebox';
import { isBrokenCircuitError, TaskCancelledError } from 'cockatiel';
import {
  type ApplicationFailure,
  BatonError,
  type Clock,
  errorMessage,
  newId,
  ValidationError,
} from '../core/index.js';
import type { ResourceLimits } from '../engine/index.js';
import type { BreakerState, CallOutcome, DeadLetterAttempt } from '../store/index.js';
import {
  type CompiledOperation,
  type ConnectorDefinition,
  checkedInput,
  issuesOf,
  type Operations,
} from './define.js';
import { connectorFailure, FAILURE, isConnectorFailure, statusOf } from './errors.js';
import type { ResolvedSettings, SystemPolicies } from './policies.js';
import type { CallRecorder } from './recorder.js';

/**
 * How a call is made. A step passes its `StepInfo` as it is: the idempotency key is forwarded, and
 * `attempt`/`maxAttempts` tell the client whether the engine will retry the step after this failure.
 */
export interface CallOptions {
  /** Forwarded as `Idempotency-Key`; default: a new key, the same on every attempt of this call. */
  idempotencyKey?: string;
  /** The engine's attempt of the step making the call. */
  attempt?: number;
  /** The step's attempts in all; on its last attempt a failure goes to the dead-letter queue. */
  maxAttempts?: number;
  signal?: AbortSignal;
  /** False: a failure is only thrown, not dead-lettered (the caller handles it). Default true. */
  deadLetter?: boolean;
}

/** What the client needs from the registry that made it. */
export interface ClientParts {
  policies: SystemPolicies;
  recorder: CallRecorder;
  limits: ResourceLimits;
  /** The resource name of the system's limits, when it has any. */
  resource: string | undefined;
  clock: Clock;
  deadLetter(entry: {
    system: string;
    operation: string;
    idempotencyKey: string;
    payload: unknown;
    error: ApplicationFailure;
    attempts: DeadLetterAttempt[];
  }): Promise<unknown>;
}

type Input<Ops extends Operations, K extends keyof Ops> = Static<Ops[K]['input']>;
type Output<Ops extends Operations, K extends keyof Ops> = Static<Ops[K]['output']>;

/** Calls to one system. Every call takes the same path: validation, retry, breaker, limits, timeout. */
export class ConnectorClient<Ops extends Operations = Operations> {
  constructor(
    readonly definition: ConnectorDefinition<Ops>,
    private readonly parts: ClientParts,
  ) {}

  get system(): string {
    return this.definition.system;
  }

  /** The system's settings with every default filled in. */
  get settings(): Readonly<ResolvedSettings> {
    return this.parts.policies.settings;
  }

  /** The breaker of the system in this process. */
  get breakerState(): BreakerState {
    return this.parts.policies.state;
  }

  /** The breaker as the health view shows it: an open one past its wait lets the next call try. */
  breakerStateAt(now: number): BreakerState {
    const { state, openedAt, settings } = this.parts.policies;
    if (state === 'open' && openedAt !== undefined && now - openedAt >= settings.breakerHalfOpenMs)
      return 'half-open';
    return state;
  }

  async call<K extends keyof Ops & string>(
    operation: K,
    input: Input<Ops, K>,
    options: CallOptions = {},
  ): Promise<Output<Ops, K>> {
    return (await this.callUntyped(operation, input, options)) as Output<Ops, K>;
  }

  /** A call by operation name with an unchecked payload type (replays, the CLI). */
  async callUntyped(operation: string, input: unknown, options: CallOptions = {}): Promise<unknown> {
    const op = this.definition.operations.get(operation);
    if (!op)
      throw new ValidationError(
        `connector ${this.system} has no operation "${operation}" (it has ${[...this.definition.operations.keys()].join(', ')})`,
      );
    checkedInput(this.system, op, input);
    const key = options.idempotencyKey ?? newId();
    const attempts: DeadLetterAttempt[] = [];
    const { policies } = this.parts;
    try {
      return await policies.retry.execute(
        ({ attempt, signal }) => this.attempt(op, input, key, attempt + 1, signal, attempts),
        options.signal,
      );
    } catch (err) {
      const failure = this.asFailure(err, op.name);
      const engineRetries =
        failure.retryable &&
        options.attempt !== undefined &&
        options.maxAttempts !== undefined &&
        options.attempt < options.maxAttempts;
      if (options.deadLetter !== false && !engineRetries) {
        await this.parts.deadLetter({
          system: this.system,
          operation: op.name,
          idempotencyKey: key,
          payload: input,
          error: failure,
          attempts,
        });
      }
      throw failure;
    }
  }

  private async attempt(
    op: CompiledOperation,
    input: unknown,
    idempotencyKey: string,
    attempt: number,
    signal: AbortSignal,
    attempts: DeadLetterAttempt[],
  ): Promise<unknown> {
    const { policies, limits, resource, recorder, clock } = this.parts;
    let started = clock.now();
    let outcome: CallOutcome = 'ok';
    let failure: ApplicationFailure | undefined;
    try {
      const result = await policies.breaker.execute(async () => {
        const release = resource ? await limits.acquire(resource) : undefined;
        try {
          if (signal.aborted) throw this.cancelled(op.name, signal);
          started = clock.now();
          return await policies.timeout.execute(
            ({ signal: attemptSignal }) =>
              op.spec.invoke(input, {
                system: this.system,
                operation: op.name,
                settings: policies.settings,
                idempotencyKey,
                attempt,
                signal: attemptSignal,
              }),
            signal,
          );
        } catch (err) {
          throw this.asFailure(err, op.name, signal);
        } finally {
          release?.();
        }
      });
      if (!op.checkOutput.Check(result)) {
        const issues = issuesOf(op.checkOutput, result);
        throw connectorFailure(
          FAILURE.invalidResponse,
          `${this.system} ${op.name} answered with an unexpected body: ${issues[0]?.path || '/'} ${issues[0]?.message ?? ''}`.trimEnd(),
          { system: this.system, operation: op.name, problem: { issues, body: result } },
        );
      }
      return result;
    } catch (err) {
      failure = this.asFailure(err, op.name, signal);
      outcome =
        failure.type === FAILURE.circuitOpen
          ? 'rejected'
          : failure.type === FAILURE.timeout
            ? 'timeout'
            : 'failed';
      throw failure;
    } finally {
      const at = clock.now();
      const latencyMs = outcome === 'rejected' ? 0 : Math.max(0, at - started);
      const status = failure ? statusOf(failure) : undefined;
      const error = failure ? failure.message : undefined;
      recorder.record({
        system: this.system,
        operation: op.name,
        idempotencyKey,
        attempt,
        outcome,
        ...(status !== undefined ? { status } : {}),
        latencyMs,
        ...(error !== undefined ? { error } : {}),
        breaker: policies.state,
        at,
      });
      attempts.push({
        at,
        attempt,
        outcome,
        latencyMs,
        ...(status !== undefined ? { status } : {}),
        ...(error !== undefined ? { error } : {}),
      });
    }
  }

  private cancelled(operation: string, signal: AbortSignal): ApplicationFailure {
    const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
    return connectorFailure(FAILURE.cancelled, `${this.system} ${operation}: the caller gave up${reason}`, {
      system: this.system,
      operation,
    });
  }

  /** Any error of an attempt as a connector failure, so the retry, the breaker and the engine agree. */
  private asFailure(err: unknown, operation: string, signal?: AbortSignal): ApplicationFailure {
    if (isConnectorFailure(err)) return err;
    const details = { system: this.system, operation };
    if (isBrokenCircuitError(err))
      return connectorFailure(
        FAILURE.circuitOpen,
        `${this.system} ${operation}: the breaker is open after repeated failures; not calling`,
        details,
      );
    if (signal?.aborted) return this.cancelled(operation, signal);
    // the attempt's own signal aborted by the timeout: fetch may reject before cockatiel does.
    // (cockatiel 3.2.1's isTaskCancelledError tests the wrong property, hence instanceof)
    if (err instanceof TaskCancelledError || (err instanceof Error && err.name === 'AbortError'))
      return connectorFailure(
        FAILURE.timeout,
        `${this.system} ${operation}: no answer within ${this.parts.policies.settings.timeoutMs} ms`,
        details,
      );
    // a configuration problem or a bug in the operation's code: retrying does not fix it
    const message = `${this.system} ${operation}: ${errorMessage(err)}`;
    const retryable = err instanceof BatonError ? err.retryable : false;
    return retryable
      ? connectorFailure(FAILURE.unavailable, message, details)
      : connectorFailure(FAILURE.failed, message, details);
  }
}
