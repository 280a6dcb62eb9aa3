/**
 * Scale curve on PostgreSQL: throughput of the 5-step workflow with 1, 2 and 4 worker processes,
 * first on an empty database, then with a million completed runs (and their journals) already in it,
 * plus the plan of the claim query with that history. `--json` prints the figures as JSON.
 *
 *   npm run bench:scale [-- --workflows 4000] [-- --workers 1,2,4] [-- --history 1000000] [-- --json]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { Engine } from '../src/engine/index.js';
import { migrateStore, openPostgresStore } from '../src/store/index.js';
import { CLAIM_SQL } from '../src/store/postgres/store.js';
import { benchArgs } from './cli.js';
import { fiveSteps, STEPS } from './workflows.js';

const args = benchArgs(
  'bench:scale',
  'Throughput on PostgreSQL with 1, 2 and 4 worker processes, empty and with a million completed runs.',
  {
    json: { type: 'boolean', default: false, description: 'print the figures as JSON' },
    workflows: { type: 'string', default: '4000', description: 'workflows per phase' },
    workers: { type: 'string', default: '1,2,4', description: 'worker process counts' },
    history: {
      type: 'string',
      default: '1000000',
      description: 'completed runs loaded before the second pass',
    },
    url: {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      description: 'the PostgreSQL server (BENCH_DATABASE_URL)',
    },
  },
);
const N = Number(args.workflows);
const workerCounts = args.workers.split(',').map(Number);
const HISTORY = Number(args.history);
const url = args.url;
const schema = `scale_${process.pid}`;
const log = (s: string) => {
  if (!args.json) process.stderr.write(`${s}\n`);
};

interface Phase {
  workers: number;
  completedRunsBefore: number;
  workflowsPerSec: number;
  stepsPerSec: number;
  seconds: number;
}

function startWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'scale-worker.ts'), url, schema],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      if (String(d).includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

async function phase(db: pg.Client, workers: number): Promise<Phase> {
  const before = Number(
    (await db.query("SELECT count(*) AS n FROM runs WHERE status = 'completed'")).rows[0].n,
  );
  const fleet = await Promise.all(Array.from({ length: workers }, startWorker));
  const store = await openPostgresStore({ url, schema, migrate: false });
  const client = new Engine({ store, workflows: [fiveSteps] });
  // create every run first, due far in the future, then make them all due at once
  const later = Date.now() + 3_600_000;
  const ids: string[] = [];
  for (let i = 0; i < N; i += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, N - i) }, (_, k) =>
        client.startRun(fiveSteps, i + k, { startAt: later }),
      ),
    );
    ids.push(...batch.map((r) => r.id));
  }
  const t0 = Date.now();
  await db.query('UPDATE runs SET next_at = $1 WHERE id = ANY($2::text[])', [t0, ids]);
  for (;;) {
    const done = Number(
      (
        await db.query("SELECT count(*) AS n FROM runs WHERE id = ANY($1::text[]) AND status = 'completed'", [
          ids,
        ])
      ).rows[0].n,
    );
    if (done === N) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const last = Number(
    (await db.query('SELECT max(ended_at) AS t FROM runs WHERE id = ANY($1::text[])', [ids])).rows[0].t,
  );
  const seconds = (last - t0) / 1000;
  for (const w of fleet) w.stdin?.end();
  await Promise.all(fleet.map((w) => new Promise((r) => w.on('exit', r))));
  await store.close();
  return {
    workers,
    completedRunsBefore: before,
    workflowsPerSec: Math.round(N / seconds),
    stepsPerSec: Math.round((N * STEPS) / seconds),
    seconds: Number(seconds.toFixed(2)),
  };
}

async function preload(db: pg.Client, count: number): Promise<void> {
  const t = Date.now() - 86_400_000;
  for (let done = 0; done < count; done += 100_000) {
    const n = Math.min(100_000, count - done);
    await db.query(
      `WITH r AS (
         INSERT INTO runs (id, workflow, version, wf_key, status, input, output, queue, lease_token, claims,
           created_at, updated_at, started_at, ended_at)
         SELECT 'hist-' || lpad(($1::int + g)::text, 9, '0'), 'bench.five-steps', 1, 'bench.five-steps@1', 'completed', '0', '5',
           'default', 1, 1, $2::bigint + g, $2::bigint + g, $2::bigint + g, $2::bigint + g + 5
         FROM generate_series(1, $3::int) g RETURNING id, created_at)
       INSERT INTO journal (run_id, position, kind, name, status, result, attempts, started_at, ended_at)
       SELECT r.id, p, 'step', 'step-' || p, 'completed', (p + 1)::text, 1, r.created_at + p, r.created_at + p + 1
       FROM r, generate_series(0, ${STEPS - 1}) p`,
      [done, t, n],
    );
    log(`  ${done + n} completed runs loaded`);
  }
  await db.query('ANALYZE runs; ANALYZE journal');
}

async function main() {
  await migrateStore({ databaseUrl: url, databaseSchema: schema, databasePath: '' });
  const db = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await db.connect();
  const phases: Phase[] = [];
  let plan = '';
  try {
    for (const w of workerCounts) {
      log(`empty database, ${w} worker process(es): ${N} workflows...`);
      phases.push(await phase(db, w));
    }
    log(`loading ${HISTORY} completed runs with their journals...`);
    await preload(db, HISTORY);
    const explained = await db.query(`EXPLAIN (COSTS OFF) ${CLAIM_SQL}`, [
      Date.now(),
      ['bench.five-steps@1'],
      ['default'],
      64,
    ]);
    plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
    for (const w of workerCounts) {
      log(`with history, ${w} worker process(es): ${N} workflows...`);
      phases.push(await phase(db, w));
    }
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ workflows: N, phases, claimPlan: plan })}\n`);
    return;
  }
  console.log(
    `\nBaton on PostgreSQL, ${N} workflows of ${STEPS} steps per phase, 64 runs in flight per worker process`,
  );
  console.log('workers  completed runs before  workflows/s  steps/s');
  for (const p of phases) {
    console.log(
      `${String(p.workers).padStart(7)}  ${String(p.completedRunsBefore).padStart(21)}  ${String(p.workflowsPerSec).padStart(11)}  ${String(p.stepsPerSec).padStart(7)}`,
    );
  }
  console.log(`\nclaim query plan with ${HISTORY} completed runs:\n${plan}`);
}

await main();
