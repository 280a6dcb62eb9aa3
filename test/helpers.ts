import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Clock, ConfigOverrides } from '../src/core/index.js';
import { type AnyWorkflow, Engine } from '../src/engine/index.js';
import { openSqliteStore, type Store } from '../src/store/index.js';

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
