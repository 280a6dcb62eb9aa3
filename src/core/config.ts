import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import type { LogLevel } from './logger.js';
import { checkWebhooks, defaultWebhooks, mergeWebhooks, type WebhookSettings } from './webhook-config.js';

/**
 * All settings in one object. Defaults live here; `compileConfig` merges overrides (from a file,
 * the environment or code) once and freezes the result. No module reads the environment on load.
 */
export interface BatonConfig {
  /** SQLite database file of the embedded store. */
  databasePath: string;
  /** PostgreSQL connection URL; when set, Baton runs on PostgreSQL instead of the SQLite file. */
  databaseUrl?: string;
  /** PostgreSQL schema that holds Baton's tables. */
  databaseSchema: string;
  /** `full` survives power loss (fsync per commit); `normal` survives process crashes only. */
  durability: 'full' | 'normal';
  logLevel: LogLevel;
  worker: {
    /** Runs executed at once by one process. */
    concurrency: number;
    /** How long a claimed run stays leased without a heartbeat. */
    leaseMs: number;
    /** Safety-net poll for runnable runs; local changes wake the worker at once. */
    pollIntervalMs: number;
    /** How often due tasks are escalated and runs of unknown versions are marked stranded. */
    maintenanceIntervalMs: number;
  };
  /** Limits per named downstream resource, used by `ctx.step(..., { resource })`. */
  resources: Record<string, { maxConcurrent?: number; perSecond?: number }>;
  /** Settings per connector system (`erp`, `wms`, …): where it is and how calls to it behave. */
  connectors: Record<string, ConnectorSettings>;
  /** NATS server of the event bus; absent: events stay in process. */
  natsUrl?: string;
  /** JetStream stream that holds Baton's events. */
  natsStream: string;
  /** The HTTP API that `baton start` serves. */
  api: ApiSettings;
  /** Inbound webhooks: the secrets of each sender, and how often each may call. */
  webhooks: WebhookSettings;
}

export interface ApiSettings {
  port: number;
  /** Address to bind; the loopback default keeps a laptop install private. */
  host: string;
  /** Requests per minute per API key (per client address before a key is known). */
  rateLimitPerMinute: number;
  /** Per-minute overrides by key id or role name; a key id wins, then the most generous of its roles. */
  rateLimits: Record<string, number>;
  /** Largest request body accepted. */
  bodyLimitBytes: number;
  /** Most events in one batch post. */
  maxBatchEvents: number;
  /** How long a response stays replayable under its `Idempotency-Key`. */
  idempotencyTtlMs: number;
}

/**
 * How calls to one system behave. Unset values fall back to the limits the connector declares, then
 * to the SDK's defaults (10 s timeout, 3 attempts from 200 ms doubling to 5 s, breaker opening after
 * 5 consecutive failures for 10 s).
 */
export interface ConnectorSettings {
  /** Where an HTTP connector sends its requests, e.g. `http://erp.internal:8081/api`. */
  baseUrl?: string;
  /** Time limit of one attempt. */
  timeoutMs?: number;
  /** Attempts per call made by the connector client itself, the first included. */
  maxAttempts?: number;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Bulkhead: calls in flight at once (across every worker process on PostgreSQL). */
  maxConcurrent?: number;
  /** Rate limit: requests started per second (across every worker process on PostgreSQL). */
  perSecond?: number;
  /** Consecutive failures that open the breaker. */
  breakerThreshold?: number;
  /** How long an open breaker refuses calls before it lets a trial call through. */
  breakerHalfOpenMs?: number;
  /** Extra request headers, for example an `Authorization` the system expects. */
  headers?: Record<string, string>;
}

const CONNECTOR_KEYS = [
  'baseUrl',
  'timeoutMs',
  'maxAttempts',
  'retryDelayMs',
  'maxRetryDelayMs',
  'maxConcurrent',
  'perSecond',
  'breakerThreshold',
  'breakerHalfOpenMs',
  'headers',
] as const;

export const defaultConfig: BatonConfig = {
  databasePath: '.baton/baton.db',
  databaseSchema: 'baton',
  durability: 'full',
  logLevel: 'info',
  worker: { concurrency: 64, leaseMs: 30_000, pollIntervalMs: 250, maintenanceIntervalMs: 1_000 },
  resources: {},
  connectors: {},
  webhooks: defaultWebhooks,
  natsStream: 'BATON_EVENTS',
  api: {
    port: 8080,
    host: '127.0.0.1',
    rateLimitPerMinute: 6000,
    rateLimits: {},
    bodyLimitBytes: 5 * 1024 * 1024,
    maxBatchEvents: 1000,
    idempotencyTtlMs: 24 * 3600_000,
  },
};

export type ConfigOverrides = Partial<Omit<BatonConfig, 'worker' | 'api' | 'webhooks'>> & {
  webhooks?: Partial<WebhookSettings>;
  worker?: Partial<BatonConfig['worker']>;
  api?: Partial<ApiSettings>;
};

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export function compileConfig(overrides: ConfigOverrides = {}): Readonly<BatonConfig> {
  const cfg: BatonConfig = {
    ...defaultConfig,
    ...overrides,
    worker: { ...defaultConfig.worker, ...overrides.worker },
    resources: { ...defaultConfig.resources, ...overrides.resources },
    connectors: { ...defaultConfig.connectors, ...overrides.connectors },
    api: { ...defaultConfig.api, ...overrides.api },
    webhooks: mergeWebhooks(overrides.webhooks),
  };
  if (!['full', 'normal'].includes(cfg.durability)) {
    throw new ConfigError(`durability must be "full" or "normal", got "${cfg.durability}"`);
  }
  const w = cfg.worker;
  for (const [k, v] of Object.entries(w)) {
    if (!Number.isInteger(v) || v <= 0)
      throw new ConfigError(`worker.${k} must be a positive integer, got ${v}`);
  }
  if (w.leaseMs < 3 * 100) throw new ConfigError(`worker.leaseMs must be at least 300, got ${w.leaseMs}`);
  for (const [name, r] of Object.entries(cfg.resources)) {
    for (const [k, v] of Object.entries(r)) {
      if (v !== undefined && (!Number.isFinite(v) || v <= 0)) {
        throw new ConfigError(`resources.${name}.${k} must be a positive number, got ${v}`);
      }
    }
  }
  checkApi(cfg.api);
  checkWebhooks(cfg.webhooks);
  for (const [system, c] of Object.entries(cfg.connectors)) checkConnector(system, c);
  return deepFreeze(cfg);
}

function checkConnector(system: string, c: ConnectorSettings): void {
  const at = `connectors.${system}`;
  if (!/^[a-z][a-z0-9_.-]{0,62}$/.test(system))
    throw new ConfigError(`${at}: a system name is lower-case letters, digits, ".", "_" or "-"`);
  if (c === null || typeof c !== 'object' || Array.isArray(c))
    throw new ConfigError(`${at} must be an object of settings`);
  for (const k of Object.keys(c))
    if (!(CONNECTOR_KEYS as readonly string[]).includes(k))
      throw new ConfigError(`unknown setting "${at}.${k}" (known: ${CONNECTOR_KEYS.join(', ')})`);
  if (c.baseUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(c.baseUrl);
    } catch {}
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new ConfigError(`${at}.baseUrl must be an http:// or https:// URL, got "${c.baseUrl}"`);
  }
  const counts = ['timeoutMs', 'maxAttempts', 'retryDelayMs', 'maxRetryDelayMs', 'maxConcurrent'] as const;
  for (const k of [...counts, 'breakerThreshold', 'breakerHalfOpenMs'] as const) {
    const v = c[k];
    if (v !== undefined && (!Number.isInteger(v) || v <= 0))
      throw new ConfigError(`${at}.${k} must be a positive integer, got ${v}`);
  }
  if (c.perSecond !== undefined && (!Number.isFinite(c.perSecond) || c.perSecond <= 0))
    throw new ConfigError(`${at}.perSecond must be a positive number, got ${c.perSecond}`);
  if (c.headers !== undefined) {
    if (c.headers === null || typeof c.headers !== 'object' || Array.isArray(c.headers))
      throw new ConfigError(`${at}.headers must be an object of header names and values`);
    for (const [h, v] of Object.entries(c.headers))
      if (typeof v !== 'string') throw new ConfigError(`${at}.headers.${h} must be a string`);
  }
}

function checkApi(a: ApiSettings): void {
  for (const k of Object.keys(a))
    if (!(k in defaultConfig.api)) throw new ConfigError(`unknown setting "api.${k}"`);
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535)
    throw new ConfigError(`api.port must be an integer from 0 to 65535, got ${a.port}`);
  if (typeof a.host !== 'string' || a.host.trim() === '')
    throw new ConfigError('api.host must be a host name or address');
  const limits: Array<[string, unknown]> = [
    ['api.rateLimitPerMinute', a.rateLimitPerMinute],
    ['api.bodyLimitBytes', a.bodyLimitBytes],
    ['api.maxBatchEvents', a.maxBatchEvents],
    ['api.idempotencyTtlMs', a.idempotencyTtlMs],
    ...Object.entries(a.rateLimits).map(([k, v]): [string, unknown] => [`api.rateLimits.${k}`, v]),
  ];
  for (const [name, v] of limits)
    if (!Number.isInteger(v) || (v as number) <= 0)
      throw new ConfigError(`${name} must be a positive integer, got ${v}`);
}

/**
 * Reads a JSON config file with the same shape as `BatonConfig` (any subset of it). Unknown keys
 * are refused so a typo does not silently fall back to a default.
 */
export function configFromFile(path: string): ConfigOverrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(
      `cannot read config file ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(key in defaultConfig) && key !== 'databaseUrl' && key !== 'natsUrl') {
      throw new ConfigError(`config file ${path}: unknown setting "${key}"`);
    }
  }
  return parsed as ConfigOverrides;
}

/** Reads the `BATON_*` variables that have a config field. Called by entry points, never on import. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigOverrides {
  const out: ConfigOverrides = {};
  if (env.BATON_DB) out.databasePath = env.BATON_DB;
  if (env.BATON_DATABASE_URL) out.databaseUrl = env.BATON_DATABASE_URL;
  if (env.BATON_DATABASE_SCHEMA) out.databaseSchema = env.BATON_DATABASE_SCHEMA;
  if (env.BATON_DURABILITY) out.durability = env.BATON_DURABILITY as BatonConfig['durability'];
  if (env.BATON_LOG_LEVEL) out.logLevel = env.BATON_LOG_LEVEL as LogLevel;
  if (env.BATON_CONCURRENCY) out.worker = { concurrency: Number(env.BATON_CONCURRENCY) };
  if (env.BATON_NATS_URL) out.natsUrl = env.BATON_NATS_URL;
  if (env.BATON_NATS_STREAM) out.natsStream = env.BATON_NATS_STREAM;
  if (env.BATON_PORT || env.BATON_HOST)
    out.api = {
      ...(env.BATON_PORT ? { port: Number(env.BATON_PORT) } : {}),
      ...(env.BATON_HOST ? { host: env.BATON_HOST } : {}),
    };
  return out;
}
