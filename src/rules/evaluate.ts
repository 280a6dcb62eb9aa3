import { isDeepStrictEqual } from 'node:util';
import { evaluate as feelEvaluate, unaryTest, type Warning } from 'feelin';
import { ApplicationFailure, errorMessage, ValidationError, type ValidationIssue } from '../core/index.js';
import { describeValue, fromFeelOutput, toFeelInput } from './feel.js';
import type {
  Aggregation,
  DecisionOutputs,
  DecisionTable,
  HitPolicy,
  InputClause,
  OutputRecord,
  Rule,
} from './model.js';
import { assertValidTable, notAllowed } from './validate.js';

export interface EvaluationResult {
  decision: string;
  version?: string | number;
  hitPolicy: HitPolicy;
  aggregation?: Aggregation;
  /** The value of each input expression, by input id (dates as `YYYY-MM-DD`). */
  inputs: Record<string, unknown>;
  outputs: DecisionOutputs;
  /** Every rule whose input entries all matched, in rule order. */
  matchedRules: string[];
  /** The matched rules the hit policy took the result from, in result order. */
  hitRules: string[];
}

export interface EvaluateOptions {
  /**
   * A UNIQUE table with no matching rule throws `NoMatchingRule` instead of returning `null`. A
   * UNIQUE table promises to cover every case, so a gap is a defect of the table, not an answer.
   */
  strict?: boolean;
}

/**
 * Evaluates a decision table against the facts. Each input expression is evaluated with FEEL over
 * the facts and its value checked against the input's type before any rule is tested; then each
 * rule's unary tests run against those values and the hit policy makes the result (DMN 1.3).
 *
 * Throws `ValidationError` for facts that are not an object, inputs that are missing or of the
 * wrong type, and entries using facts that are absent; `ApplicationFailure` of type `RuleConflict`
 * when UNIQUE finds several rules or ANY finds rules that disagree, `NoMatchingRule` (with
 * `strict`), and `DecisionTableError` when a rule produces an output its column does not allow.
 */
export function evaluate(
  table: DecisionTable,
  facts: Record<string, unknown>,
  options: EvaluateOptions = {},
): EvaluationResult {
  assertValidTable(table);
  const what = `decision "${table.id}"`;
  if (facts === null || typeof facts !== 'object' || Array.isArray(facts))
    throw new ValidationError(`${what}: the facts must be an object, got ${describeValue(facts)}`, [
      { path: '', message: 'must be an object' },
    ]);
  const values = resolveInputs(table, facts);
  const matched = table.rules.filter((rule) => matches(table, rule, values, facts));
  const hit = selectHits(table, matched, facts);
  const result: EvaluationResult = {
    decision: table.id,
    ...(table.version !== undefined ? { version: table.version } : {}),
    hitPolicy: table.hitPolicy,
    ...(table.aggregation ? { aggregation: table.aggregation } : {}),
    inputs: Object.fromEntries(table.inputs.map((input, j) => [input.id, jsonOf(values[j])])),
    outputs: hit.outputs,
    matchedRules: matched.map((r) => r.id),
    hitRules: hit.rules.map((r) => r.id),
  };
  if (options.strict && table.hitPolicy === 'UNIQUE' && matched.length === 0)
    throw ApplicationFailure.nonRetryable(`${what} (UNIQUE): no rule matches these facts`, 'NoMatchingRule', {
      decision: table.id,
      inputs: result.inputs,
    });
  return result;
}

const jsonOf = (v: unknown) => (v !== null && typeof v === 'object' ? String(v) : v);

/** A JSON pointer into the facts for a plain path expression (`order.total` → `/order/total`). */
function pointerOf(expression: string): string {
  const path = expression.trim();
  return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(path) ? `/${path.split('.').join('/')}` : '';
}

function resolveInputs(table: DecisionTable, facts: Record<string, unknown>): unknown[] {
  const issues: ValidationIssue[] = [];
  const values = table.inputs.map((input) => {
    const name = `input "${input.label}" (${input.expression})`;
    const { value } = feel(table, () => feelEvaluate(input.expression, facts), name);
    if (value === null || value === undefined) {
      issues.push({ path: pointerOf(input.expression), message: `${name} is missing` });
      return null;
    }
    const typed = toFeelInput(value, input.typeRef);
    if ('problem' in typed) {
      issues.push({ path: pointerOf(input.expression), message: `${name} ${typed.problem}` });
      return null;
    }
    return typed.value;
  });
  if (issues.length > 0)
    throw new ValidationError(`decision "${table.id}": ${issues.map((i) => i.message).join('; ')}`, issues);
  return values;
}

/** Runs FEEL; what it throws (an entry that parsed but cannot run) is a defect of the table. */
function feel<T>(table: DecisionTable, run: () => T, where: string): T {
  try {
    return run();
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `decision "${table.id}", ${where}: ${errorMessage(err)}`,
      'DecisionTableError',
      { decision: table.id },
    );
  }
}

/** Facts an entry refers to but the caller did not give: bad input, never a silent non-match. */
function missingFacts(table: DecisionTable, warnings: Warning[], where: string, path: string): void {
  const missing = warnings.filter((w) => w.type === 'NO_VARIABLE_FOUND' || w.type === 'NO_PROPERTY_FOUND');
  if (missing.length === 0) return;
  const message = `${where} needs facts that are missing: ${missing.map((w) => w.message).join(', ')}`;
  throw new ValidationError(`decision "${table.id}", ${message}`, [{ path, message }]);
}

function matches(
  table: DecisionTable,
  rule: Rule,
  values: unknown[],
  facts: Record<string, unknown>,
): boolean {
  return rule.inputEntries.every((entry, j) => {
    const text = entry.trim();
    if (text === '-' || text === '') return true;
    const input = table.inputs[j] as InputClause;
    const where = `rule "${rule.id}", input "${input.label}" entry "${text}"`;
    const res = feel(table, () => unaryTest(text, { ...facts, '?': values[j] }), where);
    missingFacts(table, res.warnings, where, '');
    return res.value === true;
  });
}

function outputsOf(table: DecisionTable, rule: Rule, facts: Record<string, unknown>): OutputRecord {
  const out: OutputRecord = {};
  table.outputs.forEach((output, k) => {
    const entry = rule.outputEntries[k] as string;
    const where = `rule "${rule.id}", output "${output.name}"`;
    const res = feel(table, () => feelEvaluate(entry, facts), where);
    missingFacts(table, res.warnings, where, '');
    const typed = fromFeelOutput(res.value, output.typeRef);
    const problem = 'problem' in typed ? typed.problem : notAllowed(typed.value, output);
    if (problem)
      throw ApplicationFailure.nonRetryable(
        `decision "${table.id}", ${where}: ${problem}`,
        'DecisionTableError',
        {
          decision: table.id,
          rule: rule.id,
          output: output.name,
        },
      );
    out[output.name] = 'value' in typed ? typed.value : null;
  });
  return out;
}

function conflict(table: DecisionTable, message: string, rules: Rule[]): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `decision "${table.id}" (${table.hitPolicy}): ${message}`,
    'RuleConflict',
    { decision: table.id, rules: rules.map((r) => r.id) },
  );
}

const ruleList = (rules: Rule[]) => rules.map((r) => `"${r.id}"`).join(', ');

/** The output priority of a result: per output with allowed values, the value's index (lower is higher). */
function rank(table: DecisionTable, out: OutputRecord): number[] {
  return table.outputs
    .filter((o) => o.allowedValues?.length)
    .map((o) => o.allowedValues!.indexOf(out[o.name] as never));
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function selectHits(
  table: DecisionTable,
  matched: Rule[],
  facts: Record<string, unknown>,
): { outputs: DecisionOutputs; rules: Rule[] } {
  const all = () => matched.map((rule) => ({ rule, out: outputsOf(table, rule, facts) }));
  const single = (hits: Array<{ rule: Rule; out: OutputRecord }>, rules = hits.map((h) => h.rule)) => ({
    outputs: hits[0]?.out ?? null,
    rules,
  });
  switch (table.hitPolicy) {
    case 'UNIQUE':
      if (matched.length > 1)
        throw conflict(
          table,
          `rules ${ruleList(matched)} all match; a UNIQUE table allows at most one`,
          matched,
        );
      return single(all());
    case 'FIRST':
      return single(matched.slice(0, 1).map((rule) => ({ rule, out: outputsOf(table, rule, facts) })));
    case 'ANY': {
      const hits = all();
      const other = hits.find((h) => !isDeepStrictEqual(h.out, hits[0]!.out));
      if (other)
        throw conflict(
          table,
          `rules "${hits[0]!.rule.id}" and "${other.rule.id}" match with different outputs (${JSON.stringify(hits[0]!.out)} and ${JSON.stringify(other.out)}); ANY needs matching rules to agree`,
          [hits[0]!.rule, other.rule],
        );
      return single(hits);
    }
    case 'PRIORITY': {
      const hits = all();
      let best = hits[0];
      for (const h of hits) if (compareRanks(rank(table, h.out), rank(table, best!.out)) < 0) best = h;
      return single(best ? [best] : []);
    }
    case 'RULE ORDER':
      return list(all());
    case 'OUTPUT ORDER':
      // a stable sort: rules of equal priority stay in rule order
      return list(all().sort((a, b) => compareRanks(rank(table, a.out), rank(table, b.out))));
    case 'COLLECT': {
      const hits = all();
      if (!table.aggregation) return list(hits);
      const name = table.outputs[0]!.name;
      return {
        outputs: aggregate(
          table.aggregation,
          hits.map((h) => h.out[name]),
        ),
        rules: hits.map((h) => h.rule),
      };
    }
  }
}

const list = (hits: Array<{ rule: Rule; out: OutputRecord }>) => ({
  outputs: hits.map((h) => h.out),
  rules: hits.map((h) => h.rule),
});

/** COLLECT's aggregators as FEEL's `sum`, `minimum`, `maximum` and `count` define them: none is null, COUNT is 0. */
function aggregate(aggregation: Aggregation, values: unknown[]): number | string | null {
  if (aggregation === 'COUNT') return values.length;
  const present = values.filter((v) => v !== null) as Array<number | string>;
  if (present.length === 0) return null;
  switch (aggregation) {
    case 'SUM':
      // FEEL sums decimals: 0.1 + 0.2 is 0.3, so binary rounding noise is dropped
      return Number.parseFloat((present as number[]).reduce((s, v) => s + v, 0).toPrecision(15));
    case 'MIN':
    case 'MAX': {
      // numbers, strings and ISO dates all order with < and >
      const sorted = [...present].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return aggregation === 'MIN' ? sorted[0]! : sorted[sorted.length - 1]!;
    }
  }
}
