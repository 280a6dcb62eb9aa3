import type { Command } from 'commander';
import type { Api } from '../../api/index.js';
import { Bus } from '../../bus/index.js';
import { createLogger, type Logger } from '../../core/index.js';
import { Engine } from '../../engine/index.js';
import { createDemoSystems, referenceWorkflows, runDemo } from '../../retail/index.js';
import { describeStore } from '../../store/index.js';
import { type GlobalOptions, loadConfig, openConfiguredStore, storeSettings } from '../context.js';
import type { Io } from '../output.js';
import { parsePort, serveApi } from '../serve.js';

export function registerStart(program: Command, io: Io): void {
  program
    .command('start')
    .description('run Baton: the engine and its workers on the configured database, with the demo estate')
    .option('--no-demo', 'do not run the demo retail day')
    .option('--exit-when-done', 'exit once the demo has finished (every task is answered)')
    .option('--concurrency <n>', 'runs executed at once', (v) => Number(v))
    .option('--no-api', 'do not serve the HTTP API')
    .option('--port <n>', 'HTTP API port (default api.port, 8080; 0 picks a free one)', parsePort)
    .option('--host <address>', 'HTTP API address (default api.host, 127.0.0.1)')
    .action(async (o) => {
      const config = loadConfig(
        program.opts<GlobalOptions>(),
        o.concurrency ? { worker: { concurrency: o.concurrency } as never } : {},
      );
      const log: Logger = createLogger(config.logLevel);
      const store = await openConfiguredStore(config);
      const engine = new Engine({ store, config, logger: log });
      // the demo registers the reference workflows bound to its own estate; without it, as `baton worker` does
      if (!o.demo) engine.register(...Object.values(referenceWorkflows(createDemoSystems())));
      engine.start();
      const bus = await new Bus({ engine, logger: log }).start();
      const events = config.natsUrl
        ? `events over NATS JetStream (${config.natsStream})`
        : 'events in process';
      io.out(
        `Baton is running on ${describeStore(storeSettings(config))}, ${events}, worker ${engine.workerId}`,
      );
      let api: Api | undefined;
      let stopDemo = () => {};
      const shutdown = async () => {
        stopDemo();
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
      if (o.demo) {
        const s = await runDemo({ engine, write: io.out, approveAll: Boolean(o.exitWhenDone) });
        stopDemo = s.stop;
        io.out(
          `\nretail day: ${s.runs.length} runs — ${Object.entries(s.byStatus)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}`,
        );
        io.out(
          `manual touches: ${s.manualTouches}; effects applied twice by the estate: ${s.duplicateEffects}`,
        );
        if (s.waitingForYou.length > 0) {
          io.out('\nwaiting for you (store operations approves large transfers):');
          for (const id of s.waitingForYou)
            io.out(`  npx baton tasks complete ${id} --outcome approve --by <your-name>`);
          io.out('  npx baton tasks list    npx baton runs list    npx baton runs show <runId>');
        }
      }
      if (o.exitWhenDone) {
        await shutdown();
        return;
      }
      io.out('\nworkers are running; press Ctrl-C to stop');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void shutdown().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
