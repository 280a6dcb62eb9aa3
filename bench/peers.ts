/**
 * Baton and its peers measured side by side, on this machine and the same PostgreSQL, with the same
 * workflow of five sequential trivial steps. Each engine runs alone in a child process (its runner
 * under bench/peers/), with a time limit, a scratch directory and, on PostgreSQL, a database of its
 * own that is dropped afterwards. The peers' packages live in bench/peers/node_modules, installed
 * from bench/peers/package-lock.json when missing; they are never Baton's dependencies.
 *
 *   npm run bench:peers [-- --json] [-- --only baton-postgres,dbos] [-- --workflows 3000]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, hostname, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  ENGINES,
  type EngineName,
  type EngineResult,
  NEEDS_PEER_PACKAGES,
  RUNNER_FILES,
  type RunnerConfig,
  type RunnerOutcome,
  STEPS,
  USES_POSTGRES,
} from './peers/protocol.js';

const HELP = `Usage: npm run bench:peers -- [options]

Runs the same ${STEPS}-step workflow on each engine in its own process and prints one table:
workflows/s and steps/s at --inflight workflows at once, p50/p99 latency one at a time and
under that load, CPU of the engine's processes and of its PostgreSQL backends, and each
engine's throughput relative to baton-postgres (baton-sqlite when baton-postgres cannot run).

Engines: ${ENGINES.join(', ')}

Options:
  --only a,b          run only these engines
  --workflows N       workflows in the throughput phase (default: sized from the warm-up so
                      each engine runs about --seconds)
  --seconds S         target length of the throughput phase (default 15)
  --sequential N      workflows run one at a time for latency (default 100)
  --inflight N        workflows in flight during the throughput phase (default 64)
  --warmup S          warm-up at --inflight, in seconds (default 3)
  --timeout S         time limit of each engine's process (default 300)
  --json              print the results as one JSON object keyed by engine name
  --help              show this text

Environment:
  BENCH_DATABASE_URL  PostgreSQL server to use (default postgres://postgres@127.0.0.1:5432/test);
                      each engine gets a fresh database on it, dropped afterwards
`;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PEERS_DIR = join(ROOT, 'bench', 'peers');

type Outcome = ({ result: EngineResult } | { error: string }) & { engine: EngineName };

const say = (line: string) => process.stderr.write(`${line}\n`);

function parseOptions() {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      only: { type: 'string' },
      workflows: { type: 'string', default: '0' },
      seconds: { type: 'string', default: '15' },
      sequential: { type: 'string', default: '100' },
      inflight: { type: 'string', default: '64' },
      warmup: { type: 'string', default: '3' },
      timeout: { type: 'string', default: '300' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const number = (name: keyof typeof values, min: number): number => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min)
      fail(`--${name} must be a number of at least ${min}, got "${values[name]}"`);
    return n;
  };
  const engines = values.only ? values.only.split(',').map((s) => s.trim()) : [...ENGINES];
  const unknown = engines.filter((e) => !(ENGINES as readonly string[]).includes(e));
  if (unknown.length > 0) fail(`unknown engine ${unknown.join(', ')}; the engines are ${ENGINES.join(', ')}`);
  return {
    json: values.json,
    engines: ENGINES.filter((e) => engines.includes(e)),
    workflows: Math.round(number('workflows', 0)),
    targetSeconds: number('seconds', 1),
    sequential: Math.round(number('sequential', 1)),
    inflight: Math.round(number('inflight', 1)),
    warmupSeconds: number('warmup', 0),
    timeoutSeconds: number('timeout', 10),
  };
}

function fail(message: string): never {
  process.stderr.write(`bench:peers: ${message}\n`);
  process.exit(2);
}

// ------------------------------------------------------------------ peer packages

/** Names of the peer packages that are missing or not at the pinned version. */
function missingPeerPackages(): string[] {
  const manifest = JSON.parse(readFileSync(join(PEERS_DIR, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return Object.entries(manifest.dependencies)
    .filter(([name, version]) => {
      const file = join(PEERS_DIR, 'node_modules', name, 'package.json');
      return (
        !existsSync(file) ||
        (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version !== version
      );
    })
    .map(([name]) => name);
}

/** Installs bench/peers from its lock file; resolves to the reason when that fails. */
async function installPeerPackages(): Promise<string | undefined> {
  const missing = missingPeerPackages();
  if (missing.length === 0) return undefined;
  say(`installing the peers' packages (${missing.join(', ')} missing): npm ci --prefix bench/peers`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const started = Date.now();
  // --loglevel: `npm run -s` would otherwise pass its silence on to this install
  const args = ['ci', '--prefix', 'bench/peers', '--no-audit', '--no-fund', '--loglevel', 'notice'];
  const child = spawn(npm, args, {
    cwd: ROOT,
    // @scarf/scarf (a dependency of restate-server) reports installs unless told not to
    env: { ...process.env, SCARF_ANALYTICS: 'false', DO_NOT_TRACK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = forwardLines(child, '  [npm] ');
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code === 0 && missingPeerPackages().length === 0) {
    say(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
    return undefined;
  }
  return `installing bench/peers failed (npm ci exited ${code}): ${tail.join(' | ').slice(-400)}`;
}

// ------------------------------------------------------------------ databases

/**
 * Databases are named `baton_bench_<host>_<pid>_<engine>`, so leftovers of a run that was killed can
 * be recognised, and only this machine's are ever dropped (a server may be shared).
 */
const DB_PREFIX = `baton_bench_${createHash('sha256').update(hostname()).digest('hex').slice(0, 6)}_`;

function databaseUrl(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function withAdmin<T>(base: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function dropDatabase(base: string, database: string): Promise<void> {
  await withAdmin(base, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`));
}

/** Drops this machine's databases left by earlier runs whose orchestrator is gone (killed, power cut). */
async function dropOrphans(base: string): Promise<void> {
  const { rows } = await withAdmin(base, (c) =>
    c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${DB_PREFIX}%`]),
  );
  for (const { datname } of rows) {
    const pid = Number(datname.slice(DB_PREFIX.length).split('_')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    say(`dropping ${datname}, left by an earlier run`);
    await dropDatabase(base, datname).catch((e) => say(`  could not drop it: ${(e as Error).message}`));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ------------------------------------------------------------------ one engine in one process

/** Prints a child's output lines with a prefix; returns the last lines, kept for error messages. */
function forwardLines(child: ChildProcess, prefix: string): string[] {
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      say(`${prefix}${line}`);
      tail.push(line);
      if (tail.length > 20) tail.shift();
    });
  }
  return tail;
}

let current: { child: ChildProcess; cleanup: () => Promise<void> } | undefined;

/** Signals the child's whole process group: the runner and whatever it started (restate-server). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

async function runEngine(
  engine: EngineName,
  options: ReturnType<typeof parseOptions>,
  base: string,
): Promise<{ result: EngineResult } | { error: string }> {
  const workDir = mkdtempSync(join(tmpdir(), `baton-bench-${engine}-`));
  const database = `${DB_PREFIX}${process.pid}_${engine.replaceAll('-', '_')}`;
  const config: RunnerConfig = {
    engine,
    workflows: options.workflows,
    targetSeconds: options.targetSeconds,
    sequential: options.sequential,
    inflight: options.inflight,
    warmupSeconds: options.warmupSeconds,
    workDir,
  };
  let createdDatabase = false;
  const cleanup = async () => {
    rmSync(workDir, { recursive: true, force: true });
    if (createdDatabase) {
      createdDatabase = false;
      await dropDatabase(base, database).catch((e) =>
        say(`  could not drop ${database}: ${(e as Error).message}`),
      );
    }
  };
  try {
    if (USES_POSTGRES.has(engine)) {
      await withAdmin(base, (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`));
      createdDatabase = true;
      config.databaseUrl = databaseUrl(base, database);
      if (engine === 'baton-postgres') config.schema = `bench_${process.pid}`;
    }
    // --no-deprecation: a peer's internal use of a deprecated pg call would print on every run
    const runner = join(PEERS_DIR, RUNNER_FILES[engine]);
    const child = spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', runner], {
      cwd: ROOT,
      env: { ...process.env, BENCH_RUNNER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a time-out can end everything it started
    });
    current = { child, cleanup };
    const tail = forwardLines(child, `  [${engine}] `);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      say(`  [${engine}] time limit of ${options.timeoutSeconds} s reached; stopping it`);
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 5000).unref();
    }, options.timeoutSeconds * 1000);
    const exit = await new Promise<string>((resolve) =>
      child.once('close', (code, signal) => resolve(signal ?? `exit code ${code}`)),
    );
    clearTimeout(timer);
    killGroup(child, 'SIGKILL');
    current = undefined;

    const resultFile = join(workDir, 'result.json');
    const written = existsSync(resultFile)
      ? (JSON.parse(readFileSync(resultFile, 'utf8')) as RunnerOutcome)
      : undefined;
    // a result written before the time limit stands; an error after it is a consequence of the stop
    if (written && 'result' in written) return written;
    if (timedOut) return { error: `did not finish within ${options.timeoutSeconds} s (--timeout)` };
    if (written) return written;
    const last = tail
      .filter((l) => l.trim() !== '')
      .slice(-3)
      .join(' | ');
    return { error: `runner ended (${exit}) without a result${last ? `: ${last}` : ''}` };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    await cleanup();
  }
}

// ------------------------------------------------------------------ report

interface Row extends EngineResult {
  throughputRatio: number | null;
  ratioBase: EngineName | null;
}
type Report = Partial<Record<EngineName, Row | { error: string }>>;

function buildReport(outcomes: Outcome[]): Report {
  const ok = (name: EngineName) => {
    const o = outcomes.find((x) => x.engine === name);
    return o && 'result' in o ? o.result : undefined;
  };
  const baseName: EngineName | null = ok('baton-postgres')
    ? 'baton-postgres'
    : ok('baton-sqlite')
      ? 'baton-sqlite'
      : null;
  const base = baseName ? ok(baseName) : undefined;
  const report: Report = {};
  for (const o of outcomes) {
    if ('error' in o) {
      report[o.engine] = { error: o.error };
      continue;
    }
    report[o.engine] = {
      ...o.result,
      throughputRatio: base ? Number((o.result.workflowsPerSec / base.workflowsPerSec).toFixed(3)) : null,
      ratioBase: baseName,
    };
  }
  return report;
}

function printTable(report: Report, context: string[], inflight: number): void {
  const rows = Object.entries(report) as [EngineName, Row | { error: string }][];
  const base = rows.map(([, r]) => ('ratioBase' in r ? r.ratioBase : null)).find((b) => b) ?? null;
  const header = [
    'engine',
    'workflows/s',
    'steps/s',
    'p50 ms',
    'p99 ms',
    'p50 ms loaded',
    'p99 ms loaded',
    'CPU %',
    'PG CPU %',
    base ? `vs ${base}` : 'ratio',
  ];
  const fmt = (n: number) => (n >= 100 ? String(Math.round(n)) : n.toFixed(1));
  const body = rows.map(([name, r]) =>
    'error' in r
      ? [name]
      : [
          name,
          String(r.workflowsPerSec),
          String(r.stepsPerSec),
          fmt(r.p50Ms),
          fmt(r.p99Ms),
          fmt(r.p50LoadedMs),
          fmt(r.p99LoadedMs),
          String(r.cpuPercent),
          r.pgCpuPercent === null ? '-' : String(r.pgCpuPercent),
          r.throughputRatio === null
            ? '-'
            : `${r.throughputRatio < 0.1 ? r.throughputRatio.toFixed(3) : r.throughputRatio.toFixed(2)}x`,
        ],
  );
  const widths = header.map((h, i) =>
    // a failed engine's row holds only its name, which still sets the first column's width
    Math.max(h.length, ...body.map((r) => (r.length > 1 || i === 0 ? (r[i] ?? '').length : 0))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[0] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  const out = [...context, '', line(header), line(widths.map((w) => '-'.repeat(w)))];
  for (const [i, [name, r]] of rows.entries()) {
    out.push(
      'error' in r
        ? `${name.padEnd(widths[0] as number)}  not measured: ${r.error}`
        : line(body[i] as string[]),
    );
  }
  out.push(
    '',
    `p50/p99: one workflow at a time; loaded: each workflow's latency while ${inflight} run at once.`,
    "CPU %: the engine's processes during the throughput phase (100 = one core busy); PG CPU %: the",
    "PostgreSQL backends serving the engine's database in that phase.",
  );
  out.push('', 'set-up:');
  for (const [name, r] of rows)
    if (!('error' in r)) out.push(`  ${name.padEnd(widths[0] as number)}  ${r.setup}`);
  const summary = headline(report);
  if (summary) out.push('', summary);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Baton on PostgreSQL against the best peer, the comparison the benchmark exists for. */
function headline(report: Report): string | undefined {
  const baton = report['baton-postgres'];
  if (!baton || 'error' in baton) return undefined;
  let best: { name: string; row: Row } | undefined;
  for (const name of ['dbos', 'pgboss', 'graphile', 'restate'] as const) {
    const row = report[name];
    if (row && !('error' in row) && (!best || row.workflowsPerSec > best.row.workflowsPerSec))
      best = { name, row };
  }
  if (!best) return undefined;
  const ratio = baton.workflowsPerSec / best.row.workflowsPerSec;
  return `baton-postgres: ${ratio.toFixed(1)}x the throughput of the best peer (${best.name}, ${best.row.workflowsPerSec} workflows/s); the target is 3x.`;
}

async function machineContext(
  base: string,
  pgOk: boolean,
  options: ReturnType<typeof parseOptions>,
  loadAtStart: number,
) {
  let pgVersion = 'PostgreSQL unreachable';
  if (pgOk) {
    pgVersion = await withAdmin(base, (c) =>
      c.query<{ v: string }>("SELECT current_setting('server_version') AS v"),
    ).then(
      (r) => `PostgreSQL ${r.rows[0]?.v}`,
      () => 'PostgreSQL (version unknown)',
    );
  }
  const cpu = cpus();
  return [
    `${STEPS}-step workflows, ${options.inflight} in flight; ${options.workflows > 0 ? `${options.workflows} workflows per engine` : `about ${options.targetSeconds} s per engine`}; ${options.sequential} one at a time`,
    `Node ${process.version}, ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${pgVersion} at ${redact(base)}`,
    // other work on the machine skews every figure; say how busy it was
    `load average ${loadAtStart.toFixed(1)} when the benchmark started`,
  ];
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const options = parseOptions();
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const loadAtStart = loadavg()[0] ?? 0;

  // a closed pipe (`| head`) must not end this process before its children are stopped
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  process.on('exit', () => {
    if (current) killGroup(current.child, 'SIGKILL');
  });
  const stop = (signal: NodeJS.Signals) => {
    say(`\n${signal}: stopping`);
    const running = current;
    if (running) killGroup(running.child, 'SIGKILL');
    void (running?.cleanup() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  let pgError: string | undefined;
  if (options.engines.some((e) => USES_POSTGRES.has(e))) {
    try {
      await withAdmin(base, (c) => c.query('SELECT 1'));
      await dropOrphans(base);
    } catch (e) {
      pgError = `PostgreSQL is not reachable at ${redact(base)}: ${(e as Error).message}`;
    }
  }
  let installError: string | undefined;
  if (options.engines.some((e) => NEEDS_PEER_PACKAGES.has(e))) installError = await installPeerPackages();

  const outcomes: Outcome[] = [];
  for (const [i, engine] of options.engines.entries()) {
    say(`== ${engine} (${i + 1} of ${options.engines.length})`);
    let outcome: { result: EngineResult } | { error: string };
    if (USES_POSTGRES.has(engine) && pgError) outcome = { error: pgError };
    else if (NEEDS_PEER_PACKAGES.has(engine) && installError) outcome = { error: installError };
    else outcome = await runEngine(engine, options, base);
    say(
      'error' in outcome
        ? `  ${engine}: ${outcome.error}`
        : `  ${engine}: ${outcome.result.workflowsPerSec} workflows/s`,
    );
    outcomes.push({ engine, ...outcome });
  }

  const report = buildReport(outcomes);
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    printTable(
      report,
      await machineContext(base, pgError === undefined, options, loadAtStart),
      options.inflight,
    );
}

await main();
