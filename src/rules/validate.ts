import { evaluate as feelEvaluate, unaryTest } from 'feelin';
import { errorMessage, ValidationError, type ValidationIssue } from '../core/index.js';
import { comparedLiterals, fromFeelOutput, sampleOf } from './feel.js';
import {
  aggregations,
  type DecisionTable,
  type Definitions,
  hitPolicies,
  type OutputClause,
  type TypeRef,
  typeRefs,
} from './model.js';

const nonEmpty = (s: unknown): s is string => typeof s === 'string' && s.trim() !== '';
const isAny = (entry: string) => entry.trim() === '-' || entry.trim() === '';

/**
 * Everything wrong with a table that can be seen without facts: the shape, the hit policy and its
 * needs, FEEL that does not parse, and literals of the wrong type (`< "100"` in a number column,
 * which feelin would compare loosely). Paths are JSON pointers into the table.
 */
export function tableIssues(table: DecisionTable): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (!nonEmpty(table.id)) add('/id', 'the decision needs an id');
  if (typeof table.name !== 'string') add('/name', 'the decision needs a name');
  if (!hitPolicies.includes(table.hitPolicy))
    add(
      '/hitPolicy',
      `hit policy ${JSON.stringify(table.hitPolicy)} is not one of ${hitPolicies.join(', ')}`,
    );
  if (!Array.isArray(table.inputs) || !Array.isArray(table.outputs) || !Array.isArray(table.rules)) {
    add('', 'a decision table needs inputs, outputs and rules lists');
    return issues;
  }
  if (table.aggregation !== undefined) aggregationIssues(table, add);
  if (
    (table.hitPolicy === 'PRIORITY' || table.hitPolicy === 'OUTPUT ORDER') &&
    !table.outputs.some((o) => o.allowedValues?.length)
  )
    add('/outputs', `hit policy ${table.hitPolicy} ranks rules by output values: list them on an output`);

  table.inputs.forEach((input, i) => {
    const at = `/inputs/${i}`;
    if (!nonEmpty(input.id)) add(`${at}/id`, `input ${i + 1} needs an id`);
    if (!typeRefs.includes(input.typeRef))
      add(`${at}/typeRef`, typeProblem(`input "${input.label}"`, input.typeRef));
    if (!nonEmpty(input.expression)) add(`${at}/expression`, `input "${input.label}" needs an expression`);
    else {
      const bad = feelProblem(() => feelEvaluate(input.expression, {}));
      if (bad) add(`${at}/expression`, `input "${input.label}": expression "${input.expression}" ${bad}`);
    }
  });
  const names = new Set<string>();
  if (table.outputs.length === 0) add('/outputs', 'a decision table needs at least one output');
  table.outputs.forEach((output, k) => {
    const at = `/outputs/${k}`;
    if (!nonEmpty(output.name)) add(`${at}/name`, `output ${k + 1} needs a name`);
    else if (names.has(output.name)) add(`${at}/name`, `output name "${output.name}" is used twice`);
    names.add(output.name);
    if (!typeRefs.includes(output.typeRef))
      add(`${at}/typeRef`, typeProblem(`output "${output.name}"`, output.typeRef));
    else
      output.allowedValues?.forEach((v, n) => {
        const checked = fromFeelOutput(v, output.typeRef);
        if ('problem' in checked)
          add(`${at}/allowedValues/${n}`, `output "${output.name}": allowed value ${checked.problem}`);
      });
  });

  const ruleIds = new Set<string>();
  table.rules.forEach((rule, r) => {
    const at = `/rules/${r}`;
    const name = nonEmpty(rule.id) ? `rule "${rule.id}"` : `rule ${r + 1}`;
    if (!nonEmpty(rule.id)) add(`${at}/id`, `rule ${r + 1} needs an id`);
    else if (ruleIds.has(rule.id)) add(`${at}/id`, `rule id "${rule.id}" is used twice`);
    ruleIds.add(rule.id);
    if (!Array.isArray(rule.inputEntries) || rule.inputEntries.length !== table.inputs.length) {
      add(`${at}/inputEntries`, `${name} needs ${table.inputs.length} input entries, one per input`);
    } else {
      rule.inputEntries.forEach((entry, j) => {
        const input = table.inputs[j]!;
        const bad = inputEntryProblem(entry, input.typeRef);
        if (bad) add(`${at}/inputEntries/${j}`, `${name}, input "${input.label}": ${bad}`);
      });
    }
    if (!Array.isArray(rule.outputEntries) || rule.outputEntries.length !== table.outputs.length) {
      add(`${at}/outputEntries`, `${name} needs ${table.outputs.length} output entries, one per output`);
    } else {
      rule.outputEntries.forEach((entry, k) => {
        const output = table.outputs[k]!;
        const bad = outputEntryProblem(entry, output);
        if (bad) add(`${at}/outputEntries/${k}`, `${name}, output "${output.name}": ${bad}`);
      });
    }
  });
  return issues;
}

function aggregationIssues(table: DecisionTable, add: (path: string, message: string) => void): void {
  if (!aggregations.includes(table.aggregation!))
    add(
      '/aggregation',
      `aggregation ${JSON.stringify(table.aggregation)} is not one of ${aggregations.join(', ')}`,
    );
  else if (table.hitPolicy !== 'COLLECT')
    add('/aggregation', `aggregation ${table.aggregation} needs hit policy COLLECT, not ${table.hitPolicy}`);
  else if (table.outputs.length !== 1)
    add(
      '/aggregation',
      `aggregation ${table.aggregation} works on a single output; the table has ${table.outputs.length}`,
    );
  else {
    const t = table.outputs[0]!.typeRef;
    if (table.aggregation === 'SUM' && t !== 'number')
      add('/aggregation', `aggregation SUM needs a number output, not ${t}`);
    if ((table.aggregation === 'MIN' || table.aggregation === 'MAX') && t === 'boolean')
      add('/aggregation', `aggregation ${table.aggregation} cannot order boolean outputs`);
  }
}

/** Values are type-checked before rules see them, so every column must declare one of the four types. */
function typeProblem(column: string, typeRef: unknown): string {
  const use = `one of ${typeRefs.join(', ')}`;
  return typeRef === undefined || typeRef === ''
    ? `${column} needs a type (typeRef): ${use}`
    : `${column} has type ${JSON.stringify(typeRef)}; use ${use}`;
}

/** The message of what FEEL throws, or undefined when it does not. */
function feelProblem(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return `is not valid FEEL (${errorMessage(err)})`;
  }
}

function inputEntryProblem(entry: unknown, typeRef: TypeRef): string | undefined {
  if (typeof entry !== 'string') return 'the entry must be FEEL text';
  if (isAny(entry) || !typeRefs.includes(typeRef)) return undefined;
  const bad = feelProblem(() => unaryTest(entry, { '?': sampleOf(typeRef) }));
  if (bad) return `"${entry}" ${bad.replace('valid FEEL', 'a valid FEEL unary test')}`;
  const wrong = comparedLiterals(entry).find((k) => k !== 'null' && k !== typeRef);
  return wrong
    ? `"${entry}" compares the ${typeRef} input with a ${wrong}; write the value as a ${typeRef} literal`
    : undefined;
}

function outputEntryProblem(entry: unknown, output: OutputClause): string | undefined {
  if (typeof entry !== 'string' || entry.trim() === '')
    return 'the entry needs a FEEL expression (null for none)';
  let constant: { value: unknown; warnings: unknown[] };
  try {
    constant = feelEvaluate(entry, {});
  } catch (err) {
    return `"${entry}" is not valid FEEL (${errorMessage(err)})`;
  }
  // an entry using facts is checked when it is evaluated; a constant one can be checked now
  if (constant.warnings.length > 0 || !typeRefs.includes(output.typeRef)) return undefined;
  const checked = fromFeelOutput(constant.value, output.typeRef);
  if ('problem' in checked) return `"${entry}" ${checked.problem}`;
  return notAllowed(checked.value, output);
}

/** Why a value is not among the output's allowed values, or undefined when it is (or any value is). */
export function notAllowed(value: unknown, output: OutputClause): string | undefined {
  if (!output.allowedValues?.length || output.allowedValues.includes(value as never)) return undefined;
  return `${JSON.stringify(value)} is not one of the allowed values ${output.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
}

/** Tables already checked; tables are values and are not changed once evaluated. */
const validTables = new WeakSet<DecisionTable>();

/** Throws a `ValidationError` listing every problem of the table; a table that passed is not checked again. */
export function assertValidTable(table: DecisionTable): void {
  if (validTables.has(table)) return;
  const issues = tableIssues(table);
  if (issues.length > 0) throw invalid(`decision "${table.id}"`, issues);
  validTables.add(table);
}

/** Throws a `ValidationError` listing every problem of every decision, with paths from the definitions. */
export function assertValidDefinitions(defs: Definitions, source = 'the DMN definitions'): void {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  defs.decisions.forEach((d, i) => {
    if (seen.has(d.id))
      issues.push({ path: `/decisions/${i}/id`, message: `decision id "${d.id}" is used twice` });
    seen.add(d.id);
    for (const issue of tableIssues(d))
      issues.push({ path: `/decisions/${i}${issue.path}`, message: `decision "${d.id}": ${issue.message}` });
  });
  if (issues.length > 0) throw invalid(source, issues);
}

function invalid(what: string, issues: ValidationIssue[]): ValidationError {
  const count = issues.length === 1 ? 'a problem' : `${issues.length} problems`;
  return new ValidationError(`${what} has ${count}: ${issues.map((i) => i.message).join('; ')}`, issues);
}
