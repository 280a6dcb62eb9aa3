/**
 * The measuring loop every runner shares, so each engine gets exactly the same load: a short
 * warm-up, N workflows with `inflight` of them at once (throughput, latency under load, CPU), then
 * workflows one at a time (latency). A runner only says how to start one workflow and wait for it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineResult, RunnerConfig, RunnerOutcome } from './protocol.js';
import { STEPS } from './protocol.js';

/** One engine, set up and ready to run the 5-step workflow. */
export interface Subject {
  /** Starts workflow number `i` and resolves once the engine reports it complete. */
  runOne(i: number): Promise<void>;
  /** Processes outside this one that do the engine's work (Restate's server), for CPU accounting. */
  serverPids?: () => number[];
  /** Versions and notable settings, shown with the results. */
  setup: string;
  close(): Promise<void>;
}

export function readConfig(): RunnerConfig {
  const raw = process.env.BENCH_RUNNER_CONFIG;
  if (!raw) throw new Error('BENCH_RUNNER_CONFIG is not set; runners are started by bench/peers.ts');
  return JSON.parse(raw) as RunnerConfig;
}

export const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * Opens the engine, measures it and writes the outcome where the orchestrator looks for it. Any
 * failure becomes `{ error }`; the process then exits, whatever handles a library left open.
 */
export async function runBenchmark(open: (config: RunnerConfig) => Promise<Subject>): Promise<never> {
  const config = readConfig();
  // an orchestrator that died leaves this process to init: stop rather than run on unobserved
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 1000).unref();
  let subject: Subject | undefined;
  // at the time limit the orchestrator sends SIGTERM, then SIGKILL 5 s later: close what can be closed
  process.once('SIGTERM', () => {
    const closing = subject?.close() ?? Promise.resolve();
    void Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 4000))]).finally(() =>
      process.exit(1),
    );
  });
  let outcome: RunnerOutcome;
  try {
    subject = await open(config);
    outcome = { result: await measure(config, subject) };
  } catch (e) {
    outcome = { error: describe(e) };
  }
  writeFileSync(join(config.workDir, 'result.json'), JSON.stringify(outcome));
  if (subject) {
    const closing = subject.close().catch((e) => log(`close failed: ${describe(e)}`));
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
  }
  process.exit(0);
}

export function describe(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return describe(e.errors[0]);
  // fetch and pg put the reason of a failed connection in `cause`
  if (e instanceof Error) return e.cause ? `${e.message} (${describe(e.cause)})` : e.message || e.name;
  return String(e);
}

async function measure(config: RunnerConfig, subject: Subject): Promise<EngineResult> {
  let next = 0;
  const { inflight } = config;

  for (let i = 0; i < 5; i++) await subject.runOne(next++);
  const warm = await concurrently(subject, inflight, () => next++, { seconds: config.warmupSeconds });
  const warmRate = warm.latencies.length / warm.seconds;
  // A fresh database has no planner statistics until autovacuum's first pass (its naptime is a
  // minute, longer than a phase here); give every engine the statistics it would have by then.
  if (config.databaseUrl) {
    await analyze(config.databaseUrl);
    log('analyzed the database after the warm-up, as autovacuum would in its first minute');
  }
  const total =
    config.workflows > 0
      ? config.workflows
      : Math.min(
          1_000_000,
          Math.max(4 * inflight, Math.round((warmRate * config.targetSeconds) / 100) * 100),
        );

  log(
    `throughput: ${total} workflows of ${STEPS} steps, ${inflight} in flight (warm-up ${Math.round(warmRate)}/s)`,
  );
  const pgDatabase = localDatabaseName(config.databaseUrl);
  const cpu0 = process.cpuUsage();
  const server0 = ticksOf(subject.serverPids?.() ?? []);
  const pg0 = pgDatabase === undefined ? undefined : pgBackendTicks(pgDatabase);
  let done = 0;
  const loaded = await concurrently(subject, inflight, () => next++, {
    count: total,
    onDone: () => {
      done++;
      if (done % Math.max(1, Math.round(total / 5)) === 0 && done < total) log(`  ${done}/${total}`);
    },
  });
  const cpu = process.cpuUsage(cpu0);
  const serverTicks = sumDelta(server0, ticksOf(subject.serverPids?.() ?? []));
  const pg1 = pg0 === undefined ? undefined : pgBackendTicks(pgDatabase as string);
  // no backend visible means /proc does not show them (another user's server): unknown, not zero
  const pgTicks = pg0 === undefined || pg1 === undefined || pg1.size === 0 ? undefined : sumDelta(pg0, pg1);
  const seconds = loaded.seconds;

  log(`latency: ${config.sequential} workflows one at a time`);
  const sequential: number[] = [];
  for (let i = 0; i < config.sequential; i++) {
    const t0 = performance.now();
    await subject.runOne(next++);
    sequential.push(performance.now() - t0);
  }
  sequential.sort((a, b) => a - b);
  loaded.latencies.sort((a, b) => a - b);

  const cpuSeconds = (cpu.user + cpu.system) / 1e6 + serverTicks / CLOCK_TICKS;
  return {
    workflowsPerSec: Math.round(total / seconds),
    stepsPerSec: Math.round((total * STEPS) / seconds),
    p50Ms: round2(percentile(sequential, 50)),
    p99Ms: round2(percentile(sequential, 99)),
    p50LoadedMs: round2(percentile(loaded.latencies, 50)),
    p99LoadedMs: round2(percentile(loaded.latencies, 99)),
    cpuPercent: Math.round((cpuSeconds / seconds) * 100),
    pgCpuPercent: pgTicks === undefined ? null : Math.round((pgTicks / CLOCK_TICKS / seconds) * 100),
    workflows: total,
    sequential: config.sequential,
    inflight,
    seconds: round2(seconds),
    peakRssMb: Math.round(
      (process.resourceUsage().maxRSS +
        (subject.serverPids?.() ?? []).reduce((s, p) => s + peakRssKb(p), 0)) /
        1024,
    ),
    setup: subject.setup,
  };
}

/** Keeps `width` workflows running until `count` have finished or `seconds` have passed. */
async function concurrently(
  subject: Subject,
  width: number,
  nextIndex: () => number,
  limit: { count?: number; seconds?: number; onDone?: () => void },
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let started = 0;
  const t0 = performance.now();
  const deadline = limit.seconds === undefined ? Number.POSITIVE_INFINITY : t0 + limit.seconds * 1000;
  const more = () =>
    (limit.count === undefined || started < limit.count) && (started < width || performance.now() < deadline);
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (more()) {
        started++;
        const s = performance.now();
        await subject.runOne(nextIndex());
        latencies.push(performance.now() - s);
        limit.onDone?.();
      }
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const round2 = (n: number) => Number(n.toFixed(2));

// ------------------------------------------------------------------ CPU of other processes (Linux /proc)

/** USER_HZ, the unit of /proc/<pid>/stat times; 100 on every mainstream Linux architecture. */
const CLOCK_TICKS = 100;

function procTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm) ": state is field 3, utime 14 and stime 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function ticksOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const t = procTicks(pid);
    if (t !== undefined) out.set(pid, t);
  }
  return out;
}

/** CPU used between two samples by the processes alive at the second one. */
function sumDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0);
  return sum;
}

function peakRssKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The database name when PostgreSQL runs on this machine, so its backends can be found in /proc. */
/** ANALYZE over a connection of its own: planner statistics for every table of the database. */
async function analyze(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

function localDatabaseName(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const u = new URL(url);
  const local = ['127.0.0.1', 'localhost', '[::1]', ''].includes(u.hostname);
  return local && process.platform === 'linux' ? decodeURIComponent(u.pathname.slice(1)) : undefined;
}

/**
 * CPU ticks of the PostgreSQL backends connected to one database. A backend's process title reads
 * `postgres: [cluster: ]user database client state`; titles are readable by the server's user or root.
 */
function pgBackendTicks(database: string): Map<number, number> {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const m = /^postgres: (?:\S+: )?(\S+) (\S+) /.exec(title);
      if (m && m[2] === database) pids.push(Number(entry));
    } catch {
      // the process ended while listing
    }
  }
  return ticksOf(pids);
}
