import { isDeepStrictEqual } from 'node:util';
import { errorMessage, ValidationError } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import type { JournalEntry, Store } from '../store/index.js';
import { tableVersion } from './decision.js';
import { evaluate } from './evaluate.js';
import type { DecisionTable } from './model.js';

/** What a decision came to: its outputs and matched rules, or the error it failed with. */
export type DecisionOutcome = { outputs: unknown; matchedRules: string[] } | { error: string };

export interface WhatIfChange {
  runId: string;
  workflow: string;
  /** The decision's position in the run's journal. */
  position: number;
  at: number;
  /** The table version that decided. */
  recordedVersion: unknown;
  facts: Record<string, unknown>;
  before: DecisionOutcome;
  after: DecisionOutcome;
}

export interface WhatIfReport {
  decision: string;
  draftVersion: string | number;
  /** The window searched, epoch ms. */
  from: number;
  to: number;
  runsScanned: number;
  /** Recorded decisions of this table in the window, each evaluated again with the draft. */
  evaluated: number;
  unchanged: number;
  changed: number;
  /** Every decision whose outcome the draft changes, oldest first. */
  changes: WhatIfChange[];
}

export interface WhatIfOptions {
  days: number;
  /** End of the window; default now. */
  now?: number | Date;
  /** Only runs of this workflow. */
  workflow?: string;
}

const PAGE = 500;

/**
 * Replays a draft table against the decisions the current table made over the last `days` days:
 * each `decide` journal entry of the draft's id is evaluated again with its recorded facts, and
 * the report lists every decision whose outputs (or failure) would change.
 *
 * The journal is read run by run (`searchRuns` from the window start, then `loadJournal`), which
 * costs one query per run: fine for days of history, slow for months. Runs created before the
 * window are not searched, so decisions they made inside it are missed.
 */
export async function whatIf(
  source: Store | Engine,
  draft: DecisionTable,
  options: WhatIfOptions,
): Promise<WhatIfReport> {
  if (!(Number.isFinite(options.days) && options.days > 0))
    throw new ValidationError(`what-if needs a positive number of days, got ${options.days}`, [
      { path: '/days', message: 'must be a positive number' },
    ]);
  const store = 'loadJournal' in source ? source : source.store;
  const to = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  const from = to - options.days * 86_400_000;
  const report: WhatIfReport = {
    decision: draft.id,
    draftVersion: tableVersion(draft),
    from,
    to,
    runsScanned: 0,
    evaluated: 0,
    unchanged: 0,
    changed: 0,
    changes: [],
  };
  let cursor: string | undefined;
  for (;;) {
    const runs = await store.searchRuns({
      createdAfter: from,
      createdBefore: to,
      limit: PAGE,
      ...(options.workflow ? { workflow: options.workflow } : {}),
      ...(cursor ? { before: cursor } : {}),
    });
    for (const run of runs) {
      report.runsScanned++;
      for (const entry of await store.loadJournal(run.id)) {
        if (entry.kind !== 'decide' || entry.name !== draft.id || entry.status === 'pending') continue;
        if (entry.startedAt < from || entry.startedAt > to) continue;
        const change = compare(draft, entry);
        report.evaluated++;
        if (!change) report.unchanged++;
        else report.changes.push({ ...change, runId: run.id, workflow: `${run.workflow}@${run.version}` });
      }
    }
    if (runs.length < PAGE) break;
    cursor = runs[runs.length - 1]!.id;
  }
  report.changed = report.changes.length;
  report.changes.sort((a, b) => a.at - b.at || a.runId.localeCompare(b.runId) || a.position - b.position);
  return report;
}

function compare(
  draft: DecisionTable,
  entry: JournalEntry,
): Omit<WhatIfChange, 'runId' | 'workflow'> | undefined {
  const input = (entry.input ?? {}) as { version?: unknown; facts?: Record<string, unknown> };
  const facts = input.facts ?? {};
  const recorded = entry.result as { outputs: unknown; matchedRules: string[] } | undefined;
  const before: DecisionOutcome =
    entry.status === 'failed'
      ? { error: entry.error?.message ?? 'failed' }
      : { outputs: recorded?.outputs ?? null, matchedRules: recorded?.matchedRules ?? [] };
  let after: DecisionOutcome;
  try {
    const r = evaluate(draft, facts, { strict: true });
    after = { outputs: JSON.parse(JSON.stringify(r.outputs)), matchedRules: r.matchedRules };
  } catch (err) {
    after = { error: errorMessage(err) };
  }
  const same =
    'error' in before
      ? 'error' in after
      : 'outputs' in after && isDeepStrictEqual(before.outputs, after.outputs);
  if (same) return undefined;
  return {
    position: entry.position,
    at: entry.startedAt,
    recordedVersion: input.version,
    facts,
    before,
    after,
  };
}
