import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from './driver.js';
import { migrate } from './migrate.js';
import { SqliteStore } from './store.js';

export interface SqliteStoreOptions {
  /** Database file; created with its folder when missing. `:memory:` for a throwaway store. */
  path: string;
  /** `full` (default) fsyncs every commit and survives power loss; `normal` survives process crashes. */
  durability?: 'full' | 'normal';
  /** How long a writer waits for another process's lock, in milliseconds. */
  busyTimeoutMs?: number;
}

function connect(options: SqliteStoreOptions): SqliteDatabase {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path) as unknown as SqliteDatabase;
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  return db;
}

/** Opens (and migrates) the embedded SQLite store. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const db = connect(options);
  migrate(db, Date.now());
  return new SqliteStore(db);
}

/** Applies pending migrations to a SQLite file and returns the versions applied. */
export function migrateSqliteStore(options: SqliteStoreOptions): number[] {
  const db = connect(options);
  try {
    return migrate(db, Date.now());
  } finally {
    db.close();
  }
}

export { SqliteStore };
