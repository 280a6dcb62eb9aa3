/**
 * Baton, measured the way bench/engine.ts does: a workflow of five `ctx.step` calls, each step's
 * result checkpointed in the store's journal before the next one starts; a run counts as done on
 * `run.completed`, which the engine emits only after the final state has been committed.
 *
 * `baton-sqlite` is the embedded store with its default durability ('full': an fsync per commit
 * group). `baton-postgres` is the PostgreSQL store in a fresh schema of the database the
 * orchestrator made for this run.
 */
import { join } from 'node:path';
import { defineWorkflow, Engine } from '../../src/engine/index.js';
import * as stores from '../../src/store/index.js';
import { runBenchmark } from './harness.js';
import { type RunnerConfig, STEPS } from './protocol.js';

/** The PostgreSQL store's entry point, looked up at run time so this file runs before it exists. */
type OpenPostgresStore = (options: {
  url: string;
  schema?: string;
  pool?: { max?: number };
}) => stores.Store | Promise<stores.Store>;

/** Connections Baton may hold; the peers on PostgreSQL get pools of the same order. */
const POOL_MAX = 16;

const fiveSteps = defineWorkflow({
  name: 'bench.five-steps',
  version: 1,
  async run(ctx, input) {
    let acc = input as number;
    for (let i = 0; i < STEPS; i++) acc = await ctx.step(`step-${i}`, () => acc + 1);
    return acc;
  },
});

async function openStore(config: RunnerConfig): Promise<{ store: stores.Store; setup: string }> {
  if (config.engine === 'baton-sqlite') {
    return {
      store: stores.openSqliteStore({ path: join(config.workDir, 'bench.db') }),
      setup: 'SQLite file, durability full',
    };
  }
  const open = (stores as unknown as Record<string, unknown>).openPostgresStore;
  if (typeof open !== 'function') {
    throw new Error('src/store does not export openPostgresStore yet (the PostgreSQL store has not landed)');
  }
  if (!config.databaseUrl || !config.schema) throw new Error('no database was prepared for baton-postgres');
  const store = await (open as OpenPostgresStore)({
    url: config.databaseUrl,
    schema: config.schema,
    pool: { max: POOL_MAX },
  });
  return { store, setup: `PostgreSQL schema ${config.schema}, pool ${POOL_MAX}` };
}

await runBenchmark(async (config) => {
  const { store, setup } = await openStore(config);
  const engine = new Engine({
    store,
    workflows: [fiveSteps],
    config: { worker: { concurrency: Math.max(64, config.inflight) } },
  });
  engine.start();

  // a run may finish before startRun's promise settles; remember how those ended
  const waiting = new Map<string, (failure?: Error) => void>();
  const finishedEarly = new Map<string, Error | undefined>();
  const finish = (runId: string, failure?: Error) => {
    const settle = waiting.get(runId);
    if (settle) settle(failure);
    else finishedEarly.set(runId, failure);
  };
  engine.events.on('run.completed', (e) => finish(e.runId));
  engine.events.on('run.failed', (e) => finish(e.runId, new Error(`run failed: ${JSON.stringify(e.data)}`)));

  return {
    setup: `${setup}, worker.concurrency ${Math.max(64, config.inflight)}`,
    async runOne(i) {
      const run = await engine.startRun(fiveSteps, i);
      const failure = finishedEarly.has(run.id)
        ? finishedEarly.get(run.id)
        : await new Promise<Error | undefined>((resolve) => waiting.set(run.id, resolve));
      finishedEarly.delete(run.id);
      waiting.delete(run.id);
      if (failure) throw failure;
    },
    async close() {
      await engine.stop();
      await store.close();
    },
  };
});
