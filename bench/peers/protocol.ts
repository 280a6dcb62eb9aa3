/**
 * What `bench/peers.ts` and its runner processes exchange. The orchestrator passes a `RunnerConfig`
 * as JSON in the `BENCH_RUNNER_CONFIG` variable; the runner writes one `RunnerOutcome` as JSON to
 * `<workDir>/result.json`. This module imports nothing, so the orchestrator can use it without the
 * peers' dependencies being installed.
 */

/** The engines, in the order they run and are printed. */
export const ENGINES = ['baton-postgres', 'baton-sqlite', 'dbos', 'pgboss', 'graphile', 'restate'] as const;
export type EngineName = (typeof ENGINES)[number];

/** Runner module (relative to bench/peers/) of each engine. */
export const RUNNER_FILES: Record<EngineName, string> = {
  'baton-postgres': 'baton.ts',
  'baton-sqlite': 'baton.ts',
  dbos: 'dbos.ts',
  pgboss: 'pgboss.ts',
  graphile: 'graphile.ts',
  restate: 'restate.ts',
};

/** Engines that keep their state in PostgreSQL and get a database of their own. */
export const USES_POSTGRES: ReadonlySet<EngineName> = new Set([
  'baton-postgres',
  'dbos',
  'pgboss',
  'graphile',
]);

/** Engines whose runner imports packages from bench/peers/node_modules. */
export const NEEDS_PEER_PACKAGES: ReadonlySet<EngineName> = new Set([
  'dbos',
  'pgboss',
  'graphile',
  'restate',
]);

export const STEPS = 5;

export interface RunnerConfig {
  engine: EngineName;
  /** Workflows measured at `inflight` concurrency; 0 sizes the run from the warm-up rate. */
  workflows: number;
  /** Wall time the throughput phase aims at when `workflows` is 0. */
  targetSeconds: number;
  /** Workflows measured one at a time for latency. */
  sequential: number;
  inflight: number;
  /** Warm-up at `inflight` concurrency, in seconds. */
  warmupSeconds: number;
  /** The engine's own database (PostgreSQL engines only). */
  databaseUrl?: string;
  /** Schema inside `databaseUrl` (baton-postgres only). */
  schema?: string;
  /** Scratch directory of this run; removed by the orchestrator afterwards. */
  workDir: string;
}

export interface EngineResult {
  workflowsPerSec: number;
  stepsPerSec: number;
  /** Latency of one workflow at a time. */
  p50Ms: number;
  p99Ms: number;
  /** Latency of each workflow while `inflight` run at once. */
  p50LoadedMs: number;
  p99LoadedMs: number;
  /** CPU of the engine's processes during the throughput phase (100 = one core busy). */
  cpuPercent: number;
  /** CPU of the PostgreSQL backends serving the engine's database during that phase, when measurable. */
  pgCpuPercent: number | null;
  workflows: number;
  sequential: number;
  inflight: number;
  seconds: number;
  peakRssMb: number;
  /** How the engine was set up, in a few words (versions, notable settings). */
  setup: string;
}

export type RunnerOutcome = { result: EngineResult } | { error: string };
