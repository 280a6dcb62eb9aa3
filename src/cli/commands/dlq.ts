import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { recordChange } from '../../api/index.js';
import { connectorsFromConfig } from '../../connectors/index.js';
import { errorMessage, ValidationError } from '../../core/index.js';
import type { DeadLetterQuery, DeadLetterStatus } from '../../store/index.js';
import { type GlobalOptions, loadConfig, openConfiguredStore } from '../context.js';
import { type Io, iso, json, table } from '../output.js';
import { cliActor } from './keys.js';
import { parseNonNegative } from './runs.js';

const STATUSES: DeadLetterStatus[] = ['held', 'replayed', 'discarded'];

function readPayload(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ValidationError(`cannot read ${file}: ${errorMessage(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`${file} is not JSON: ${errorMessage(err)}`);
  }
}

export function registerDlq(program: Command, io: Io): void {
  const g = () => program.opts<GlobalOptions>();
  const dlq = program
    .command('dlq')
    .description('the dead-letter queue: calls and messages that failed for good');

  /** The registry (and its queue) built from the configuration, as the workers build it. */
  const withQueue = async <T>(fn: (ctx: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> => {
    const ctx = await open();
    try {
      return await fn(ctx);
    } finally {
      await ctx.connectors.close();
      await ctx.store.close();
    }
  };
  const open = async () => {
    const config = loadConfig(g());
    const store = await openConfiguredStore(config);
    try {
      return { store, connectors: connectorsFromConfig(config, store) };
    } catch (err) {
      await store.close();
      throw err;
    }
  };

  dlq
    .command('list')
    .description('dead letters, newest first')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`)
    .option('--system <name>', 'only this system')
    .option('--limit <n>', 'at most this many', parseNonNegative, 100)
    .option('--json', 'print JSON')
    .action(async (o) => {
      if (o.status && !STATUSES.includes(o.status))
        throw new ValidationError(`--status must be one of ${STATUSES.join(', ')}, got "${o.status}"`);
      const q: DeadLetterQuery = { limit: Math.max(1, o.limit) };
      if (o.status) q.status = o.status;
      if (o.system) q.system = o.system;
      const list = await withQueue(({ connectors }) => connectors.dlq.list(q));
      io.out(
        o.json
          ? json(list)
          : table(
              list.map((e) => ({
                id: e.id,
                at: iso(e.createdAt),
                status: e.status,
                kind: e.kind,
                call: `${e.system}.${e.operation}`,
                attempts: e.attempts.length,
                error: e.error.message,
              })),
              ['id', 'at', 'status', 'kind', 'call', 'attempts', 'error'],
            ),
      );
    });

  dlq
    .command('show')
    .argument('<id>', 'the dead letter')
    .description('one dead letter with its payload, error, attempts and replays (JSON)')
    .action(async (id: string) => {
      io.out(json(await withQueue(({ connectors }) => connectors.dlq.get(id))));
    });

  dlq
    .command('replay')
    .argument('<id>', 'the dead letter')
    .description('run it again with its idempotency key; exits 1 when it still fails')
    .option('--payload-file <file>', 'replace the payload with this JSON first (audited)')
    .action(async (id: string, o) => {
      const actor = cliActor();
      await withQueue(async ({ connectors, store }) => {
        const queue = connectors.dlq;
        if (o.payloadFile) {
          const { before, after } = await queue.edit(id, readPayload(o.payloadFile), actor.name);
          await recordChange(store.governance, actor, Date.now(), {
            action: 'dlq.edited',
            target: { kind: 'dead-letter', id },
            before: { payload: before.payload },
            after: { payload: after.payload },
          });
        }
        try {
          const { entry } = await queue.replay(id, actor.name);
          await recordChange(store.governance, actor, Date.now(), {
            action: 'dlq.replayed',
            target: { kind: 'dead-letter', id },
            before: { status: 'held' },
            after: { status: entry.status },
          });
          io.out(`dead letter ${id} replayed: ${entry.system}.${entry.operation} succeeded`);
        } catch (err) {
          await recordChange(store.governance, actor, Date.now(), {
            action: 'dlq.replay_failed',
            target: { kind: 'dead-letter', id },
            after: { status: 'held', error: errorMessage(err) },
          }).catch(() => {});
          throw new Error(`replay of ${id} failed: ${errorMessage(err)}`);
        }
      });
    });

  dlq
    .command('discard')
    .argument('<id>', 'the dead letter')
    .description('give up on it; it stays listed as discarded')
    .action(async (id: string) => {
      const actor = cliActor();
      await withQueue(async ({ connectors, store }) => {
        const entry = await connectors.dlq.discard(id, actor.name);
        await recordChange(store.governance, actor, Date.now(), {
          action: 'dlq.discarded',
          target: { kind: 'dead-letter', id },
          before: { status: 'held' },
          after: { status: entry.status },
        });
        io.out(`dead letter ${id} discarded`);
      });
    });
}
