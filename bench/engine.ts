/**
 * Engine benchmark: workflows of five sequential trivial steps on the embedded SQLite store with the
 * default (power-loss-safe) durability. Throughput with 64 runs in flight; latency one at a time and
 * under that load. `--json` prints one JSON object.
 *
 *   npm run bench:engine [-- --json] [-- --workflows 4000] [-- --durability normal]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/index.js';
import { openPostgresStore, openSqliteStore } from '../src/store/index.js';
import { benchArgs, percentile } from './cli.js';
import { fiveSteps, STEPS } from './workflows.js';

const args = benchArgs(
  'bench:engine',
  'Workflows of five sequential trivial steps: throughput at --inflight, latency one at a time and under load.',
  {
    json: { type: 'boolean', default: false, description: 'print one JSON object' },
    workflows: { type: 'string', default: '4000', description: 'workflows in the throughput phase' },
    sequential: { type: 'string', default: '200', description: 'workflows run one at a time' },
    inflight: { type: 'string', default: '64', description: 'workflows in flight for throughput' },
    durability: { type: 'string', default: 'full', description: 'SQLite durability: full or normal' },
    postgres: { type: 'string', description: 'a PostgreSQL URL: measure the PostgreSQL store instead' },
  },
);
const total = Number(args.workflows);
const sequential = Number(args.sequential);
const inflight = Number(args.inflight);

const log = (s: string) => {
  if (!args.json) process.stderr.write(`${s}\n`);
};

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const schema = `bench_engine_${process.pid}`;
  const store = args.postgres
    ? await openPostgresStore({ url: args.postgres, schema, pool: { max: 10 } })
    : openSqliteStore({ path: join(dir, 'bench.db'), durability: args.durability as 'full' | 'normal' });
  const engine = new Engine({
    store,
    workflows: [fiveSteps],
    config: { worker: { concurrency: Math.max(64, inflight) } },
  });
  engine.start();

  // completions can only be reported after startRun resolves (they need a commit), but keep a set anyway
  const done = new Map<string, () => void>();
  const finishedEarly = new Set<string>();
  engine.events.on('run.completed', (e) => {
    const resolve = done.get(e.runId);
    if (resolve) resolve();
    else finishedEarly.add(e.runId);
  });
  const runOne = async (i: number): Promise<number> => {
    const t0 = performance.now();
    const run = await engine.startRun(fiveSteps, i);
    if (!finishedEarly.delete(run.id)) await new Promise<void>((resolve) => done.set(run.id, resolve));
    done.delete(run.id);
    return performance.now() - t0;
  };

  // warm-up
  for (let i = 0; i < 20; i++) await runOne(i);

  log(`one at a time: ${sequential} workflows of ${STEPS} steps...`);
  const seq: number[] = [];
  for (let i = 0; i < sequential; i++) seq.push(await runOne(i));
  seq.sort((a, b) => a - b);

  log(`throughput: ${total} workflows, ${inflight} in flight...`);
  const loaded: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < total) {
        const i = next++;
        loaded.push(await runOne(i));
        if (i % 1000 === 999) log(`  ${i + 1}/${total}`);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  loaded.sort((a, b) => a - b);
  const stats = store.stats();
  await engine.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  if (args.postgres) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: args.postgres });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }

  const result = {
    workflowsPerSec: Math.round(total / seconds),
    stepsPerSec: Math.round((total * STEPS) / seconds),
    p50Ms: Number(percentile(seq, 50).toFixed(2)),
    p99Ms: Number(percentile(seq, 99).toFixed(2)),
    p50LoadedMs: Number(percentile(loaded, 50).toFixed(2)),
    p99LoadedMs: Number(percentile(loaded, 99).toFixed(2)),
    rssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    cpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
    opsPerTransaction: Number((stats.operations / Math.max(1, stats.transactions)).toFixed(1)),
    durability: args.postgres ? 'postgres' : args.durability,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log(`
Baton engine, ${args.postgres ? 'PostgreSQL' : `embedded SQLite (durability ${result.durability})`}, ${STEPS} sequential steps per workflow
  throughput (${inflight} in flight)   ${result.workflowsPerSec} workflows/s   ${result.stepsPerSec} steps/s   cpu ${result.cpuPercent}%
  latency one at a time        p50 ${result.p50Ms} ms   p99 ${result.p99Ms} ms
  latency at ${inflight} in flight       p50 ${result.p50LoadedMs} ms   p99 ${result.p99LoadedMs} ms
  group commit                 ${result.opsPerTransaction} operations per transaction
  peak RSS                     ${result.rssMb} MB`);
}

await main();
