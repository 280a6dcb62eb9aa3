import { createHash } from 'node:crypto';
import type { DecisionLogic } from '../engine/index.js';
import { evaluate } from './evaluate.js';
import type { DecisionOutputs, DecisionTable } from './model.js';
import { assertValidTable } from './validate.js';

/**
 * The version a table is journalled under: its own `version`, or else `sha256:` and the start of a
 * hash of its content, so an unversioned table still says exactly which rules decided.
 */
export function tableVersion(table: DecisionTable): string | number {
  if (table.version !== undefined) return table.version;
  const { version: _, ...content } = table;
  return `sha256:${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16)}`;
}

/**
 * A table as the engine's `DecisionLogic`, for `ctx.decide(decisionFor(table), facts)`. The table
 * is checked now, so a broken table fails where it is loaded rather than inside a run; a UNIQUE
 * table with no matching rule fails the decision (see `EvaluateOptions.strict`).
 */
export function decisionFor<O = DecisionOutputs>(table: DecisionTable): DecisionLogic<O> {
  assertValidTable(table);
  const version = tableVersion(table);
  return {
    id: table.id,
    version,
    evaluate(facts) {
      const r = evaluate(table, facts, { strict: true });
      return { outputs: r.outputs as O, matchedRules: r.matchedRules };
    },
  };
}
