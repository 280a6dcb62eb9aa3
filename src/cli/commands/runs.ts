import { type Command, InvalidArgumentError } from 'commander';
import { type RunQuery, type RunStatus, runStatuses } from '../../store/index.js';
import { type GlobalOptions, withEngine } from '../context.js';
import { type Io, iso, json, table } from '../output.js';

export function parseStatus(value: string, previous: RunStatus[] = []): RunStatus[] {
  for (const s of value.split(',')) {
    if (!(runStatuses as readonly string[]).includes(s))
      throw new InvalidArgumentError(`"${s}" is not a run status (${runStatuses.join(', ')})`);
    previous.push(s as RunStatus);
  }
  return previous;
}

export function parseTag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`tag "${value}" must look like key=value, e.g. orderId=SO-1001`);
  return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
}

export function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`"${value}" is not a non-negative integer`);
  return n;
}

const summary = (r: {
  id: string;
  workflow: string;
  version: number;
  status: string;
  tags: Record<string, string>;
  createdAt: number;
  error?: { message: string };
}) => ({
  id: r.id,
  workflow: `${r.workflow}@${r.version}`,
  status: r.status,
  tags: Object.entries(r.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(' '),
  created: iso(r.createdAt),
  error: r.error?.message,
});

export function registerRuns(program: Command, io: Io): void {
  const g = () => program.opts<GlobalOptions>();
  const runs = program.command('runs').description('list, inspect and operate workflow runs');

  runs
    .command('list')
    .description('search runs by status, workflow, version, tag and creation time')
    .option('--status <status>', 'run status, comma-separated or repeated', parseStatus)
    .option('--workflow <name>', 'workflow name')
    .option('--version <n>', 'workflow version', parseNonNegative)
    .option('--tag <key=value>', 'business key, repeatable (orderId=SO-1001)', parseTag)
    .option('--since <iso-date>', 'created at or after')
    .option('--limit <n>', 'at most this many runs', parseNonNegative, 50)
    .option('--json', 'print JSON')
    .action(async (o) => {
      const q: RunQuery = { limit: o.limit };
      if (o.status) q.status = o.status;
      if (o.workflow) q.workflow = o.workflow;
      if (o.version !== undefined) q.version = o.version;
      if (o.tag) q.tags = o.tag;
      if (o.since) {
        const t = Date.parse(o.since);
        if (Number.isNaN(t)) throw new InvalidArgumentError(`--since "${o.since}" is not a date`);
        q.createdAfter = t;
      }
      const list = await withEngine(g(), (e) => e.searchRuns(q));
      io.out(
        o.json
          ? json(list)
          : table(list.map(summary), ['id', 'workflow', 'status', 'tags', 'created', 'error']),
      );
    });

  runs
    .command('show <runId>')
    .description('a run with its journal and history')
    .option('--json', 'print JSON')
    .action(async (id: string, o) => {
      const { run, journal, history } = await withEngine(g(), async (e) => ({
        run: await e.getRun(id),
        journal: await e.journal(id),
        history: await e.history(id),
      }));
      if (o.json) {
        io.out(json({ run, journal, history }));
        return;
      }
      const s = summary(run);
      io.out(
        `run ${run.id}\n  workflow  ${s.workflow}\n  status    ${run.status}\n  tags      ${s.tags}\n  created   ${s.created}\n  ended     ${iso(run.endedAt)}`,
      );
      if (run.error) io.out(`  error     ${run.error.message}`);
      if (run.output !== undefined) io.out(`  output    ${JSON.stringify(run.output)}`);
      io.out('\njournal');
      io.out(
        table(
          journal.map((j) => ({
            pos: j.position,
            kind: j.kind,
            name: j.name,
            status: j.status,
            attempts: j.attempts,
            ended: iso(j.endedAt),
            error: j.error?.message,
          })),
          ['pos', 'kind', 'name', 'status', 'attempts', 'ended', 'error'],
        ),
      );
      io.out('\nhistory');
      io.out(
        table(
          history.map((h) => ({ at: iso(h.at), type: h.type, pos: h.position, data: h.data })),
          ['at', 'type', 'pos', 'data'],
        ),
      );
    });

  const act = (name: string, description: string) =>
    runs.command(`${name} <runId>`).description(description).option('--json', 'print JSON');

  act('cancel', 'cancel a run (open tasks are cancelled; a running step is stopped)')
    .option('--reason <text>', 'why, kept in the history', 'cancelled from the command line')
    .action(async (id: string, o) => {
      const run = await withEngine(g(), (e) => e.cancel(id, o.reason));
      io.out(
        o.json
          ? json(run)
          : `run ${run.id} ${run.status === 'cancelled' ? 'cancelled' : 'will be cancelled at its next step'}`,
      );
    });

  act('retry', 'retry a failed run from its failed call, reusing earlier results').action(
    async (id: string, o) => {
      const run = await withEngine(g(), (e) => e.retry(id));
      io.out(o.json ? json(run) : `run ${run.id} is ${run.status} again; a worker will retry it`);
    },
  );

  act('restart', 'restart a run from journal position N, reusing the results before N')
    .requiredOption('--from <n>', 'journal position to restart from', parseNonNegative)
    .action(async (id: string, o) => {
      const run = await withEngine(g(), (e) => e.restart(id, o.from));
      io.out(o.json ? json(run) : `run ${run.id} restarts from position ${o.from}`);
    });
}
