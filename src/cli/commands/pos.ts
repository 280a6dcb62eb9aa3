import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { type InboxResult, PosInbox } from '../../api/index.js';
import { Bus } from '../../bus/index.js';
import { ContractRegistry } from '../../contracts/index.js';
import { createLogger } from '../../core/index.js';
import { Engine } from '../../engine/index.js';
import { type GlobalOptions, loadConfig, openConfiguredStore } from '../context.js';
import { type Io, json } from '../output.js';

const SOURCE = /^[a-z0-9][a-z0-9-]{0,62}$/;

function parseSource(v: string): string {
  if (!SOURCE.test(v)) throw new InvalidArgumentError('must be lower-case letters, digits and "-"');
  return v;
}

function parseMs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number of milliseconds');
  return n;
}

const line = (r: InboxResult) =>
  r.report
    ? `${r.file}: ${r.report.rows} rows, ${r.report.accepted} sales accepted, ${r.report.duplicates} duplicates, ${r.report.quarantined} rows quarantined${r.report.errors.length ? ` (bad lines ${r.report.errors.map((e) => e.line).join(', ')})` : ''} -> ${r.movedTo}`
    : `${r.file}: refused: ${r.error} -> ${r.movedTo}`;

/** `baton pos watch DIR`: ingest POS CSV batches dropped into a folder. */
export function registerPos(program: Command, io: Io): void {
  const pos = program.command('pos').description('POS sale batches (CSV)');

  pos
    .command('watch')
    .description('read CSV batches dropped into DIR once each, moving them to processed/ or failed/')
    .argument('<dir>', 'the inbox folder')
    .option('--source <name>', 'the POS system; events get the source /pos/<name>', parseSource, 'pos')
    .option('--store <id>', 'the store of rows without store_id (ST-…)')
    .option('--interval <ms>', 'how often the folder is scanned', parseMs, 1000)
    .option('--settle <ms>', 'how long a file must be unchanged before it is read', parseMs, 1000)
    .option('--once', 'read what is there now and exit')
    .option('--json', 'print one JSON report per file')
    .action(async (dir: string, o) => {
      const config = loadConfig(program.opts<GlobalOptions>());
      const log = createLogger(config.logLevel);
      const store = await openConfiguredStore(config);
      const engine = new Engine({ store, config, logger: log });
      const bus = await new Bus({ engine, logger: log }).start();
      const registry = new ContractRegistry(store.governance, { clock: engine.clock });
      const close = async () => {
        await bus.stop();
        await store.close();
      };
      try {
        await registry.seed();
        const inbox = new PosInbox(
          { engine, registry, bus, governance: store.governance, log, clock: engine.clock },
          {
            dir,
            source: o.source,
            ...(o.store ? { storeId: o.store } : {}),
            pollIntervalMs: o.interval,
            settleMs: o.once ? 0 : o.settle,
            logger: log,
            onFile: (r) => io.out(o.json ? json(r) : line(r)),
          },
        );
        if (o.once) {
          await inbox.scan();
          return;
        }
        inbox.start();
        io.out(`watching ${dir} for POS batches (*.csv); press Ctrl-C to stop`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void inbox.stop().then(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      } finally {
        await close();
      }
    });
}
