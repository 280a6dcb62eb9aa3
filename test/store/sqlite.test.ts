import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { newId } from '../../src/core/index.js';
import { openSqliteStore, storeConformance } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const dir = tempDir('baton-store-');
const freshPath = () => join(dir, `${newId()}.db`);

storeConformance('sqlite', async () => ({
  store: openSqliteStore({ path: freshPath(), durability: 'normal' }),
}));

/** The numbered migration files shipped with the SQLite store. */
const shipped = readdirSync(new URL('../../src/store/sqlite/migrations/', import.meta.url))
  .filter((f) => /^\d{4}_.+\.sql$/.test(f))
  .sort();

interface MigrationRow {
  version: number;
  name: string;
  applied_at: number;
}

function readMigrations(path: string): MigrationRow[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
      .all() as MigrationRow[];
  } finally {
    db.close();
  }
}

describe('sqlite store', () => {
  test('migrations are recorded in schema_migrations and never applied twice', async () => {
    const path = freshPath();
    const first = openSqliteStore({ path, durability: 'normal' });
    const { run } = await first.createRun({
      id: newId(),
      workflow: 'migrations.check',
      version: 1,
      input: { kept: true },
      createdAt: Date.UTC(2026, 0, 1),
    });
    await first.close();

    const recorded = readMigrations(path);
    assert.ok(shipped.length > 0);
    assert.deepEqual(
      recorded.map((m) => [m.version, m.name]),
      shipped.map((f) => [Number(f.slice(0, 4)), f]),
    );

    const second = openSqliteStore({ path, durability: 'normal' });
    assert.deepEqual(await second.getRun(run.id), run, 'data survives re-opening');
    await second.close();
    assert.deepEqual(readMigrations(path), recorded, 'nothing is applied or recorded again');
  });

  test("durability 'full' syncs every commit and the database is in WAL mode", async () => {
    const path = freshPath();
    const store = openSqliteStore({ path, durability: 'full' });
    try {
      assert.deepEqual(store.pragmas(), { journalMode: 'wal', synchronous: 2 });
      const other = new Database(path, { readonly: true });
      try {
        assert.equal(other.pragma('journal_mode', { simple: true }), 'wal', 'WAL is a property of the file');
      } finally {
        other.close();
      }
    } finally {
      await store.close();
    }
  });

  test("durability defaults to 'full'; 'normal' lowers synchronous to NORMAL", async () => {
    const byDefault = openSqliteStore({ path: freshPath() });
    const normal = openSqliteStore({ path: freshPath(), durability: 'normal' });
    try {
      assert.equal(byDefault.pragmas().synchronous, 2);
      assert.deepEqual(normal.pragmas(), { journalMode: 'wal', synchronous: 1 });
    } finally {
      await byDefault.close();
      await normal.close();
    }
  });
});
