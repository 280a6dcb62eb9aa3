/**
 * Ingestion benchmark: validated, durable event ingestion over HTTP on embedded SQLite with the default
 * (power-loss-safe) durability. A server process owns a fresh database; this process posts realistic
 * `order.created` CloudEvents over loopback, first one event per request (`--concurrency` in flight),
 * then batches (`--batch-size` events, `--inflight` batches at once). Every answer is checked: an
 * event that is not accepted fails the run. `--json` prints one JSON object.
 *
 *   npm run bench:ingest [-- --json] [-- --single 4000] [-- --batches 60 --batch-size 500]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createApiServer, listen } from '../src/api/index.js';
import { ContractRegistry, catalogue } from '../src/contracts/index.js';
import { compileConfig } from '../src/core/index.js';
import { Engine } from '../src/engine/index.js';
import { openSqliteStore } from '../src/store/index.js';
import { benchArgs, percentile } from './cli.js';

const args = benchArgs(
  'bench:ingest',
  'Validated, durable ingestion of order.created CloudEvents over HTTP: single posts, then batches.',
  {
    json: { type: 'boolean', default: false, description: 'print one JSON object' },
    single: { type: 'string', default: '4000', description: 'events posted one per request' },
    concurrency: { type: 'string', default: '32', description: 'single posts in flight' },
    batches: { type: 'string', default: '60', description: 'batch requests' },
    'batch-size': { type: 'string', default: '500', description: 'events per batch' },
    inflight: { type: 'string', default: '4', description: 'batches in flight' },
    durability: { type: 'string', default: 'full', description: 'SQLite durability: full or normal' },
    serve: { type: 'string', description: 'internal: run as the server process on this database file' },
  },
);

const log = (s: string) => {
  if (!args.json) process.stderr.write(`${s}\n`);
};

/** The server side: a fresh store, the seeded catalogue, the API on a free loopback port. */
async function serve(path: string): Promise<void> {
  const store = openSqliteStore({ path, durability: args.durability as 'full' | 'normal' });
  // the benchmark key must not be throttled: the limit is what is measured against, not the point
  const config = compileConfig({
    durability: args.durability as 'full',
    api: { rateLimits: { admin: 1e9 } },
  });
  const engine = new Engine({ store, config }).start();
  const registry = new ContractRegistry(store.governance);
  await registry.seed('bench');
  const app = createApiServer({ engine, registry, config });
  const { url, firstAdminKey } = await listen(app, { port: 0, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ url, key: firstAdminKey })}\n`);
  process.on('SIGTERM', () => {
    void app
      .close()
      .then(() => engine.stop())
      .then(() => store.close())
      .then(() => process.exit(0));
  });
}

async function startServer(path: string): Promise<{ child: ChildProcess; url: string; key: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--serve', path, '--durability', String(args.durability)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const ready = JSON.parse(line) as { url: string; key: string };
    return { child, ...ready };
  }
  throw new Error('the benchmark server exited before it was ready');
}

const example = catalogue.find((c) => c.type === 'order.created')?.example as Record<string, unknown>;
let seq = 0;
/** One realistic order event: the catalogue example with its own ids. */
function orderEvent(): Record<string, unknown> {
  const n = ++seq;
  return {
    specversion: '1.0',
    id: `evt-${process.pid}-${n}`,
    source: '/bench/shopify/store-7',
    type: 'com.baton.retail.order.created',
    subject: `SO-${n}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: example,
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-ingest-'));
  const { child, url, key } = await startServer(join(dir, 'bench.db'));
  const target = new URL('/v1/events', url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const post = (body: string, contentType: string): Promise<{ ms: number; accepted: number }> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': contentType,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => {
            if (res.statusCode !== 202)
              return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
            resolve({
              ms: performance.now() - t0,
              accepted: (JSON.parse(text) as { accepted: number }).accepted,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const pool = async (total: number, width: number, one: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < total) await one(next++);
      }),
    );
  };

  try {
    const single = Number(args.single);
    const batches = Number(args.batches);
    const size = Number(args['batch-size']);
    for (let i = 0; i < 50; i++) await post(JSON.stringify(orderEvent()), 'application/cloudevents+json');

    log(`single posts: ${single} events, ${args.concurrency} in flight...`);
    const latencies: number[] = [];
    let t0 = performance.now();
    await pool(single, Number(args.concurrency), async () => {
      const r = await post(JSON.stringify(orderEvent()), 'application/cloudevents+json');
      if (r.accepted !== 1) throw new Error('an event was not accepted');
      latencies.push(r.ms);
    });
    const singleSeconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);

    log(`batch posts: ${batches} batches of ${size} events, ${args.inflight} in flight...`);
    const bodies = Array.from({ length: batches }, () =>
      JSON.stringify(Array.from({ length: size }, orderEvent)),
    );
    const batchLatencies: number[] = [];
    t0 = performance.now();
    await pool(batches, Number(args.inflight), async (i) => {
      const r = await post(bodies[i]!, 'application/cloudevents-batch+json');
      if (r.accepted !== size) throw new Error(`a batch had ${size - r.accepted} events not accepted`);
      batchLatencies.push(r.ms);
    });
    const batchSeconds = (performance.now() - t0) / 1000;
    batchLatencies.sort((a, b) => a - b);

    const result = {
      batchEventsPerSec: Math.round((batches * size) / batchSeconds),
      singleEventsPerSec: Math.round(single / singleSeconds),
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
      batchP50Ms: Number(percentile(batchLatencies, 50).toFixed(2)),
      batchP99Ms: Number(percentile(batchLatencies, 99).toFixed(2)),
      batchSize: size,
      durability: args.durability,
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    console.log(`
Baton ingestion over HTTP, embedded SQLite (durability ${result.durability}), order.created validated against its contract
  single posts (${args.concurrency} in flight)        ${result.singleEventsPerSec} events/s   p50 ${result.p50Ms} ms   p99 ${result.p99Ms} ms
  batches of ${size} (${args.inflight} in flight)       ${result.batchEventsPerSec} events/s   p50 ${result.batchP50Ms} ms   p99 ${result.batchP99Ms} ms per batch`);
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.serve) await serve(args.serve);
else await main();
