import { migratePostgresStore, openPostgresStore } from './postgres/index.js';
import { migrateSqliteStore, openSqliteStore } from './sqlite/index.js';
import type { Store } from './types.js';

export interface StoreSettings {
  /** PostgreSQL URL; when set it wins over the SQLite file. */
  databaseUrl?: string;
  databaseSchema?: string;
  databasePath: string;
  durability?: 'full' | 'normal';
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

/** Opens the configured backend: PostgreSQL when a URL is set, else the embedded SQLite file. */
export async function openStore(s: StoreSettings): Promise<Store> {
  if (s.databaseUrl) {
    const opts: Parameters<typeof openPostgresStore>[0] = {
      url: s.databaseUrl,
      schema: s.databaseSchema ?? 'baton',
    };
    if (s.poolSize) opts.pool = { max: s.poolSize };
    if (s.migrate === false) opts.migrate = false;
    return openPostgresStore(opts);
  }
  return openSqliteStore({ path: s.databasePath, durability: s.durability ?? 'full' });
}

/** Applies pending migrations of the configured backend; returns the versions applied. */
export function migrateStore(s: StoreSettings): Promise<number[]> {
  if (s.databaseUrl) return migratePostgresStore({ url: s.databaseUrl, schema: s.databaseSchema ?? 'baton' });
  return Promise.resolve(migrateSqliteStore({ path: s.databasePath, durability: s.durability ?? 'full' }));
}

/** Where a store lives, for messages: the PostgreSQL target without credentials, or the file. */
export function describeStore(s: StoreSettings): string {
  if (!s.databaseUrl) return `${s.databasePath} (SQLite, durability ${s.durability ?? 'full'})`;
  try {
    const u = new URL(s.databaseUrl);
    return `${u.hostname}:${u.port || 5432}${u.pathname} schema ${s.databaseSchema ?? 'baton'} (PostgreSQL)`;
  } catch {
    return 'PostgreSQL (invalid URL)';
  }
}
