/**
 * Restate: a service handler that calls `ctx.run` five times, served from this process over HTTP/2
 * and invoked through the Restate server's HTTP ingress; the ingress call returns the handler's
 * result, which is how completion is observed.
 *
 * Durability: the server appends the invocation and each `ctx.run` result to its log (RocksDB with
 * its write-ahead log fsynced, the server's default) before the handler is allowed to continue, so
 * after a crash of the service or the server the handler is replayed and every completed step
 * returns its journaled result instead of running again.
 *
 * The server comes from the @restatedev/restate-server package (its binary ships in a platform
 * package) and runs as a child of this process with a data directory in the run's scratch
 * directory, every port bound to 127.0.0.1 and telemetry turned off. It still checks once at start
 * whether a newer release exists (not configurable in 1.7.12); without outside network that check
 * just fails, and its log line is filtered out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, log, runBenchmark } from './harness.js';
import { STEPS } from './protocol.js';

// The SDK uses Promise.withResolvers (Node 22+); Node 20 lacks it, so install it before loading the SDK.
const PromiseStatics = Promise as unknown as Record<string, unknown>;
if (typeof PromiseStatics.withResolvers !== 'function') {
  PromiseStatics.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
process.env.RESTATE_LOGGING ??= 'ERROR';
const restate = await import('@restatedev/restate-sdk');
type Context = import('@restatedev/restate-sdk').Context;

const SERVICE = 'bench';

const fiveSteps = restate.service({
  name: SERVICE,
  handlers: {
    run: async (ctx: Context, input: number): Promise<number> => {
      let acc = input;
      for (let i = 0; i < STEPS; i++) {
        const current = acc;
        acc = await ctx.run(`step-${i}`, async () => current + 1);
      }
      return acc;
    },
  },
});

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function serverBinary(): string {
  const require = createRequire(import.meta.url);
  const pkg = `@restatedev/restate-server-${process.platform}-${process.arch}`;
  try {
    return require.resolve(`${pkg}/bin/restate-server`);
  } catch {
    throw new Error(`${pkg} is not installed: @restatedev/restate-server ships no binary for this platform`);
  }
}

async function until<T>(what: string, seconds: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (e) {
      last = describe(e);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not succeed within ${seconds} s (${last})`);
}

function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => server.kill('SIGKILL'), 10_000);
    server.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    server.kill('SIGTERM');
  });
}

await runBenchmark(async (config) => {
  const [fabric, ingress, admin] = [await freePort(), await freePort(), await freePort()];
  const configFile = join(config.workDir, 'restate.toml');
  writeFileSync(
    configFile,
    [
      'cluster-name = "baton-bench"',
      'disable-telemetry = true',
      'listen-mode = "tcp"',
      'log-filter = "warn,octocrab=off"',
      `bind-address = "127.0.0.1:${fabric}"`,
      `advertised-address = "http://127.0.0.1:${fabric}/"`,
      '[ingress]',
      `bind-address = "127.0.0.1:${ingress}"`,
      '[admin]',
      `bind-address = "127.0.0.1:${admin}"`,
      'disable-web-ui = true',
      '',
    ].join('\n'),
  );
  const serverLog = join(config.workDir, 'restate-server.log');
  const logStream = createWriteStream(serverLog);
  const server = spawn(
    serverBinary(),
    ['--config-file', configFile, '--base-dir', join(config.workDir, 'restate-data'), '--no-logo'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DO_NOT_TRACK: '1' } },
  );
  server.stdout?.pipe(logStream);
  server.stderr?.pipe(logStream);
  let exited = false;
  let stopping = false;
  // whatever ends this process, the server must not outlive it
  process.on('exit', () => {
    if (!exited) server.kill('SIGKILL');
  });
  server.once('exit', (code, signal) => {
    exited = true;
    if (!stopping) log(`restate-server exited (${signal ?? code}); its log is ${serverLog}`);
  });

  const endpoint = http2.createServer(restate.createEndpointHandler({ services: [fiveSteps] }));
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const endpointPort = (endpoint.address() as { port: number }).port;

  const close = async () => {
    stopping = true;
    await stopServer(server);
    await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  };
  try {
    const alive = () => {
      if (exited) throw new Error(`restate-server exited during start-up; see ${serverLog}`);
    };
    await until('restate-server start-up', 60, async () => {
      alive();
      const res = await fetch(`http://127.0.0.1:${admin}/health`);
      return res.ok ? true : undefined;
    });
    await until('registering the service deployment', 30, async () => {
      alive();
      const res = await fetch(`http://127.0.0.1:${admin}/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uri: `http://127.0.0.1:${endpointPort}` }),
      });
      if (!res.ok) throw new Error(`admin API answered ${res.status}: ${await res.text()}`);
      return true;
    });
  } catch (e) {
    await close();
    throw e;
  }

  const call = async (i: number): Promise<void> => {
    const res = await fetch(`http://127.0.0.1:${ingress}/${SERVICE}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(i),
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`ingress answered ${res.status}: ${body}`);
  };
  // the ingress learns about a new deployment a moment after the admin API accepts it
  await until('the first call through the ingress', 30, async () => {
    await call(-1);
    return true;
  });

  return {
    setup: '@restatedev/restate-server 1.7.12 + restate-sdk 1.17.2, HTTP/2 endpoint, defaults',
    runOne: call,
    serverPids: () => (server.pid !== undefined && !exited ? [server.pid] : []),
    close,
  };
});
