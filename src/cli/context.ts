import { type BatonConfig, compileConfig, configFromEnv, createLogger } from '../core/index.js';
import { Engine } from '../engine/index.js';
import { openSqliteStore } from '../store/index.js';

export interface GlobalOptions {
  db?: string;
}

/** The compiled configuration: defaults, then BATON_* variables, then command-line flags. */
export function loadConfig(opts: GlobalOptions, extra: Partial<BatonConfig> = {}): Readonly<BatonConfig> {
  const env = configFromEnv();
  return compileConfig({
    ...env,
    ...extra,
    ...(opts.db ? { databasePath: opts.db } : {}),
    worker: { ...env.worker, ...extra.worker },
  });
}

/** An engine over the configured database, for commands that act on runs and tasks. */
export async function withEngine<T>(opts: GlobalOptions, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const config = loadConfig(opts);
  const store = openSqliteStore({ path: config.databasePath, durability: config.durability });
  const engine = new Engine({ store, config, logger: createLogger(config.logLevel) });
  try {
    return await fn(engine);
  } finally {
    await store.close();
  }
}
