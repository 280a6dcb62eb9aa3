import type { Command } from 'commander';
import type { Api } from '../../api/index.js';
import { Bus } from '../../bus/index.js';
import { createLogger } from '../../core/index.js';
import { Engine } from '../../engine/index.js';
import { createDemoSystems, referenceWorkflows } from '../../retail/index.js';
import { describeStore, migrateStore } from '../../store/index.js';
import { type GlobalOptions, loadConfig, openConfiguredStore, storeSettings } from '../context.js';
import type { Io } from '../output.js';
import { parsePort, serveApi } from '../serve.js';

export function registerWorker(program: Command, io: Io): void {
  program
    .command('migrate')
    .description('apply pending database migrations (safe to run from several processes at once)')
    .action(async () => {
      const config = loadConfig(program.opts<GlobalOptions>());
      const applied = await migrateStore(storeSettings(config));
      const where = describeStore(storeSettings(config));
      io.out(
        applied.length ? `applied migrations ${applied.join(', ')} to ${where}` : `${where} is up to date`,
      );
    });

  program
    .command('worker')
    .description('run a worker only: claim and execute runs of the registered workflows until stopped')
    .option('--concurrency <n>', 'runs executed at once', (v) => Number(v))
    .option('--api', 'also serve the HTTP API')
    .option('--port <n>', 'HTTP API port (default api.port, 8080; 0 picks a free one)', parsePort)
    .option('--host <address>', 'HTTP API address (default api.host, 127.0.0.1)')
    .action(async (o) => {
      const config = loadConfig(
        program.opts<GlobalOptions>(),
        o.concurrency ? { worker: { concurrency: o.concurrency } } : {},
      );
      const store = await openConfiguredStore(config);
      // the reference retail workflows, bound to the demo estate until connectors provide the real systems
      const workflows = Object.values(referenceWorkflows(createDemoSystems()));
      const logger = createLogger(config.logLevel);
      const engine = new Engine({ store, config, workflows, logger }).start();
      const bus = await new Bus({ engine, logger }).start();
      io.out(
        `worker ${engine.workerId} on ${describeStore(storeSettings(config))}: ${workflows.map((w) => w.key).join(', ')}; concurrency ${config.worker.concurrency}`,
      );
      let api: Api | undefined;
      const shutdown = async () => {
        io.out('stopping: waiting for running steps to reach a checkpoint...');
        await api?.close();
        await bus.stop();
        await engine.stop(10_000);
        await store.close();
      };
      if (o.api)
        api = await serveApi({ engine, bus, logger, io, port: o.port, host: o.host }).catch(
          async (err: unknown) => {
            await shutdown();
            throw err;
          },
        );
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
