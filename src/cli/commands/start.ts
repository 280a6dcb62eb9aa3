import type { Command } from 'commander';
import type { Api } from '../../api/index.js';
import { Bus } from '../../bus/index.js';
import { createLogger, type Logger } from '../../core/index.js';
import { Engine } from '../../engine/index.js';
import { createDemoSystems, describeSnapshot, referenceWorkflows, snapshot } from '../../retail/index.js';
import { describeStore } from '../../store/index.js';
import { type GlobalOptions, loadConfig, openConfiguredStore, storeSettings } from '../context.js';
import { liveSummary } from '../estate/live.js';
import { type EstateRun, startEstate } from '../estate/run.js';
import type { Io } from '../output.js';
import { parsePort, serveApi } from '../serve.js';

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`"${v}" is not a positive number`);
  return n;
};

export function registerStart(program: Command, io: Io): void {
  program
    .command('start')
    .description('run Baton with the simulated retail estate: the five flows, steady demand and promotions')
    .option('--no-demo', 'the engine and its workers (and the API) only, no estate')
    .option(
      '--exit-when-done',
      'run a fixed simulated period, let every run settle, print the summary and exit',
    )
    .option('--days <n>', 'simulated days of demand before --exit-when-done stops (default 2)', positive)
    .option(
      '--day-ms <ms>',
      'real milliseconds per simulated day (default 60000; 1000 with --exit-when-done)',
      positive,
    )
    .option('--orders-per-day <n>', 'orders published per simulated day (default 40)', positive)
    .option('--promotion-every <minutes>', 'minutes between promotion launches (default 3)', positive)
    .option('--stores <n>', 'stores in the simulated estate (default 120)', positive)
    .option('--skus <n>', 'SKUs in the simulated estate (default 2000)', positive)
    .option('--seed <seed>', 'seed of the simulated estate and its demand', '1')
    .option('--concurrency <n>', 'runs executed at once', (v) => Number(v))
    .option('--no-api', 'do not serve the HTTP API')
    .option('--port <n>', 'HTTP API port (default api.port, 8080; 0 picks a free one)', parsePort)
    .option('--host <address>', 'HTTP API address (default api.host, 127.0.0.1)')
    .action(async (o) => {
      if (!o.demo) return engineOnly(program, io, o);
      const bounded = Boolean(o.exitWhenDone);
      const dayMs = o.dayMs ?? (bounded ? 1000 : 60_000);
      const run = await startEstate({
        global: program.opts<GlobalOptions>(),
        seed: o.seed,
        stores: o.stores,
        skus: o.skus,
        concurrency: o.concurrency,
        pace: {
          dayMs,
          ordersPerDay: o.ordersPerDay ?? 40,
          returnEvery: 8,
          promotionEveryMs: (o.promotionEvery ?? 3) * 60_000,
          reactionMs: Math.min(1500, dayMs / 20),
        },
        leaveForYou: bounded ? 0 : 1,
        onError: (m) => io.err(`baton: estate: ${m}`),
      });
      const header: string[] = [];
      const say = (s: string) => {
        header.push(s);
        io.out(s);
      };
      say(
        `Baton is running on ${describeStore(storeSettings(run.config))}, events in process, worker ${run.engine.workerId}`,
      );
      let api: Api | undefined;
      const shutdown = async () => {
        io.out('stopping: waiting for running steps to reach a checkpoint...');
        await api?.close();
        await run.close();
      };
      if (o.api)
        api = await serveApi({
          engine: run.engine,
          bus: run.bus,
          logger: run.logger,
          io: { ...io, out: say },
          port: o.port,
          host: o.host,
        }).catch(async (err: unknown) => {
          await shutdown();
          throw err;
        });
      const e = run.sim.estate;
      say(
        `simulated estate (seed ${run.sim.seed}): ${e.stores.length} stores, ${e.distributionCentres.length} DCs, ${e.skus.length} SKUs, ${e.suppliers.length} suppliers; a simulated day lasts ${dayMs / 1000} s`,
      );
      run.drive();
      const transferId = await run.requestLargeTransfer();
      if (bounded) return boundedRun(run, io, o.days ?? 2, dayMs, shutdown);

      say(
        `store ${e.stores[0]!.id} asked for a large transfer (${transferId}); store operations approves it:`,
      );
      const left = () =>
        run.colleagues
          .left()
          .map(
            (id) => `  waiting for you: npx baton tasks complete ${id} --outcome approve --by <your-name>`,
          );
      const live = liveSummary(run, io, {
        header: () => [...header, ...left(), 'press Ctrl-C to stop'],
        everyMs: 3000,
        tty: Boolean(process.stdout.isTTY),
      });
      // without a terminal to redraw, each task left for you is printed once
      const announced = new Set<string>();
      const off = run.engine.events.on('task.created', () => {
        setTimeout(() => {
          if (process.stdout.isTTY) return;
          for (const id of run.colleagues.left()) {
            if (announced.has(id)) continue;
            announced.add(id);
            io.out(`  waiting for you: npx baton tasks complete ${id} --outcome approve --by <your-name>`);
          }
        }, dayMs / 10);
      });
      io.out('workers are running; press Ctrl-C to stop');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          live.stop();
          off();
          void shutdown().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

/** A fixed simulated period of demand, then every run settles with every task answered. */
async function boundedRun(
  run: EstateRun,
  io: Io,
  days: number,
  dayMs: number,
  shutdown: () => Promise<void>,
) {
  await new Promise((r) => setTimeout(r, days * dayMs));
  run.quiet();
  await run.colleagues.answerAll();
  const settled = await run.settle(Math.max(120_000, 30 * dayMs));
  const s = await snapshot(run.engine, run.store);
  io.out(`\nafter ${days} simulated day(s)${settled ? ', every run settled' : ', some runs still open'}:`);
  for (const line of describeSnapshot(s)) io.out(line);
  await shutdown();
  const failed = Object.values(s.runs).reduce((n, by) => n + (by.failed ?? 0), 0);
  if (failed > 0 || !settled)
    throw new Error(`${failed} run(s) failed${settled ? '' : '; some runs did not settle'}`);
}

/** `--no-demo`: the engine, its workers and the API, with the reference workflows registered. */
async function engineOnly(
  program: Command,
  io: Io,
  o: { concurrency?: number; exitWhenDone?: boolean; api: boolean; port?: number; host?: string },
) {
  const config = loadConfig(
    program.opts<GlobalOptions>(),
    o.concurrency ? { worker: { concurrency: o.concurrency } as never } : {},
  );
  const log: Logger = createLogger(config.logLevel);
  const store = await openConfiguredStore(config);
  const engine = new Engine({ store, config, logger: log });
  engine.register(...Object.values(referenceWorkflows(createDemoSystems())));
  engine.start();
  const bus = await new Bus({ engine, logger: log }).start();
  const events = config.natsUrl ? `events over NATS JetStream (${config.natsStream})` : 'events in process';
  io.out(`Baton is running on ${describeStore(storeSettings(config))}, ${events}, worker ${engine.workerId}`);
  let api: Api | undefined;
  const shutdown = async () => {
    io.out('stopping: waiting for running steps to reach a checkpoint...');
    await api?.close();
    await bus.stop();
    await engine.stop(10_000);
    await store.close();
  };
  if (o.api)
    api = await serveApi({ engine, bus, logger: log, io, port: o.port, host: o.host }).catch(
      async (err: unknown) => {
        await shutdown();
        throw err;
      },
    );
  if (o.exitWhenDone) return shutdown();
  io.out('workers are running; press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void shutdown().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
