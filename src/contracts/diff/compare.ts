/**
 * The structural comparison of two JSON Schemas. It answers, change by change, whether a reader
 * using the new schema still reads every document written with the old one. The rules are
 * conservative: a change is called compatible only when the reasoning covers it; keywords the
 * checker does not reason about are reported as UNCHECKED_KEYWORD_CHANGED and refused.
 */
import { ValidationError } from '../../core/index.js';
import { arrayKeywords, compareArrays } from './arrays.js';
import { compareCombinerKeywords, comparePureCombinations } from './combined.js';
import type { SchemaDifference } from './kinds.js';
import { compareObjects, objectKeywords } from './objects.js';
import {
  bothAdmit,
  compareEnum,
  compareLimit,
  compareMultipleOf,
  compareStringRule,
  compareTypes,
} from './scalars.js';
import {
  COMBINERS,
  type Comparer,
  child,
  Differences,
  isAnnotation,
  isDefinitions,
  isObject,
  NAMED_ANNOTATIONS,
  resolve,
  type SchemaObject,
  same,
} from './schema.js';

const STRING_KEYWORDS = ['maxLength', 'minLength', 'pattern', 'format'];
const NUMBER_KEYWORDS = ['maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum', 'multipleOf'];
const HANDLED = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'not',
  ...COMBINERS,
  ...STRING_KEYWORDS,
  ...NUMBER_KEYWORDS,
  ...objectKeywords,
  ...arrayKeywords,
]);

/**
 * Every difference between two schemas, each with whether it keeps the change backward
 * compatible. Throws ValidationError when a schema is not an object or boolean, or has a `$ref`
 * that does not point inside it.
 */
export function diffSchemas(oldSchema: unknown, newSchema: unknown): SchemaDifference[] {
  for (const [side, s] of [
    ['old', oldSchema],
    ['new', newSchema],
  ] as const)
    if (!isObject(s) && typeof s !== 'boolean')
      throw new ValidationError(`the ${side} schema must be a JSON object or a boolean`, [
        { path: `/${side}`, message: 'must be a JSON Schema (an object or a boolean)' },
      ]);
  return new Comparison(oldSchema, newSchema).compare(oldSchema, newSchema, '#');
}

class Comparison implements Comparer {
  /** Pairs of definitions being compared further up, so recursive schemas end. */
  private readonly active = new Set<string>();

  constructor(
    private readonly oldRoot: unknown,
    private readonly newRoot: unknown,
  ) {}

  compare(oldNode: unknown, newNode: unknown, path: string): SchemaDifference[] {
    const a = resolve(oldNode, this.oldRoot, path, 'old');
    const b = resolve(newNode, this.newRoot, path, 'new');
    const key = a.ref !== undefined && b.ref !== undefined ? `${a.ref}\n${b.ref}` : undefined;
    if (key !== undefined) {
      // the same two definitions are already being compared: what differs is reported there
      if (this.active.has(key)) return [];
      this.active.add(key);
    }
    try {
      const out = new Differences();
      this.compareResolved(a.schema, b.schema, path, out);
      return out.list;
    } finally {
      if (key !== undefined) this.active.delete(key);
    }
  }

  private compareResolved(
    o: SchemaObject | boolean,
    n: SchemaObject | boolean,
    path: string,
    out: Differences,
  ) {
    if (o === false || n === false) {
      if (o !== n)
        out.add(
          o === false ? 'TYPE_EXTENDED' : 'TYPE_NARROWED',
          path,
          o === false ? 'false → schema' : 'schema → false',
        );
      return;
    }
    const before = o === true ? {} : o;
    const after = n === true ? {} : n;
    compareAnnotations(before, after, path, out);
    if (comparePureCombinations(this, before, after, path, out)) return;
    compareTypes(before, after, path, out);
    compareEnum(before, after, path, out);
    if (bothAdmit(before, after, 'string')) {
      compareLimit('maxLength', 'MAX_LENGTH', before, after, path, out);
      compareLimit('minLength', 'MIN_LENGTH', before, after, path, out);
      compareStringRule('pattern', before, after, path, out);
      compareStringRule('format', before, after, path, out);
    }
    if (bothAdmit(before, after, 'integer', 'fraction')) {
      compareLimit('maximum', 'MAXIMUM', before, after, path, out);
      compareLimit('minimum', 'MINIMUM', before, after, path, out);
      compareLimit('exclusiveMaximum', 'EXCLUSIVE_MAXIMUM', before, after, path, out);
      compareLimit('exclusiveMinimum', 'EXCLUSIVE_MINIMUM', before, after, path, out);
      compareMultipleOf(before, after, path, out);
    }
    if (bothAdmit(before, after, 'object')) compareObjects(this, before, after, path, out);
    if (bothAdmit(before, after, 'array')) compareArrays(this, before, after, path, out);
    compareCombinerKeywords(this, before, after, path, out);
    this.compareNot(before, after, path, out);
    compareUnchecked(before, after, path, out);
  }

  /**
   * A value passes `not: X` when it fails X, so the excluded set must shrink or stay: old documents
   * avoided the old X, and must avoid the new X (the new X must be read by the old one).
   */
  private compareNot(o: SchemaObject, n: SchemaObject, path: string, out: Differences) {
    if (o.not === undefined && n.not === undefined) return;
    if (o.not === undefined) return out.add('NOT_TYPE_ADDED', path);
    if (n.not === undefined) return out.add('NOT_TYPE_REMOVED', path);
    const reversed = new Comparison(this.newRoot, this.oldRoot).compare(n.not, o.not, child(path, 'not'));
    if (reversed.length === 0) return;
    out.add(reversed.every((d) => d.compatible) ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED', path);
  }
}

function compareAnnotations(o: SchemaObject, n: SchemaObject, path: string, out: Differences) {
  for (const keyword of new Set([...Object.keys(o), ...Object.keys(n)])) {
    if (!isAnnotation(keyword) || same(o[keyword], n[keyword])) continue;
    out.add(NAMED_ANNOTATIONS[keyword] ?? 'ANNOTATION_CHANGED', path, keyword);
  }
}

function compareUnchecked(o: SchemaObject, n: SchemaObject, path: string, out: Differences) {
  for (const keyword of new Set([...Object.keys(o), ...Object.keys(n)])) {
    if (HANDLED.has(keyword) || isAnnotation(keyword) || isDefinitions(keyword)) continue;
    if (!same(o[keyword], n[keyword])) out.add('UNCHECKED_KEYWORD_CHANGED', path, keyword);
  }
}
