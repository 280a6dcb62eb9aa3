/**
 * The report of a scenario, from the store alone: what the runs did (orders, transfers, purchase
 * orders, price updates), the tasks people were given and how they answered, and the handoff
 * times. A handoff is the time from the event that started a chain of work (the run's creation,
 * or its parent's for a child run) to an operations action a system acknowledged: the step's end
 * in the journal.
 */
import type { Engine } from '../../engine/index.js';
import type { JournalEntry, RunRecord } from '../../store/index.js';

/** The operations actions measured, by workflow: the step that performs them and how to pick it. */
const ACTIONS: Record<string, Array<{ action: string; step: string; pick: 'first' | 'last' }>> = {
  'order.fulfilment': [{ action: 'order to WMS release', step: 'release-to-wms', pick: 'first' }],
  'transfer.stock': [{ action: 'transfer request to WMS pick', step: 'pick-at-source', pick: 'first' }],
  'promotion.launch': [
    { action: 'promotion to store replenishment', step: 'replenish-stores', pick: 'first' },
    { action: 'promotion to prices sent', step: 'sync-prices', pick: 'first' },
    { action: 'promotion to prices confirmed', step: 'read-back-prices', pick: 'last' },
  ],
  'replenishment.procure': [{ action: 'breach to purchase order sent', step: 'send-850', pick: 'first' }],
};

export interface Timing {
  count: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ScenarioReport {
  runs: Record<string, Record<string, number>>;
  orders: number;
  transfers: number;
  purchaseOrders: number;
  priceUpdates: number;
  returns: number;
  tasks: {
    created: number;
    open: number;
    byOutcome: Record<string, number>;
    /** Answers by role, then outcome. */
    byRole: Record<string, Record<string, number>>;
  };
  exceptions: number;
  runsFailed: number;
  handoffs: Record<string, Timing>;
  handoffP50Ms: number;
  handoffP99Ms: number;
}

/** Nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const timing = (values: number[]): Timing => {
  const s = [...values].sort((a, b) => a - b);
  return { count: s.length, p50Ms: percentile(s, 50), p99Ms: percentile(s, 99) };
};

const completedSteps = (journal: JournalEntry[], name: string) =>
  journal.filter((e) => e.kind === 'step' && e.name === name && e.status === 'completed' && e.endedAt);

export async function scenarioReport(engine: Engine, since = 0): Promise<ScenarioReport> {
  const runs = await engine.searchRuns({ createdAfter: since - 1, limit: 10_000 });
  const byId = new Map(runs.map((r) => [r.id, r]));
  const rootOf = (r: RunRecord): RunRecord => {
    let at = r;
    while (at.parentId && byId.has(at.parentId)) at = byId.get(at.parentId)!;
    return at;
  };
  const counts: Record<string, Record<string, number>> = {};
  const samples: Record<string, number[]> = {};
  let purchaseOrders = 0;
  let priceUpdates = 0;
  for (const r of runs) {
    const by = counts[r.workflow] ?? {};
    counts[r.workflow] = by;
    by[r.status] = (by[r.status] ?? 0) + 1;
    const journal = await engine.journal(r.id);
    if (r.workflow === 'replenishment.procure') purchaseOrders += completedSteps(journal, 'send-850').length;
    if (r.workflow === 'promotion.launch')
      priceUpdates += journal.filter((e) => e.kind === 'emit' && e.name === 'price.changed').length;
    const from = rootOf(r).createdAt;
    for (const a of ACTIONS[r.workflow] ?? []) {
      const steps = completedSteps(journal, a.step);
      const step = a.pick === 'first' ? steps[0] : steps.at(-1);
      if (step?.endedAt === undefined) continue;
      samples[a.action] = [...(samples[a.action] ?? []), step.endedAt - from];
    }
  }
  const ids = new Set(runs.map((r) => r.id));
  const tasks = (await engine.listTasks({ limit: 10_000 })).filter((t) => ids.has(t.runId));
  const byOutcome: Record<string, number> = {};
  const byRole: Record<string, Record<string, number>> = {};
  for (const t of tasks) {
    if (t.status !== 'completed' || !t.outcome) continue;
    byOutcome[t.outcome] = (byOutcome[t.outcome] ?? 0) + 1;
    const role = byRole[t.role] ?? {};
    byRole[t.role] = role;
    role[t.outcome] = (role[t.outcome] ?? 0) + 1;
  }
  const all = timing(Object.values(samples).flat());
  const of = (w: string) => Object.values(counts[w] ?? {}).reduce((s, n) => s + n, 0);
  return {
    runs: counts,
    orders: of('order.fulfilment'),
    transfers: of('transfer.stock'),
    purchaseOrders,
    priceUpdates,
    returns: of('return.refund-flow'),
    tasks: {
      created: tasks.length,
      open: tasks.filter((t) => t.status === 'open' || t.status === 'claimed').length,
      byOutcome,
      byRole,
    },
    exceptions: tasks.filter((t) => t.kind === 'exception' || t.kind === 'escalation').length,
    runsFailed: runs.filter((r) => r.status === 'failed').length,
    handoffs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, timing(v)])),
    handoffP50Ms: all.p50Ms,
    handoffP99Ms: all.p99Ms,
  };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The report as lines for a terminal. */
export function describeReport(r: ScenarioReport): string[] {
  const answers = (by: Record<string, number>) =>
    Object.entries(by)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
  const lines = [
    `orders: ${r.orders}   transfers: ${r.transfers}   purchase orders: ${r.purchaseOrders}   price updates: ${r.priceUpdates}   returns: ${r.returns}`,
    `tasks: ${r.tasks.created} created, ${r.tasks.open} open; answered ${answers(r.tasks.byOutcome) || 'none'}`,
  ];
  for (const [role, by] of Object.entries(r.tasks.byRole).sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`  ${role}: ${answers(by)}`);
  lines.push(`exceptions: ${r.exceptions}   runs failed: ${r.runsFailed}`);
  lines.push(`handoffs, event received to operations action (p50 / p99):`);
  for (const [action, t] of Object.entries(r.handoffs))
    lines.push(`  ${action.padEnd(34)} ${String(t.count).padStart(4)} × ${secs(t.p50Ms)} / ${secs(t.p99Ms)}`);
  lines.push(`  ${'all handoffs'.padEnd(34)} ${secs(r.handoffP50Ms)} / ${secs(r.handoffP99Ms)}`);
  return lines;
}
