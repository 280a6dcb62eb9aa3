/**
 * The bus's vocabulary.
 *
 * - **outbox event**: an event a workflow emitted, committed with the step that emitted it; the relay
 *   publishes it after the commit.
 * - **transport**: where the relay publishes: in process (the default) or NATS JetStream.
 * - **inbound event**: an event that reaches this process from a transport; the router applies it to
 *   the engine (whose events table, keyed by event id, is the inbox), to triggers and to subscribers.
 * - **trigger**: starts a workflow run for each inbound event of a type, once per event.
 * - **quarantine**: inbound messages that cannot be applied, kept with the reason.
 * - **leadership**: which of several relays on one database publishes; the others stand by.
 */

/** One event as the bus carries it, whatever the transport. */
export interface BusEvent {
  /** Unique and stable: every copy of the event carries the same id, so consumers dedupe on it. */
  id: string;
  /** Baton's short type, for example `order.confirmed`. */
  type: string;
  /** The business key (an order id, a SKU); events of one subject keep their order. */
  subject?: string;
  /** Where the event comes from (CloudEvents `source`). */
  source?: string;
  /** When it happened, epoch ms. */
  time: number;
  data: unknown;
}

/** Publishes events somewhere. `publish` resolves only once the event is safely handed over. */
export interface Transport {
  readonly name: string;
  publish(event: BusEvent): Promise<void>;
  close(): Promise<void>;
}

/** Decides which relay publishes when several run on one database. */
export interface Leadership {
  /** Called before every relay pass: true while this relay should publish. Renews its claim. */
  acquire(): Promise<boolean>;
  /** Gives the claim up so a standby can take over at once. */
  release(): Promise<void>;
}

/** What applying one inbound event did. */
export interface RouteResult {
  /** The engine had already recorded this event id. */
  duplicate: boolean;
  /** Runs started by triggers (existing runs returned for a repeated event included). */
  runs: string[];
  /** Set when the event could not be applied for good and went to quarantine. */
  quarantined?: string;
}
