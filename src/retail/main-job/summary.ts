import type { Engine } from '../../engine/index.js';
import type { Store } from '../../store/index.js';
import { FLOW_NAMES } from './flows.js';

/** What the estate looks like right now, read from the store. */
export interface EstateSnapshot {
  /** Runs by workflow, then by state. */
  runs: Record<string, Record<string, number>>;
  /** Open (or claimed) tasks by role. */
  openTasks: Record<string, number>;
  /** Exception and escalation tasks raised so far. */
  exceptions: number;
  /** Dead letters waiting for someone to replay or discard them. */
  dlq: number;
}

const MAX = 10_000;

export async function snapshot(engine: Engine, store: Store): Promise<EstateSnapshot> {
  const runs: Record<string, Record<string, number>> = Object.fromEntries(FLOW_NAMES.map((f) => [f, {}]));
  for (const r of await engine.searchRuns({ limit: MAX })) {
    const by = runs[r.workflow] ?? {};
    runs[r.workflow] = by;
    by[r.status] = (by[r.status] ?? 0) + 1;
  }
  const openTasks: Record<string, number> = {};
  let exceptions = 0;
  for (const t of await engine.listTasks({ limit: MAX })) {
    if (t.kind === 'exception' || t.kind === 'escalation') exceptions++;
    if (t.status === 'open' || t.status === 'claimed') openTasks[t.role] = (openTasks[t.role] ?? 0) + 1;
  }
  const dlq = (await store.connectors.listDeadLetters({ status: 'held', limit: 1000 })).length;
  return { runs, openTasks, exceptions, dlq };
}

const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${v} ${k}`)
    .join(', ') || 'none';

/** The snapshot as lines for a terminal: one per flow, then tasks, exceptions and the DLQ. */
export function describeSnapshot(s: EstateSnapshot): string[] {
  const width = Math.max(...Object.keys(s.runs).map((f) => f.length));
  const lines = ['runs by flow and state:'];
  for (const [flow, by] of Object.entries(s.runs)) lines.push(`  ${flow.padEnd(width)}  ${list(by)}`);
  lines.push(`open tasks by role: ${list(s.openTasks)}`);
  lines.push(`exceptions raised: ${s.exceptions}    dead letters: ${s.dlq}`);
  return lines;
}
