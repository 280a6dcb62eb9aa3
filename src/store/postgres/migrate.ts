import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PgQueryable } from './driver.js';

const dir = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The numbered SQL files beside this module, in order. */
export function loadMigrations(): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(dir + f, 'utf8') }));
}

/** A schema name as a quoted identifier; the name was validated when the options were compiled. */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction, while
 * holding a session advisory lock derived from the schema name. Processes that start at once queue on
 * the lock; each one that gets it after the first finds every migration recorded and applies nothing.
 * `client` must be a connection of its own: the lock belongs to the session.
 */
export async function migrate(client: PgQueryable, schema: string, now: number): Promise<number[]> {
  const lock = { text: "SELECT pg_advisory_lock(hashtext('baton.migrate'), hashtext($1))", values: [schema] };
  const unlock = { ...lock, text: lock.text.replace('pg_advisory_lock', 'pg_advisory_unlock') };
  const ident = quoteIdent(schema);
  await client.query(lock);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${ident}.schema_migrations
         (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
    );
    const done = new Set(
      (await client.query(`SELECT version FROM ${ident}.schema_migrations`)).rows.map((r) => r.version),
    );
    const applied: number[] = [];
    for (const m of loadMigrations()) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        // the tables of a migration land in the store's schema whatever the connection's search_path
        await client.query(`SET LOCAL search_path TO ${ident}`);
        await client.query(m.sql);
        await client.query({
          text: `INSERT INTO ${ident}.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
          values: [m.version, m.name, now],
        });
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.query(unlock).catch(() => {});
  }
}
