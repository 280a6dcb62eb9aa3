import jsonata from 'jsonata';
import { ContractValidators, catalogue } from '../../contracts/index.js';
import type { ValidationIssue } from '../../core/index.js';
import { MappingError, type MappingFailure } from './errors.js';
import { type Mapping, mappingLabel, targetLabel } from './types.js';

/** Guards against expressions that run away: wall time and nesting depth of one evaluation. */
export interface EvaluateOptions {
  /** Default 1000 ms. */
  timeoutMs?: number;
  /** Most nested evaluation steps (recursion included); default 500. */
  maxDepth?: number;
  /**
   * Whether the output is checked against the target's schema (the catalogue contract, or the
   * request's own schema). Default true; ingestion turns it off because it checks against the registry.
   */
  checkOutput?: boolean;
}

interface JsonataFailure {
  code?: string;
  position?: number;
  token?: string;
  message?: string;
}

/** Compiled expressions per mapping, by their guards (JSONata takes the guards when it compiles). */
const compiled = new WeakMap<Mapping, Map<string, jsonata.Expression>>();
const validators = new ContractValidators();

/** Line and column (1-based) of a character offset into the expression, with the text of that line. */
function locate(expression: string, position: number) {
  const before = expression.slice(0, Math.max(0, position));
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1);
  const text = expression.split('\n')[line - 1]?.trim() ?? '';
  return { line, column: Math.max(1, column), text };
}

/** A JSONata error as a MappingError naming the mapping, its version and where the expression failed. */
function failed(m: Mapping, stage: 'compile' | 'evaluate', err: unknown): MappingError {
  const e = (err ?? {}) as JsonataFailure;
  const failure: MappingFailure = { mapping: m.name, version: m.version, stage };
  if (typeof e.code === 'string') failure.code = e.code;
  if (typeof e.token === 'string') failure.token = e.token;
  let where = '';
  if (typeof e.position === 'number') {
    const at = locate(m.expression, e.position);
    Object.assign(failure, { position: e.position, line: at.line, column: at.column, expression: at.text });
    where = ` at line ${at.line}, column ${at.column}${failure.token === undefined ? '' : ` (token "${failure.token}")`} in: ${at.text}`;
  } else {
    failure.expression = m.expression.split('\n').length === 1 ? m.expression : '(whole expression)';
  }
  const what = stage === 'compile' ? 'does not compile' : 'failed';
  const message = e.message ?? String(err);
  return new MappingError(
    `mapping ${mappingLabel(m)} ${what}: ${failure.code ? `${failure.code} ` : ''}${message}${where}`,
    failure,
    [{ path: '/expression', message }],
  );
}

/** The compiled expression of a mapping with its guards; a MappingError when it does not parse. */
export function compileMapping(m: Mapping, o: Pick<EvaluateOptions, 'timeoutMs' | 'maxDepth'> = {}) {
  const guards = { timeout: o.timeoutMs ?? 1000, stack: o.maxDepth ?? 500 };
  const key = `${guards.timeout}/${guards.stack}`;
  let byGuards = compiled.get(m);
  if (!byGuards) {
    byGuards = new Map();
    compiled.set(m, byGuards);
  }
  let expr = byGuards.get(key);
  if (!expr) {
    try {
      expr = jsonata(m.expression, guards);
    } catch (err) {
      throw failed(m, 'compile', err);
    }
    byGuards.set(key, expr);
  }
  return expr;
}

/** JSONata sequences and `undefined` members as plain JSON: what the output really is. */
const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** Problems of an output against the mapping's target schema; empty when it has none to check. */
export function outputIssues(m: Mapping, output: unknown): ValidationIssue[] {
  const to = m.to;
  if ('contract' in to) {
    const entry = catalogue.find((c) => c.type === to.contract);
    if (!entry) return [{ path: '', message: `the catalogue has no contract ${to.contract}` }];
    return validators.validateOnce(entry.schema as Record<string, unknown>, output);
  }
  return to.schema ? validators.validateOnce(to.schema, output) : [];
}

/**
 * Runs a mapping on one input. Throws a MappingError when the expression fails, produces nothing, or
 * (unless `checkOutput` is false) produces something its target schema refuses.
 */
export async function applyMapping(m: Mapping, input: unknown, o: EvaluateOptions = {}): Promise<unknown> {
  const expr = compileMapping(m, o);
  let out: unknown;
  try {
    out = plain(await expr.evaluate(structuredClone(input)));
  } catch (err) {
    throw failed(m, 'evaluate', err);
  }
  const failure: MappingFailure = { mapping: m.name, version: m.version, stage: 'output' };
  if (out === undefined)
    throw new MappingError(`mapping ${mappingLabel(m)} produced no value for this input`, failure, [
      { path: '', message: 'the expression produced no value' },
    ]);
  if (o.checkOutput === false) return out;
  const issues = outputIssues(m, out);
  if (issues.length > 0) {
    const first = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new MappingError(
      `mapping ${mappingLabel(m)} produced output that breaks the ${targetLabel(m.to)}: ${first.path || '/'} ${first.message}${more}`,
      failure,
      issues,
    );
  }
  return out;
}
