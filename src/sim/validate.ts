import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValidationError, type ValidationIssue } from '../core/index.js';

/** The literal values of a union of literals, for a readable "must be one of" message. */
function literals(schema: unknown): unknown[] | undefined {
  const anyOf = (schema as { anyOf?: Array<{ const?: unknown }> }).anyOf;
  if (!anyOf?.every((s) => 'const' in s)) return undefined;
  return anyOf.map((s) => s.const);
}

function message(error: { message: string; schema: unknown }): string {
  const values = literals(error.schema);
  if (values) return `must be one of ${values.join(', ')}`;
  if (error.message === 'Expected required property') return 'is required';
  if (error.message === 'Unexpected property') return 'is not a known property';
  return error.message.charAt(0).toLowerCase() + error.message.slice(1);
}

/**
 * Checks `value` against a TypeBox schema and returns it typed, or throws a `ValidationError`
 * listing every offending value once by JSON pointer. `where` names the input ("body", "query",
 * "faults file") in the message.
 */
export function parse<S extends TSchema>(schema: S, value: unknown, where = 'body'): Static<S> {
  if (Value.Check(schema, value)) return value as Static<S>;
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    issues.push({ path: e.path, message: message(e) });
  }
  const first = issues[0] ?? { path: '', message: 'is invalid' };
  throw new ValidationError(
    `${where} ${first.path || '(root)'} ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    issues,
  );
}
