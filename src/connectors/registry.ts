import { hostname } from 'node:os';
import {
  type BatonConfig,
  type Clock,
  ConfigError,
  type ConnectorSettings,
  errorMessage,
  type Logger,
  newId,
  silentLogger,
  systemClock,
} from '../core/index.js';
import { ResourceLimits } from '../engine/index.js';
import type { BreakerState, DeadLetterAttempt, Store } from '../store/index.js';
import { builtinConnectors } from './builtin/index.js';
import { ConnectorClient } from './client.js';
import type { ConnectorDefinition, Operations } from './define.js';
import { DeadLetterQueue } from './dlq.js';
import { healthOf, type SystemHealth } from './health.js';
import { resolveSettings, SystemPolicies } from './policies.js';
import { CallRecorder, type RecorderOptions } from './recorder.js';

export interface ConnectorsOptions {
  store: Store;
  /** The connectors this process can call. Default: the built-in ones. */
  definitions?: ReadonlyArray<ConnectorDefinition<Operations>>;
  /** `config.connectors`: settings per system over each connector's declared limits. */
  settings?: Readonly<Record<string, ConnectorSettings>>;
  clock?: Clock;
  logger?: Logger;
  recorder?: RecorderOptions;
  /** Names this process's slots of shared limits; default host, pid and a random suffix. */
  holder?: string;
}

/** Prefix of the shared resource names that hold connector limits (beside `config.resources`). */
export const LIMIT_PREFIX = 'connector:';

/**
 * The connectors of one process: a client per system with its policies, the call recorder and the
 * dead-letter queue. Workers, the API and the CLI build it from the same configuration
 * (`connectorsFromConfig`), so a replay from the CLI calls the system exactly as a worker would.
 */
export class Connectors {
  readonly dlq: DeadLetterQueue;
  readonly recorder: CallRecorder;
  private readonly clients = new Map<string, ConnectorClient>();
  private readonly limits: ResourceLimits;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(private readonly options: ConnectorsOptions) {
    const definitions = options.definitions ?? builtinConnectors;
    const settings = options.settings ?? {};
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    const known = new Map(definitions.map((d) => [d.system, d]));
    if (known.size !== definitions.length) throw new ConfigError('two connectors declare the same system');
    for (const system of Object.keys(settings))
      if (!known.has(system))
        throw new ConfigError(
          `connectors.${system}: no connector for system "${system}" (known: ${[...known.keys()].join(', ') || 'none'})`,
        );
    const resolved = definitions.map((d) => ({ d, s: resolveSettings(d.spec.limits, settings[d.system]) }));
    const limitConfig: Record<string, { maxConcurrent?: number; perSecond?: number }> = {};
    for (const { d, s } of resolved) {
      if (s.maxConcurrent === undefined && s.perSecond === undefined) continue;
      limitConfig[LIMIT_PREFIX + d.system] = {
        ...(s.maxConcurrent !== undefined ? { maxConcurrent: s.maxConcurrent } : {}),
        ...(s.perSecond !== undefined ? { perSecond: s.perSecond } : {}),
      };
    }
    const longest = Math.max(0, ...resolved.map(({ s }) => s.timeoutMs));
    this.limits = new ResourceLimits(
      limitConfig,
      options.store,
      options.holder ?? `connectors:${hostname()}:${process.pid}:${newId().slice(-8)}`,
      Math.max(60_000, 2 * longest),
    );
    this.recorder = new CallRecorder(options.store.connectors, options.recorder, this.log, () =>
      this.clock.now(),
    );
    this.dlq = new DeadLetterQueue(options.store.connectors, this.clock, (entry) =>
      this.get(entry.system).callUntyped(entry.operation, entry.payload, {
        ...(entry.idempotencyKey !== undefined ? { idempotencyKey: entry.idempotencyKey } : {}),
        deadLetter: false,
      }),
    );
    for (const { d, s } of resolved) {
      const resource = LIMIT_PREFIX + d.system;
      this.clients.set(
        d.system,
        new ConnectorClient(d, {
          policies: new SystemPolicies(s),
          recorder: this.recorder,
          limits: this.limits,
          resource: this.limits.has(resource) ? resource : undefined,
          clock: this.clock,
          deadLetter: (e) => this.deadLetter(e),
        }),
      );
    }
  }

  /** The typed client of a connector this registry was built with. */
  client<Ops extends Operations>(definition: ConnectorDefinition<Ops>): ConnectorClient<Ops> {
    const c = this.clients.get(definition.system);
    if (!c || c.definition !== (definition as unknown))
      throw new ConfigError(`connector ${definition.system} is not registered here`);
    return c as unknown as ConnectorClient<Ops>;
  }

  /** The client of a system by name. */
  get(system: string): ConnectorClient {
    const c = this.clients.get(system);
    if (!c)
      throw new ConfigError(
        `no connector for system "${system}" (known: ${this.systems().join(', ') || 'none'})`,
      );
    return c;
  }

  systems(): string[] {
    return [...this.clients.keys()].sort();
  }

  /** The health view: call figures over the window from the store, breaker state from this process. */
  health(options: { windowMs?: number } = {}): Promise<SystemHealth[]> {
    const live = new Map<string, BreakerState>();
    for (const [system, c] of this.clients) {
      const state = c.breakerStateAt(this.clock.now());
      if (state !== 'closed') live.set(system, state);
    }
    return healthOf(this.options.store.connectors, {
      now: this.clock.now(),
      windowMs: options.windowMs,
      systems: this.systems(),
      live,
    });
  }

  /** Runs a system's health check once. */
  async probe(
    system: string,
    timeoutMs = 5_000,
  ): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
    const c = this.get(system);
    const started = this.clock.now();
    try {
      if (c.definition.spec.health)
        await c.definition.spec.health({ settings: c.settings, signal: AbortSignal.timeout(timeoutMs) });
      return { ok: true, latencyMs: this.clock.now() - started };
    } catch (err) {
      return { ok: false, latencyMs: this.clock.now() - started, error: errorMessage(err) };
    }
  }

  /** Writes buffered call records. */
  close(): Promise<void> {
    return this.recorder.flush();
  }

  private async deadLetter(e: {
    system: string;
    operation: string;
    idempotencyKey: string;
    payload: unknown;
    error: unknown;
    attempts: DeadLetterAttempt[];
  }): Promise<void> {
    // every attempt under this key, also those of earlier step attempts, from the call records
    let attempts = e.attempts;
    try {
      await this.recorder.flush();
      const recorded = await this.options.store.connectors.listCalls({
        system: e.system,
        idempotencyKey: e.idempotencyKey,
        limit: 1000,
      });
      if (recorded.length >= attempts.length)
        attempts = recorded.reverse().map((r) => ({
          at: r.at,
          attempt: r.attempt,
          outcome: r.outcome,
          latencyMs: r.latencyMs,
          ...(r.status !== undefined ? { status: r.status } : {}),
          ...(r.error !== undefined ? { error: r.error } : {}),
        }));
    } catch {}
    try {
      const held = await this.dlq.hold({ kind: 'call', ...e, attempts });
      this.log.warn('connector call dead-lettered', {
        id: held.id,
        system: e.system,
        operation: e.operation,
        error: held.error.message,
      });
    } catch (err) {
      this.log.error('connector call failed for good and could not be dead-lettered', {
        system: e.system,
        operation: e.operation,
        idempotencyKey: e.idempotencyKey,
        payload: e.payload,
        error: errorMessage(err),
      });
    }
  }
}

/** The built-in connectors (and any others given) with the configuration's settings. */
export function connectorsFromConfig(
  config: Readonly<BatonConfig>,
  store: Store,
  options: Omit<ConnectorsOptions, 'store' | 'settings'> = {},
): Connectors {
  return new Connectors({ ...options, store, settings: config.connectors });
}
