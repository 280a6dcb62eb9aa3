/**
 * What a draft changes, table by table: rules added, removed or changed (matched by rule id, with
 * the cells that differ), hit policy and column changes, name and description. The structured form
 * is for the API and for checks; `formatDiff` renders it for a reviewer.
 */
import type { DecisionTable, Definitions, InputClause, OutputClause, Rule } from './model.js';

export interface CellChange {
  /** The column's label (inputs) or output name. */
  column: string;
  kind: 'input' | 'output';
  /** Absent when the column did not exist on that side. */
  before?: string;
  after?: string;
}

export interface RuleChange {
  ruleId: string;
  cells: CellChange[];
  description?: { before?: string; after?: string };
}

export interface ColumnChange {
  kind: 'input' | 'output';
  id: string;
  change: 'added' | 'removed' | 'changed';
  /** A column as people read it, for example `Total = order.total (number)`. */
  before?: string;
  after?: string;
}

export interface TableDiff {
  decisionId: string;
  name: string;
  change: 'added' | 'removed' | 'changed';
  hitPolicy?: { before: string; after: string };
  /** Name and description changes. */
  metadata: Array<{ field: 'name' | 'description'; before?: string; after?: string }>;
  columns: ColumnChange[];
  rules: {
    added: Rule[];
    removed: Rule[];
    changed: RuleChange[];
    /** Set when the rules both sides share appear in another order (it matters for FIRST, RULE ORDER). */
    reordered?: { before: string[]; after: string[] };
  };
  /** The inputs' expressions and types or the outputs' names, types or allowed values differ. */
  signatureChanged: boolean;
}

export interface DefinitionsDiff {
  /** False when nothing a reviewer would see differs. */
  changed: boolean;
  tables: TableDiff[];
  /** Decisions present on both sides without any change. */
  unchanged: string[];
}

const policyOf = (t: DecisionTable) => (t.aggregation ? `${t.hitPolicy} ${t.aggregation}` : t.hitPolicy);
const showInput = (i: InputClause) => `${i.label} = ${i.expression} (${i.typeRef})`;
const showOutput = (o: OutputClause) =>
  `${o.name} (${o.typeRef}${o.allowedValues ? `: ${o.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : ''})`;

/** What evaluation depends on in a table's columns; an override must keep its table's signature. */
export function columnSignature(t: DecisionTable): string {
  return JSON.stringify({
    inputs: t.inputs.map((i) => [i.expression, i.typeRef]),
    outputs: t.outputs.map((o) => [o.name, o.typeRef, o.allowedValues ?? null]),
  });
}

function columnChanges<C extends { id: string }>(
  kind: 'input' | 'output',
  before: C[],
  after: C[],
  show: (c: C) => string,
): ColumnChange[] {
  const out: ColumnChange[] = [];
  const old = new Map(before.map((c) => [c.id, c]));
  const next = new Map(after.map((c) => [c.id, c]));
  for (const c of before)
    if (!next.has(c.id)) out.push({ kind, id: c.id, change: 'removed', before: show(c) });
  for (const c of after) {
    const was = old.get(c.id);
    if (!was) out.push({ kind, id: c.id, change: 'added', after: show(c) });
    else if (show(was) !== show(c))
      out.push({ kind, id: c.id, change: 'changed', before: show(was), after: show(c) });
  }
  return out;
}

/** Cell values of a rule by column id, so rules compare across added, removed and moved columns. */
function cells(
  t: DecisionTable,
  r: Rule,
): Map<string, { column: string; kind: 'input' | 'output'; value: string }> {
  const m = new Map<string, { column: string; kind: 'input' | 'output'; value: string }>();
  t.inputs.forEach((c, i) => {
    m.set(`in:${c.id}`, { column: c.label, kind: 'input', value: r.inputEntries[i] ?? '' });
  });
  t.outputs.forEach((c, i) => {
    m.set(`out:${c.id}`, { column: c.name, kind: 'output', value: r.outputEntries[i] ?? '' });
  });
  return m;
}

function ruleChange(before: DecisionTable, after: DecisionTable, a: Rule, b: Rule): RuleChange | undefined {
  const was = cells(before, a);
  const now = cells(after, b);
  const changes: CellChange[] = [];
  for (const key of new Set([...was.keys(), ...now.keys()])) {
    const x = was.get(key);
    const y = now.get(key);
    if (x?.value === y?.value) continue;
    const c: CellChange = { column: (y ?? x)!.column, kind: (y ?? x)!.kind };
    if (x) c.before = x.value;
    if (y) c.after = y.value;
    changes.push(c);
  }
  const change: RuleChange = { ruleId: b.id, cells: changes };
  if ((a.description ?? '') !== (b.description ?? '')) {
    change.description = {};
    if (a.description !== undefined) change.description.before = a.description;
    if (b.description !== undefined) change.description.after = b.description;
  }
  return changes.length > 0 || change.description ? change : undefined;
}

/** The changes from `before` to `after` of one decision (either may be absent: added, removed). */
export function diffTables(before: DecisionTable | undefined, after: DecisionTable | undefined): TableDiff {
  const t = (after ?? before)!;
  const base = { decisionId: t.id, name: t.name, metadata: [], columns: [] };
  if (!before || !after) {
    return {
      ...base,
      change: before ? 'removed' : 'added',
      rules: { added: after?.rules ?? [], removed: before?.rules ?? [], changed: [] },
      signatureChanged: true,
    };
  }
  const diff: TableDiff = {
    ...base,
    change: 'changed',
    metadata: [],
    columns: [
      ...columnChanges('input', before.inputs, after.inputs, showInput),
      ...columnChanges('output', before.outputs, after.outputs, showOutput),
    ],
    rules: { added: [], removed: [], changed: [] },
    signatureChanged: columnSignature(before) !== columnSignature(after),
  };
  if (policyOf(before) !== policyOf(after))
    diff.hitPolicy = { before: policyOf(before), after: policyOf(after) };
  for (const field of ['name', 'description'] as const) {
    if ((before[field] ?? '') === (after[field] ?? '')) continue;
    const m: TableDiff['metadata'][number] = { field };
    if (before[field] !== undefined) m.before = before[field];
    if (after[field] !== undefined) m.after = after[field];
    diff.metadata.push(m);
  }
  const old = new Map(before.rules.map((r) => [r.id, r]));
  const next = new Map(after.rules.map((r) => [r.id, r]));
  diff.rules.removed = before.rules.filter((r) => !next.has(r.id));
  diff.rules.added = after.rules.filter((r) => !old.has(r.id));
  for (const r of after.rules) {
    const was = old.get(r.id);
    const change = was && ruleChange(before, after, was, r);
    if (change) diff.rules.changed.push(change);
  }
  const sharedBefore = before.rules.filter((r) => next.has(r.id)).map((r) => r.id);
  const sharedAfter = after.rules.filter((r) => old.has(r.id)).map((r) => r.id);
  if (sharedBefore.join('\n') !== sharedAfter.join('\n'))
    diff.rules.reordered = { before: sharedBefore, after: sharedAfter };
  return diff;
}

const isEmpty = (d: TableDiff): boolean =>
  d.change === 'changed' &&
  !d.hitPolicy &&
  d.metadata.length === 0 &&
  d.columns.length === 0 &&
  d.rules.added.length === 0 &&
  d.rules.removed.length === 0 &&
  d.rules.changed.length === 0 &&
  !d.rules.reordered;

/** The changes from one definitions to another, decision by decision in the order of `after`. */
export function diffDefinitions(before: Definitions | undefined, after: Definitions): DefinitionsDiff {
  const old = new Map((before?.decisions ?? []).map((d) => [d.id, d]));
  const next = new Set(after.decisions.map((d) => d.id));
  const tables: TableDiff[] = [];
  const unchanged: string[] = [];
  for (const d of after.decisions) {
    const diff = diffTables(old.get(d.id), d);
    if (isEmpty(diff)) unchanged.push(d.id);
    else tables.push(diff);
  }
  for (const d of before?.decisions ?? []) if (!next.has(d.id)) tables.push(diffTables(d, undefined));
  return { changed: tables.length > 0, tables, unchanged };
}

const q = (s: string | undefined) => (s === undefined ? '(none)' : JSON.stringify(s));

function showRule(t: DecisionTable | undefined, r: Rule): string {
  const ins = r.inputEntries.map((e, i) => `${t?.inputs[i]?.label ?? `input ${i + 1}`} ${q(e)}`);
  const outs = r.outputEntries.map((e, i) => `${t?.outputs[i]?.name ?? `output ${i + 1}`} ${q(e)}`);
  return `${ins.join(', ')} → ${outs.join(', ')}${r.description ? ` (${r.description})` : ''}`;
}

/**
 * The diff as text a reviewer reads: one block per changed decision, one line per change.
 * `tables` resolves column names of added and removed rules.
 */
export function formatDiff(
  diff: DefinitionsDiff,
  heading: string,
  sides: { before?: Definitions | DecisionTable[]; after: Definitions | DecisionTable[] },
): string {
  const find = (side: Definitions | DecisionTable[] | undefined, id: string) =>
    (Array.isArray(side) ? side : side?.decisions)?.find((d) => d.id === id);
  const lines = [heading];
  if (!diff.changed) lines.push('  no changes');
  for (const t of diff.tables) {
    const before = find(sides.before, t.decisionId);
    const after = find(sides.after, t.decisionId);
    lines.push(`decision ${t.decisionId} (${t.name}): ${t.change}`);
    if (t.change === 'removed') {
      lines.push(`  ${t.rules.removed.length} rules removed with it`);
      continue;
    }
    if (t.change === 'added') {
      lines.push(`  hit policy ${after ? policyOf(after) : ''}`);
      for (const r of t.rules.added) lines.push(`  + rule ${r.id}: ${showRule(after, r)}`);
      continue;
    }
    if (t.hitPolicy) lines.push(`  hit policy: ${t.hitPolicy.before} → ${t.hitPolicy.after}`);
    for (const m of t.metadata) lines.push(`  ${m.field}: ${q(m.before)} → ${q(m.after)}`);
    for (const c of t.columns) {
      if (c.change === 'added') lines.push(`  + ${c.kind} ${c.after}`);
      else if (c.change === 'removed') lines.push(`  - ${c.kind} ${c.before}`);
      else lines.push(`  ~ ${c.kind} ${c.before} → ${c.after}`);
    }
    for (const r of t.rules.removed) lines.push(`  - rule ${r.id}: ${showRule(before, r)}`);
    for (const r of t.rules.added) lines.push(`  + rule ${r.id}: ${showRule(after, r)}`);
    for (const r of t.rules.changed) {
      const parts = r.cells.map((c) => `${c.column} ${q(c.before)} → ${q(c.after)}`);
      if (r.description) parts.push(`description ${q(r.description.before)} → ${q(r.description.after)}`);
      lines.push(`  ~ rule ${r.ruleId}: ${parts.join('; ')}`);
    }
    if (t.rules.reordered)
      lines.push(
        `  rule order: ${t.rules.reordered.before.join(', ')} → ${t.rules.reordered.after.join(', ')}`,
      );
  }
  return lines.join('\n');
}
