import type {
  Aggregation,
  DecisionTable,
  HitPolicy,
  InputClause,
  OutputClause,
} from '../../src/rules/index.js';

/**
 * A table from rows `[ruleId, inputEntries, outputEntries]`, for tests that read like the table
 * they build.
 */
export function table(
  hitPolicy: HitPolicy,
  inputs: Array<Omit<InputClause, 'id'>>,
  outputs: Array<Omit<OutputClause, 'id'>>,
  rows: Array<[string, string[], string[]]>,
  extra: { id?: string; aggregation?: Aggregation; version?: string | number } = {},
): DecisionTable {
  const id = extra.id ?? 'test-table';
  const t: DecisionTable = {
    id,
    name: 'Test table',
    hitPolicy,
    inputs: inputs.map((i, n) => ({ id: `in${n + 1}`, ...i })),
    outputs: outputs.map((o, n) => ({ id: `out${n + 1}`, ...o })),
    rules: rows.map(([rid, inputEntries, outputEntries]) => ({ id: rid, inputEntries, outputEntries })),
  };
  if (extra.aggregation) t.aggregation = extra.aggregation;
  if (extra.version !== undefined) t.version = extra.version;
  return t;
}

export const num = (label: string, expression = label): Omit<InputClause, 'id'> => ({
  label,
  expression,
  typeRef: 'number',
});
export const str = (label: string, expression = label): Omit<InputClause, 'id'> => ({
  label,
  expression,
  typeRef: 'string',
});
