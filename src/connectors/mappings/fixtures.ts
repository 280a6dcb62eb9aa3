import { isDeepStrictEqual } from 'node:util';
import { errorMessage } from '../../core/index.js';
import { MappingError } from './errors.js';
import { applyMapping, type EvaluateOptions } from './evaluate.js';
import type { Mapping, MappingFixture } from './types.js';

/** One difference between expected and actual output, by JSON pointer (absent side: missing there). */
export interface Difference {
  path: string;
  expected?: unknown;
  actual?: unknown;
}

export interface FixtureResult {
  mapping: string;
  version: number;
  file?: string;
  fixture: string;
  ok: boolean;
  /** When the output differs from the expected one. */
  differences?: Difference[];
  /** The mapping error, when the fixture expected output but got an error (or the wrong error). */
  error?: string;
  actual?: unknown;
}

const escapeKey = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The differences between two JSON values, deepest first reached, in document order. */
export function diffJson(expected: unknown, actual: unknown, path = ''): Difference[] {
  if (isDeepStrictEqual(expected, actual)) return [];
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    return keys.flatMap((k) => {
      const at = `${path}/${escapeKey(k)}`;
      if (!(k in actual)) return [{ path: at, expected: expected[k] }];
      if (!(k in expected)) return [{ path: at, actual: actual[k] }];
      return diffJson(expected[k], actual[k], at);
    });
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const out: Difference[] = [];
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const at = `${path}/${i}`;
      if (i >= actual.length) out.push({ path: at, expected: expected[i] });
      else if (i >= expected.length) out.push({ path: at, actual: actual[i] });
      else out.push(...diffJson(expected[i], actual[i], at));
    }
    return out;
  }
  return [{ path, expected, actual }];
}

/** A difference as `- /path: expected` and `+ /path: actual` lines. */
export function formatDifference(d: Difference): string[] {
  const lines: string[] = [];
  if ('expected' in d) lines.push(`- ${d.path || '/'}: ${JSON.stringify(d.expected)}`);
  if ('actual' in d) lines.push(`+ ${d.path || '/'}: ${JSON.stringify(d.actual)}`);
  return lines;
}

async function runOne(m: Mapping, f: MappingFixture, o: EvaluateOptions): Promise<FixtureResult> {
  const base = { mapping: m.name, version: m.version, fixture: f.name, ...(m.file ? { file: m.file } : {}) };
  let actual: unknown;
  try {
    actual = await applyMapping(m, f.input, o);
  } catch (err) {
    if (!(err instanceof MappingError)) throw err;
    const ok = f.expectedError !== undefined && err.message.includes(f.expectedError);
    return ok ? { ...base, ok } : { ...base, ok, error: errorMessage(err) };
  }
  if (f.expectedError !== undefined)
    return {
      ...base,
      ok: false,
      actual,
      error: `expected an error containing "${f.expectedError}", got output`,
    };
  const differences = diffJson(f.expected, actual);
  return differences.length === 0 ? { ...base, ok: true } : { ...base, ok: false, differences, actual };
}

/** Runs every fixture of every mapping given, in order. */
export async function runFixtures(mappings: Mapping[], o: EvaluateOptions = {}): Promise<FixtureResult[]> {
  const out: FixtureResult[] = [];
  for (const m of mappings) for (const f of m.fixtures) out.push(await runOne(m, f, o));
  return out;
}
