import { ExponentialBackoff, handleWhen, retry as retryPolicy } from 'cockatiel';
import {
  type Clock,
  ConflictError,
  errorMessage,
  isRetryable,
  NotFoundError,
  newId,
  serializeError,
} from '../core/index.js';
import type {
  ConnectorStore,
  DeadLetterAttempt,
  DeadLetterError,
  DeadLetterQuery,
  DeadLetterRecord,
} from '../store/index.js';
import { statusOf } from './errors.js';

/** Applies an inbound message; throws to fail (a non-retryable error stops its retries at once). */
export type MessageHandler = (
  payload: unknown,
  info: { idempotencyKey: string; attempt: number },
) => Promise<unknown>;

/** What a replay of a call needs: the client that made it. */
export type CallReplayer = (entry: DeadLetterRecord) => Promise<unknown>;

export interface ReceiveOptions {
  idempotencyKey?: string;
  /** Attempts in all before the message is dead-lettered. Default 3. */
  maxAttempts?: number;
  /** First retry delay, doubling. Default 200 ms. */
  retryDelayMs?: number;
}

export function deadLetterError(err: unknown): DeadLetterError {
  const s = serializeError(err);
  const out: DeadLetterError = { message: s.message };
  if (s.type) out.type = s.type;
  else if (s.code) out.type = s.code;
  const status = statusOf(err);
  if (status !== undefined) out.status = status;
  out.retryable = s.retryable ?? true;
  if (s.details) out.details = s.details;
  return out;
}

/**
 * The dead-letter queue: calls and inbound messages that failed for good, kept with their payload,
 * error and attempts until someone replays (after an optional edit) or discards them. A replay runs
 * the call again with its original idempotency key, so a system that did apply it the first time
 * answers without applying it twice.
 */
export class DeadLetterQueue {
  private readonly handlers = new Map<string, MessageHandler>();

  constructor(
    private readonly store: ConnectorStore,
    private readonly clock: Clock,
    private readonly replayCall: CallReplayer | undefined,
  ) {}

  hold(entry: {
    kind: 'call' | 'message';
    system: string;
    operation: string;
    idempotencyKey?: string;
    payload: unknown;
    error: unknown;
    attempts: DeadLetterAttempt[];
  }): Promise<DeadLetterRecord> {
    return this.store.addDeadLetter({
      kind: entry.kind,
      system: entry.system,
      operation: entry.operation,
      ...(entry.idempotencyKey !== undefined ? { idempotencyKey: entry.idempotencyKey } : {}),
      payload: entry.payload,
      error: deadLetterError(entry.error),
      attempts: entry.attempts,
      createdAt: this.clock.now(),
    });
  }

  list(query: DeadLetterQuery = {}): Promise<DeadLetterRecord[]> {
    return this.store.listDeadLetters(query);
  }

  async get(id: string): Promise<DeadLetterRecord> {
    const entry = await this.store.getDeadLetter(id);
    if (!entry) throw new NotFoundError('dead letter', id);
    return entry;
  }

  /** Replaces the payload of a held entry; the caller records the change in the audit log. */
  async edit(
    id: string,
    payload: unknown,
    by: string,
  ): Promise<{ before: DeadLetterRecord; after: DeadLetterRecord }> {
    const before = await this.held(id);
    const after = await this.store.editDeadLetter(id, payload, by, this.clock.now());
    return { before, after };
  }

  async discard(id: string, by: string): Promise<DeadLetterRecord> {
    await this.held(id);
    return this.store.discardDeadLetter(id, by, this.clock.now());
  }

  /**
   * Runs the entry again. Success marks it `replayed`; a failure is recorded on the entry (which stays
   * held) and thrown.
   */
  async replay(id: string, by: string): Promise<{ entry: DeadLetterRecord; result: unknown }> {
    const entry = await this.held(id);
    let result: unknown;
    try {
      if (entry.kind === 'message') {
        const handler = this.handlers.get(handlerKey(entry.system, entry.operation));
        if (!handler)
          throw new ConflictError(
            `no handler for ${entry.system} ${entry.operation} messages here; replay it where that handler runs`,
          );
        result = await handler(entry.payload, {
          idempotencyKey: entry.idempotencyKey ?? entry.id,
          attempt: 1,
        });
      } else {
        if (!this.replayCall)
          throw new ConflictError(`no connector registry here to replay ${entry.system} ${entry.operation}`);
        result = await this.replayCall(entry);
      }
    } catch (err) {
      if (err instanceof ConflictError) throw err;
      await this.store.recordDeadLetterReplay(id, {
        at: this.clock.now(),
        by,
        ok: false,
        error: errorMessage(err),
      });
      throw err;
    }
    const closed = await this.store.recordDeadLetterReplay(id, { at: this.clock.now(), by, ok: true });
    return { entry: closed, result };
  }

  /** Registers the handler of inbound messages of one kind from one system (for `receive` and replays). */
  onMessage(system: string, kind: string, handler: MessageHandler): void {
    this.handlers.set(handlerKey(system, kind), handler);
  }

  /**
   * Applies an inbound message with retries on retryable failures; when they are exhausted (or the
   * failure is not retryable) the message is dead-lettered and the failure thrown.
   */
  async receive(
    system: string,
    kind: string,
    payload: unknown,
    options: ReceiveOptions = {},
  ): Promise<unknown> {
    const handler = this.handlers.get(handlerKey(system, kind));
    if (!handler) throw new ConflictError(`no handler registered for ${system} ${kind} messages`);
    const idempotencyKey = options.idempotencyKey ?? newId();
    const attempts: DeadLetterAttempt[] = [];
    const policy = retryPolicy(
      handleWhen((err) => isRetryable(err)),
      {
        maxAttempts: (options.maxAttempts ?? 3) - 1,
        backoff: new ExponentialBackoff({ initialDelay: options.retryDelayMs ?? 200, maxDelay: 30_000 }),
      },
    );
    try {
      return await policy.execute(async ({ attempt }) => {
        const started = this.clock.now();
        try {
          return await handler(payload, { idempotencyKey, attempt: attempt + 1 });
        } catch (err) {
          const at = this.clock.now();
          attempts.push({
            at,
            attempt: attempt + 1,
            outcome: 'failed',
            latencyMs: at - started,
            error: errorMessage(err),
          });
          throw err;
        }
      });
    } catch (err) {
      await this.hold({
        kind: 'message',
        system,
        operation: kind,
        idempotencyKey,
        payload,
        error: err,
        attempts,
      });
      throw err;
    }
  }

  private async held(id: string): Promise<DeadLetterRecord> {
    const entry = await this.get(id);
    if (entry.status !== 'held') throw new ConflictError(`dead letter ${id} was already ${entry.status}`);
    return entry;
  }
}

const handlerKey = (system: string, kind: string) => `${system}\u0000${kind}`;
