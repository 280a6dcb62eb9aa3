import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ContractValidators, catalogue } from '../../contracts/index.js';
import { errorMessage, NotFoundError, type ValidationIssue } from '../../core/index.js';
import { MappingError, MappingFileError } from './errors.js';
import { compileMapping } from './evaluate.js';
import type { Mapping, MappingFixture, MappingSource, MappingTarget } from './types.js';

/**
 * Mapping files: `<name>.v<version>.json`, one JSON document each. Loading checks the document's
 * shape, that the file name agrees with its name and version, that a target contract exists and a
 * request schema is JSON Schema, and that the expression compiles; every problem names the file and
 * a JSON pointer into it.
 */

const NAME = '^[a-z0-9][a-z0-9-]{0,62}$';
const Label = { type: 'string', minLength: 1, maxLength: 120 };

const MappingDocument = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'from', 'to', 'expression', 'fixtures'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: NAME },
    version: { type: 'integer', minimum: 1 },
    description: { type: 'string' },
    from: {
      type: 'object',
      additionalProperties: false,
      properties: { format: Label, contract: Label },
    },
    to: {
      type: 'object',
      additionalProperties: false,
      properties: {
        contract: Label,
        version: { type: 'integer', minimum: 1 },
        request: Label,
        schema: { type: ['object', 'boolean'] },
      },
    },
    expression: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, items: { type: 'string' } },
      ],
    },
    fixtures: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'input'],
        properties: { name: Label, input: {}, expected: {}, expectedError: { type: 'string', minLength: 1 } },
      },
    },
  },
} as const;

const validators = new ContractValidators();

/** `at line 3, column 7` for the offset a JSON.parse message names, when it names one. */
function jsonWhere(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(errorMessage(err));
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const lines = before.split('\n');
  return ` at line ${lines.length}, column ${lines.at(-1)!.length + 1}`;
}

/** The pointer of a character offset into an expression written as an array of lines. */
function expressionPointer(lines: unknown, line: number | undefined): string {
  return Array.isArray(lines) && line !== undefined ? `/expression/${line - 1}` : '/expression';
}

function endIssues(doc: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const from = doc.from as Record<string, unknown>;
  if (('format' in from ? 1 : 0) + ('contract' in from ? 1 : 0) !== 1)
    issues.push({
      path: '/from',
      message: 'must name exactly one of format (an external payload) or contract',
    });
  const to = doc.to as Record<string, unknown>;
  const kinds = ('contract' in to ? 1 : 0) + ('request' in to ? 1 : 0);
  if (kinds !== 1)
    issues.push({ path: '/to', message: 'must name exactly one of contract or request (a system request)' });
  else if ('contract' in to) {
    if ('schema' in to)
      issues.push({
        path: '/to/schema',
        message: 'is for requests; a contract has its schema in the catalogue',
      });
    if (!catalogue.some((c) => c.type === to.contract))
      issues.push({
        path: '/to/contract',
        message: `names no contract of the catalogue (known: ${catalogue.map((c) => c.type).join(', ')})`,
      });
  } else {
    if ('version' in to) issues.push({ path: '/to/version', message: 'is for contracts, not requests' });
    if (to.schema !== undefined) issues.push(...validators.checkSchema(to.schema, '/to/schema'));
  }
  if ('contract' in from && !catalogue.some((c) => c.type === from.contract))
    issues.push({ path: '/from/contract', message: 'names no contract of the catalogue' });
  (doc.fixtures as Array<Record<string, unknown>>).forEach((f, i) => {
    if (('expected' in f ? 1 : 0) + ('expectedError' in f ? 1 : 0) !== 1)
      issues.push({ path: `/fixtures/${i}`, message: 'must have exactly one of expected or expectedError' });
  });
  const names = (doc.fixtures as Array<{ name: string }>).map((f) => f.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i)
      issues.push({ path: `/fixtures/${i}/name`, message: `"${n}" names another fixture too` });
  });
  return issues;
}

/** A mapping from a parsed document; `file` names it in errors. */
export function toMapping(value: unknown, file: string): Mapping {
  const shape = validators.validateOnce(MappingDocument as unknown as Record<string, unknown>, value);
  if (shape.length > 0) throw new MappingFileError(file, shape);
  const doc = value as Record<string, unknown>;
  const issues = endIssues(doc);
  const name = doc.name as string;
  const version = doc.version as number;
  const expected = `${name}.v${version}.json`;
  if (file.endsWith('.json') && basename(file) !== expected)
    issues.push({
      path: '/name',
      message: `does not match the file name: a mapping ${name} v${version} lives in ${expected}`,
    });
  if (issues.length > 0) throw new MappingFileError(file, issues);
  const raw = doc.expression as string | string[];
  const mapping: Mapping = {
    name,
    version,
    from: doc.from as MappingSource,
    to: doc.to as MappingTarget,
    expression: Array.isArray(raw) ? raw.join('\n') : raw,
    fixtures: doc.fixtures as MappingFixture[],
    file,
  };
  if (typeof doc.description === 'string') mapping.description = doc.description;
  try {
    compileMapping(mapping);
  } catch (err) {
    if (!(err instanceof MappingError)) throw err;
    throw new MappingFileError(file, [
      { path: expressionPointer(raw, err.failure.line), message: err.message },
    ]);
  }
  return mapping;
}

/** Reads and checks one mapping file. */
export function readMappingFile(file: string): Mapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MappingFileError(file, [
      { path: '', message: `cannot be read: ${code === 'ENOENT' ? 'no such file' : errorMessage(err)}` },
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MappingFileError(file, [{ path: '', message: `is not JSON${jsonWhere(text, err)}` }]);
  }
  return toMapping(value, file);
}

/** Mappings by name and version. */
export class MappingSet {
  private readonly byKey = new Map<string, Mapping>();

  constructor(mappings: Iterable<Mapping> = []) {
    for (const m of mappings) this.add(m);
  }

  add(m: Mapping): void {
    const key = `${m.name}@${m.version}`;
    const other = this.byKey.get(key);
    if (other)
      throw new MappingFileError(m.file ?? m.name, [
        {
          path: '/version',
          message: `${m.name} v${m.version} is defined in ${other.file ?? 'another mapping'} too`,
        },
      ]);
    this.byKey.set(key, m);
  }

  /** Every mapping, by name then version. */
  all(): Mapping[] {
    return [...this.byKey.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
  }

  /** The given version of a mapping, or its latest. */
  get(name: string, version?: number): Mapping {
    const found =
      version === undefined
        ? this.all()
            .filter((m) => m.name === name)
            .at(-1)
        : this.byKey.get(`${name}@${version}`);
    if (!found) throw new NotFoundError('mapping', version === undefined ? name : `${name} v${version}`);
    return found;
  }
}

/** The mappings of a file, or of every `*.json` file directly in a folder. */
export function loadMappings(path: string): MappingSet {
  let dir: boolean;
  try {
    dir = statSync(path).isDirectory();
  } catch {
    throw new MappingFileError(path, [{ path: '', message: 'cannot be read: no such file or folder' }]);
  }
  if (!dir) return new MappingSet([readMappingFile(path)]);
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return new MappingSet(files.map((f) => readMappingFile(join(path, f))));
}
