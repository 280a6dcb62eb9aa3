import { BatonError, type Logger, silentLogger, ValidationError } from '../core/index.js';
import type { Engine, WorkflowDefinition } from '../engine/index.js';
import type { Quarantine } from './quarantine.js';
import type { BusEvent, RouteResult } from './types.js';

export interface TriggerOptions<I> {
  /** The start input of the run, computed from the event. */
  input: (event: BusEvent) => I;
  /** Deduplicates on a business key instead of the event id (one run per order, say). */
  key?: (event: BusEvent) => string;
}

/** `duplicate`: the engine had recorded this event id before (informational; see `subscribe`). */
export type Subscriber = (
  event: BusEvent,
  info: { duplicate: boolean; origin: string },
) => void | Promise<void>;

interface Trigger {
  workflow: WorkflowDefinition | string;
  name: string;
  options: TriggerOptions<unknown>;
}

/**
 * Applies inbound events: into the engine (the inbox, idempotent on the event id), to triggers (each
 * start carries an idempotency key derived from the event) and to subscribers. Applying an event
 * twice is therefore harmless, which is what lets every transport deliver at least once.
 */
export class EventRouter {
  private readonly triggers = new Map<string, Trigger[]>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  constructor(
    private readonly options: {
      engine: Engine;
      quarantine: Quarantine;
      /** Record events in the engine so `waitForEvent` sees them. */
      deliverToEngine: boolean;
      logger?: Logger;
    },
  ) {}

  trigger<I>(
    type: string,
    workflow: WorkflowDefinition<I, unknown> | string,
    options: TriggerOptions<I>,
  ): void {
    const name = typeof workflow === 'string' ? workflow : workflow.name;
    const list = this.triggers.get(type) ?? [];
    list.push({
      workflow: workflow as WorkflowDefinition | string,
      name,
      options: options as TriggerOptions<unknown>,
    });
    this.triggers.set(type, list);
  }

  /**
   * Subscribers see every event at least once (`'*'`: all types), duplicates included: a subscriber
   * that failed on the first delivery must get its second chance, so dedupe on `event.id` if needed.
   */
  subscribe(type: string, fn: Subscriber): () => void {
    const set = this.subscribers.get(type) ?? new Set();
    set.add(fn);
    this.subscribers.set(type, set);
    return () => set.delete(fn);
  }

  /**
   * Applies one event. Throws when a retry may succeed (the caller redelivers later); an error that
   * says it is not retryable sends the event to quarantine instead, so it does not block the others.
   */
  async route(event: BusEvent, origin: string): Promise<RouteResult> {
    const result: RouteResult = { duplicate: false, runs: [] };
    try {
      await this.apply(event, origin, result);
    } catch (err) {
      if (!(err instanceof BatonError) || err.retryable) throw err;
      result.quarantined = err.message;
      // kept before the caller acknowledges the message: a store that cannot take it fails the route
      await this.options.quarantine.add({
        origin,
        reason: err.message,
        event,
        ...(err instanceof ValidationError && err.issues.length > 0 ? { issues: err.issues } : {}),
      });
    }
    (this.options.logger ?? silentLogger).debug('event applied', { eventId: event.id, origin, ...result });
    return result;
  }

  /**
   * Applies one event without quarantining it: any failure is thrown, with `result` holding what was
   * done before it. Replays of quarantined events use this, so a failure stays on their own entry.
   */
  async apply(
    event: BusEvent,
    origin: string,
    result: RouteResult = { duplicate: false, runs: [] },
  ): Promise<RouteResult> {
    const { engine } = this.options;
    if (this.options.deliverToEngine) {
      const delivered = await engine.deliverEvent({
        id: event.id,
        type: event.type,
        data: event.data,
        ...(event.source ? { source: event.source } : {}),
        ...(event.subject ? { subject: event.subject } : {}),
      });
      result.duplicate = delivered.duplicate;
    }
    // triggers run on duplicates too: a crash between delivery and start must not lose the start
    for (const t of this.triggers.get(event.type) ?? []) {
      const { key, input } = mapTrigger(t, event);
      const run = await engine.startRun(t.workflow, input, { idempotencyKey: key });
      result.runs.push(run.id);
    }
    for (const type of [event.type, '*'])
      for (const fn of this.subscribers.get(type) ?? [])
        await fn(event, { duplicate: result.duplicate, origin });
    return result;
  }
}

/** A mapping that throws is a bug or a bad event, never a passing outage: it is not retried. */
function mapTrigger(t: Trigger, event: BusEvent): { key: string; input: unknown } {
  try {
    const key = `event:${t.options.key ? t.options.key(event) : event.id}:${t.name}`;
    return { key, input: t.options.input(event) };
  } catch (err) {
    throw new ValidationError(
      `trigger ${event.type} -> ${t.name}: mapping the event failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
