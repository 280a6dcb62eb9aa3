import { type Command, InvalidArgumentError } from 'commander';
import type { TaskQuery, TaskStatus } from '../../store/index.js';
import { type GlobalOptions, withEngine } from '../context.js';
import { type Io, iso, json, table } from '../output.js';

const STATUSES: TaskStatus[] = ['open', 'claimed', 'completed', 'cancelled'];

function parseTaskStatus(value: string, previous: TaskStatus[] = []): TaskStatus[] {
  for (const s of value.split(',')) {
    if (!STATUSES.includes(s as TaskStatus))
      throw new InvalidArgumentError(`"${s}" is not a task status (${STATUSES.join(', ')})`);
    previous.push(s as TaskStatus);
  }
  return previous;
}

function parseValues(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    throw new InvalidArgumentError(`--values is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidArgumentError('--values must be a JSON object, e.g. \'{"comment":"ok"}\'');
  }
  return parsed as Record<string, unknown>;
}

export function registerTasks(program: Command, io: Io): void {
  const g = () => program.opts<GlobalOptions>();
  const tasks = program.command('tasks').description('the task inbox: approvals and exceptions for people');

  tasks
    .command('list')
    .description('tasks by role, assignee and status (default: open and claimed)')
    .option('--role <role>', 'role the task is routed to')
    .option('--assignee <person>', 'person the task is assigned to')
    .option('--status <status>', 'task status, comma-separated or repeated', parseTaskStatus)
    .option('--overdue', 'only tasks past their due time')
    .option('--limit <n>', 'at most this many tasks', (v) => Number(v), 100)
    .option('--json', 'print JSON')
    .action(async (o) => {
      const list = await withEngine(g(), (e) => {
        const q: TaskQuery = { status: o.status ?? ['open', 'claimed'], limit: o.limit };
        if (o.role) q.role = o.role;
        if (o.assignee) q.assignee = o.assignee;
        return o.overdue ? e.overdueTasks(q) : e.listTasks(q);
      });
      io.out(
        o.json
          ? json(list)
          : table(
              list.map((t) => ({
                id: t.id,
                role: t.role,
                assignee: t.assignee,
                status: t.status,
                due: iso(t.dueAt),
                outcomes: t.outcomes.join('|'),
                title: t.title,
              })),
              ['id', 'role', 'assignee', 'status', 'due', 'outcomes', 'title'],
            ),
      );
    });

  tasks
    .command('complete <taskId>')
    .description('decide a task with one of its outcomes; the waiting run resumes')
    .requiredOption('--outcome <outcome>', 'one of the task outcomes')
    .requiredOption('--by <person>', 'who decides (recorded as the manual touch)')
    .option('--values <json>', 'form values as a JSON object', parseValues)
    .option('--json', 'print JSON')
    .action(async (id: string, o) => {
      const task = await withEngine(g(), (e) =>
        e.completeTask(id, { outcome: o.outcome, values: o.values ?? {}, by: o.by }),
      );
      io.out(o.json ? json(task) : `task ${task.id} completed with "${task.outcome}" by ${task.decidedBy}`);
    });

  tasks
    .command('claim <taskId>')
    .description('take a task so colleagues see it is being handled')
    .requiredOption('--by <person>', 'who takes it')
    .option('--json', 'print JSON')
    .action(async (id: string, o) => {
      const task = await withEngine(g(), (e) => e.claimTask(id, o.by));
      io.out(o.json ? json(task) : `task ${task.id} claimed by ${task.claimedBy}`);
    });

  tasks
    .command('delegate <taskId>')
    .description('hand a task to another person')
    .requiredOption('--to <person>', 'who takes it over')
    .requiredOption('--by <person>', 'who delegates')
    .option('--json', 'print JSON')
    .action(async (id: string, o) => {
      const task = await withEngine(g(), (e) => e.delegateTask(id, { to: o.to, by: o.by }));
      io.out(o.json ? json(task) : `task ${task.id} delegated to ${task.assignee}`);
    });
}
