import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import type { LogLevel } from './logger.js';

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
  /** NATS server of the event bus; absent: events stay in process. */
  natsUrl?: string;
  /** JetStream stream that holds Baton's events. */
  natsStream: string;
}

export const defaultConfig: BatonConfig = {
  databasePath: '.baton/baton.db',
  databaseSchema: 'baton',
  durability: 'full',
  logLevel: 'info',
  worker: { concurrency: 64, leaseMs: 30_000, pollIntervalMs: 250, maintenanceIntervalMs: 1_000 },
  resources: {},
  natsStream: 'BATON_EVENTS',
};

export type ConfigOverrides = Partial<Omit<BatonConfig, 'worker'>> & {
  worker?: Partial<BatonConfig['worker']>;
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
  return deepFreeze(cfg);
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
  return out;
}
