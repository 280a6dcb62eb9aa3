import {
  BatonError,
  ConflictError,
  errorMessage,
  type Logger,
  NotFoundError,
  silentLogger,
} from '../core/index.js';
import type { Engine, WorkflowDefinition } from '../engine/index.js';
import { defaultTypePrefix, fromCloudEvent } from './cloudevents.js';
import { InProcessTransport } from './in-process.js';
import {
  defaultInboundSettings,
  type InboundSettings,
  type InboundStats,
  NatsInbound,
} from './nats/inbound.js';
import { type LeadershipSettings, NatsLeadership } from './nats/leadership.js';
import { defaultNatsSettings, NatsLink, type NatsSettings } from './nats/link.js';
import { NatsTransport } from './nats/transport.js';
import { Quarantine } from './quarantine.js';
import { OutboxRelay, type RelaySettings } from './relay.js';
import type { RelayStats } from './relay-status.js';
import { EventRouter, type Subscriber, type TriggerOptions } from './router.js';
import type { BusEvent, Leadership, RouteResult, Transport } from './types.js';

export interface BusOptions {
  engine: Engine;
  /** NATS JetStream; `url` defaults to the engine's `natsUrl`. Without a URL events stay in process. */
  nats?: Partial<NatsSettings> & {
    /** Durable consumers that deliver into this engine; default: Baton's own subjects. `false`: none. */
    inbound?: Partial<InboundSettings> | false;
    /** `false`: every relay publishes (duplicates are still deduped). */
    leadership?: Partial<LeadershipSettings> | false;
  };
  /** Record delivered events in the engine, so `waitForEvent` sees them. Default true. */
  deliverToEngine?: boolean;
  relay?: Partial<RelaySettings>;
  logger?: Logger;
}

export interface BusStats {
  transport: string;
  relay: RelayStats | undefined;
  inbound: InboundStats | undefined;
  /** Publishes the NATS server dropped as repeats of a stored event. */
  serverDuplicates: number;
  /** Messages this process quarantined since it started (the store keeps every process's entries). */
  quarantined: number;
}

/**
 * The event bus of one process: the outbox relay, the transport it publishes to, and the inbound
 * side that applies events to the engine, to triggers and to subscribers. Register triggers and
 * subscribers before `start()`, so no early event misses them.
 */
export class Bus {
  readonly quarantine: Quarantine;
  readonly router: EventRouter;
  private relay: OutboxRelay | undefined;
  private inbound: NatsInbound | undefined;
  private transport: Transport | undefined;
  private link: NatsLink | undefined;
  private readonly log: Logger;

  constructor(private readonly o: BusOptions) {
    this.log = o.logger ?? silentLogger;
    this.quarantine = new Quarantine({
      governance: o.engine.store.governance,
      clock: o.engine.clock,
      typePrefix: o.nats?.typePrefix ?? defaultTypePrefix,
      logger: this.log,
    });
    this.router = new EventRouter({
      engine: o.engine,
      quarantine: this.quarantine,
      deliverToEngine: o.deliverToEngine ?? true,
      logger: this.log,
    });
  }

  /** Starts `workflow` once per event of `type` (idempotency key `event:<eventId or key>:<workflow>`). */
  trigger<I>(
    type: string,
    workflow: WorkflowDefinition<I, unknown> | string,
    options: TriggerOptions<I>,
  ): this {
    this.router.trigger(type, workflow, options);
    return this;
  }

  subscribe(type: string, fn: Subscriber): () => void {
    return this.router.subscribe(type, fn);
  }

  async start(): Promise<this> {
    if (this.relay) return this;
    const { engine, nats = {} } = this.o;
    const { inbound, leadership, ...given } = nats;
    const url = given.url ?? engine.config.natsUrl;
    let lead: Leadership | undefined;
    if (url) {
      const settings: NatsSettings = {
        ...defaultNatsSettings,
        stream: engine.config.natsStream,
        ...given,
        url,
      };
      this.link = await NatsLink.open(settings, this.log);
      this.transport = new NatsTransport(this.link);
      if (leadership !== false)
        lead = new NatsLeadership(this.link, { ttlMs: 10_000, owner: engine.workerId, ...leadership });
      if (inbound !== false) {
        this.inbound = new NatsInbound({
          link: this.link,
          settings: { ...defaultInboundSettings, subjects: [`${settings.subjectPrefix}.>`], ...inbound },
          router: this.router,
          quarantine: this.quarantine,
          deadLetter: (entry) => engine.store.connectors.addDeadLetter(entry),
          clock: engine.clock,
          logger: this.log,
        });
        await this.inbound.start().catch(async (err) => {
          await this.stop();
          throw err;
        });
      }
    } else this.transport = new InProcessTransport(this.router);
    this.relay = new OutboxRelay({
      store: engine.store,
      transport: this.transport,
      engine,
      ...(lead ? { leadership: lead } : {}),
      ...(this.o.relay ? { settings: this.o.relay } : {}),
      logger: this.log,
    }).start();
    return this;
  }

  /** Drains the relay, stops the consumers, then closes the connection. */
  async stop(timeoutMs = 5_000): Promise<void> {
    await this.relay?.stop(timeoutMs);
    await this.inbound?.stop();
    await this.transport?.close();
    await this.link?.close();
    this.relay = undefined;
    this.inbound = undefined;
    this.link = undefined;
  }

  /**
   * Applies a dead-lettered inbound event (its CloudEvent, as received or as corrected) through the
   * router; register it as the dead-letter queue's handler of `INBOUND_DEAD_LETTER` messages.
   */
  applyDeadLetter(payload: unknown): Promise<RouteResult> {
    const prefix = this.o.nats?.typePrefix ?? defaultTypePrefix;
    return this.router.route(fromCloudEvent(payload, this.o.engine.clock.now(), prefix), 'dead-letter');
  }

  /** Applies an event that arrived another way (the HTTP API, a connector) exactly as the bus would. */
  receive(event: BusEvent, origin = 'api'): Promise<RouteResult> {
    return this.router.route(event, origin);
  }

  /**
   * Applies a held quarantined event again once the cause is fixed (its payload corrected if need
   * be) and notes the attempt on the entry: success closes it as replayed; a failure a retry cannot
   * fix keeps it held, with the reason in `quarantined`. A passing failure is noted and thrown.
   */
  async replay(quarantineId: string, by = 'system'): Promise<RouteResult> {
    const entry = await this.quarantine.get(quarantineId);
    if (!entry) throw new NotFoundError('quarantine entry', quarantineId);
    if (entry.status !== 'held') {
      throw new ConflictError(
        `quarantine entry ${quarantineId} is ${entry.status}; only held entries can be replayed`,
        { status: entry.status },
      );
    }
    const result: RouteResult = { duplicate: false, runs: [] };
    try {
      await this.router.apply(this.quarantine.eventOf(entry), `replay:${entry.origin}`, result);
    } catch (err) {
      const reason = errorMessage(err);
      await this.quarantine.recordReplay(quarantineId, by, { ok: false, reason });
      if (!(err instanceof BatonError) || err.retryable) throw err;
      result.quarantined = reason;
      return result;
    }
    await this.quarantine.recordReplay(quarantineId, by, { ok: true });
    return result;
  }

  /** Age in ms of the oldest event not yet published. */
  lag(): Promise<number> {
    return this.relay ? this.relay.lag() : Promise.resolve(0);
  }

  stats(): BusStats {
    return {
      transport: this.transport?.name ?? 'none',
      relay: this.relay?.status.snapshot(),
      inbound: this.inbound ? { ...this.inbound.stats } : undefined,
      serverDuplicates: this.transport instanceof NatsTransport ? this.transport.duplicates : 0,
      quarantined: this.quarantine.added,
    };
  }
}
