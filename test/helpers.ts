import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Clock, ConfigOverrides } from '../src/core/index.js';
import { type AnyWorkflow, Engine } from '../src/engine/index.js';
import { openPostgresStore, openSqliteStore, type Store } from '../src/store/index.js';
import { postgresAvailable, postgresUrl, skipReason } from './backends.js';

/** A fresh folder removed when the test file ends. */
export function tempDir(prefix = 'baton-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function tempDbPath(): string {
  return join(tempDir(), 'baton.db');
}

export interface TestEngine {
  engine: Engine;
  store: Store;
  path: string;
}

/** An engine on a real SQLite file, stopped and closed when the test file ends. */
export function startEngine(
  workflows: AnyWorkflow[],
  opts: { path?: string; config?: ConfigOverrides; clock?: Clock; start?: boolean } = {},
): TestEngine {
  const path = opts.path ?? tempDbPath();
  const store = openSqliteStore({ path, durability: 'normal' });
  const engine = new Engine({
    store,
    workflows,
    clock: opts.clock,
    config: {
      ...opts.config,
      worker: { pollIntervalMs: 20, maintenanceIntervalMs: 50, ...opts.config?.worker },
    },
  });
  if (opts.start !== false) engine.start();
  after(async () => {
    await engine.stop(1000);
    await store.close().catch(() => {});
  });
  return { engine, store, path };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or the time is up. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A store backend the engine suites run on, in the way Kysely loops over its dialects. */
export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** Why the backend's suite is skipped (its server does not answer); undefined when it runs. */
  skip?: string;
  /** A fresh, empty database: a file path for SQLite, a schema name for PostgreSQL. */
  location(): string;
  open(location: string): Promise<Store>;
}

/** SQLite always; PostgreSQL when it answers (required in CI, see test/backends.ts). */
export async function engineBackends(): Promise<TestBackend[]> {
  const pg = await postgresAvailable();
  const schemas: string[] = [];
  after(async () => {
    if (schemas.length === 0) return;
    const { default: pgLib } = await import('pg');
    const client = new pgLib.Client({ connectionString: postgresUrl() });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await client.end();
  });
  return [
    {
      name: 'sqlite',
      location: () => tempDbPath(),
      open: async (path) => openSqliteStore({ path, durability: 'normal' }),
    },
    {
      name: 'postgres',
      skip: skipReason(pg),
      location: () => {
        const s = `engine_${process.pid}_${schemas.length}_${Math.floor(Math.random() * 1e6)}`;
        schemas.push(s);
        return s;
      },
      open: (schema) => openPostgresStore({ url: postgresUrl(), schema, pool: { max: 4 } }),
    },
  ];
}

/** `startEngine` on a chosen backend; `location` reopens an existing database. */
export async function startEngineOn(
  backend: TestBackend,
  workflows: AnyWorkflow[],
  opts: { location?: string; config?: ConfigOverrides; clock?: Clock; start?: boolean } = {},
): Promise<TestEngine & { location: string }> {
  const location = opts.location ?? backend.location();
  const store = await backend.open(location);
  const engine = new Engine({
    store,
    workflows,
    clock: opts.clock,
    config: {
      ...opts.config,
      worker: { pollIntervalMs: 20, maintenanceIntervalMs: 50, ...opts.config?.worker },
    },
  });
  if (opts.start !== false) engine.start();
  after(async () => {
    await engine.stop(1000);
    await store.close().catch(() => {});
  });
  return { engine, store, path: location, location };
}
