import { existsSync } from 'node:fs';
import {
  type BatonConfig,
  type ConfigOverrides,
  compileConfig,
  configFromEnv,
  configFromFile,
  createLogger,
} from '../core/index.js';
import { Engine } from '../engine/index.js';
import { openStore, type Store } from '../store/index.js';

export interface GlobalOptions {
  db?: string;
  config?: string;
}

/**
 * The compiled configuration: defaults, then the config file (`--config`, `BATON_CONFIG`, or
 * `baton.config.json` in the working folder), then BATON_* variables, then command-line flags.
 */
export function loadConfig(opts: GlobalOptions, extra: ConfigOverrides = {}): Readonly<BatonConfig> {
  const path =
    opts.config ??
    process.env.BATON_CONFIG ??
    (existsSync('baton.config.json') ? 'baton.config.json' : undefined);
  const file = path ? configFromFile(path) : {};
  const env = configFromEnv();
  return compileConfig({
    ...file,
    ...env,
    ...extra,
    ...(opts.db ? { databasePath: opts.db, databaseUrl: undefined } : {}),
    worker: { ...file.worker, ...env.worker, ...extra.worker },
    resources: { ...file.resources },
    api: { ...file.api, ...env.api, ...extra.api },
  });
}

/** An engine over the configured database, for commands that act on runs and tasks. */
export async function withEngine<T>(opts: GlobalOptions, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const config = loadConfig(opts);
  const store = await openConfiguredStore(config);
  const engine = new Engine({ store, config, logger: createLogger(config.logLevel) });
  try {
    return await fn(engine);
  } finally {
    await store.close();
  }
}

/** The configured store alone, for commands that act on governance records (keys, audit). */
export async function withStore<T>(opts: GlobalOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openConfiguredStore(loadConfig(opts));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The store the configuration names: PostgreSQL when `databaseUrl` is set, else the SQLite file. */
export function openConfiguredStore(config: Readonly<BatonConfig>): Promise<Store> {
  return openStore(storeSettings(config));
}

export function storeSettings(config: Readonly<BatonConfig>) {
  return {
    databaseUrl: config.databaseUrl,
    databaseSchema: config.databaseSchema,
    databasePath: config.databasePath,
    durability: config.durability,
  };
}
