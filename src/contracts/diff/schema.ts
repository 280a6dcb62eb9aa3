/**
 * Reading JSON Schemas for comparison: following local `$ref`s, telling annotations from
 * constraints, the JSON types a schema admits, and JSON pointer paths.
 */
import { ValidationError } from '../../core/index.js';
import { canonicalJson } from '../../store/index.js';
import { BACKWARD_COMPATIBLE, type DifferenceKind, type SchemaDifference } from './kinds.js';

export type SchemaObject = Record<string, unknown>;
/** A subschema as written: an object, or `true` (anything) / `false` (nothing). */
export type SchemaNode = SchemaObject | boolean;

/** Keywords that describe values without constraining them. */
const ANNOTATIONS = new Set([
  '$schema',
  '$comment',
  '$anchor',
  '$dynamicAnchor',
  '$vocabulary',
  'examples',
  'example',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
]);

/** Annotations reported by their own difference kinds. */
export const NAMED_ANNOTATIONS: Record<string, DifferenceKind> = {
  $id: 'ID_CHANGED',
  title: 'TITLE_CHANGED',
  description: 'DESCRIPTION_CHANGED',
  default: 'DEFAULT_CHANGED',
};

export const isAnnotation = (keyword: string) =>
  ANNOTATIONS.has(keyword) || keyword.startsWith('x-') || keyword in NAMED_ANNOTATIONS;

/** Keywords that hold definitions for `$ref`; they are compared where they are referenced. */
export const isDefinitions = (keyword: string) => keyword === '$defs' || keyword === 'definitions';

export const COMBINERS = ['allOf', 'anyOf', 'oneOf'] as const;
export type Combiner = (typeof COMBINERS)[number];

export const isObject = (v: unknown): v is SchemaObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** The keywords of a schema that constrain values. */
export const constraintKeywords = (s: SchemaObject) =>
  Object.keys(s).filter((k) => !isAnnotation(k) && !isDefinitions(k));

/** A schema that is nothing but one allOf/anyOf/oneOf (plus annotations). */
export function pureCombination(s: SchemaNode): { keyword: Combiner; branches: SchemaNode[] } | undefined {
  if (!isObject(s)) return undefined;
  const keys = constraintKeywords(s);
  if (keys.length !== 1) return undefined;
  const keyword = keys[0] as Combiner;
  if (!COMBINERS.includes(keyword) || !Array.isArray(s[keyword])) return undefined;
  return { keyword, branches: s[keyword] as SchemaNode[] };
}

/** `true`, absent and `{}` all accept anything. */
export const acceptsAnything = (s: unknown) =>
  s === undefined || s === true || (isObject(s) && constraintKeywords(s).length === 0);

// ------------------------------------------------------------------ paths

const escapeSegment = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** `child('#/properties/a', 'items')` → `#/properties/a/items`. */
export const child = (path: string, ...segments: Array<string | number>) =>
  path + segments.map((s) => `/${escapeSegment(String(s))}`).join('');

// ------------------------------------------------------------------ $ref

/**
 * A schema with its `$ref`s followed (sibling keywords merged over the target) and single-branch
 * combinations unwrapped. `ref` names the definition reached, so recursive schemas can be detected.
 */
export interface Resolved {
  schema: SchemaNode;
  ref?: string;
}

const MAX_HOPS = 64;

export function resolve(node: unknown, root: unknown, path: string, side: 'old' | 'new'): Resolved {
  let schema = asNode(node, path, side);
  let ref: string | undefined;
  for (let hops = 0; ; hops++) {
    if (hops > MAX_HOPS)
      throw refError(path, side, `$ref chain longer than ${MAX_HOPS} references (a reference cycle?)`);
    if (isObject(schema) && typeof schema.$ref === 'string') {
      const target = lookup(root, schema.$ref, path, side);
      const { $ref: pointer, ...siblings } = schema;
      ref = pointer as string;
      schema = merge(asNode(target, path, side), siblings);
      continue;
    }
    const single = pureCombination(schema);
    if (single && single.branches.length === 1) {
      schema = asNode(single.branches[0], path, side);
      continue;
    }
    return ref === undefined ? { schema } : { schema, ref };
  }
}

function merge(target: SchemaNode, siblings: SchemaObject): SchemaNode {
  if (Object.keys(siblings).length === 0) return target;
  if (target === false) return false;
  if (target === true) return siblings;
  return { ...target, ...siblings };
}

function lookup(root: unknown, ref: string, path: string, side: 'old' | 'new'): unknown {
  if (!ref.startsWith('#'))
    throw refError(path, side, `cannot follow $ref "${ref}": only references inside the schema (#/$defs/…)`);
  const pointer = decodeURIComponent(ref.slice(1));
  if (pointer !== '' && !pointer.startsWith('/'))
    throw refError(path, side, `cannot follow $ref "${ref}": anchors are not supported, use a JSON pointer`);
  let at: unknown = root;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) at = at[Number(seg)];
    else if (isObject(at)) at = at[seg];
    else at = undefined;
    if (at === undefined) throw refError(path, side, `$ref "${ref}" points at nothing`);
  }
  return at;
}

function asNode(v: unknown, path: string, side: 'old' | 'new'): SchemaNode {
  if (typeof v === 'boolean' || isObject(v)) return v;
  throw refError(path, side, 'is not a schema (an object or a boolean)');
}

const refError = (path: string, side: 'old' | 'new', message: string) =>
  new ValidationError(`${side} schema at ${path}: ${message}`, [
    { path: `/${side}${path.slice(1)}`, message },
  ]);

// ------------------------------------------------------------------ JSON types

/** JSON types as disjoint sets of values: `number` is integer plus fraction. */
export type Atom = 'null' | 'boolean' | 'object' | 'array' | 'string' | 'integer' | 'fraction';
const ALL: Atom[] = ['null', 'boolean', 'object', 'array', 'string', 'integer', 'fraction'];

function atomsOfType(t: unknown): Atom[] {
  if (t === 'number') return ['integer', 'fraction'];
  return ALL.includes(t as Atom) && t !== 'fraction' ? [t as Atom] : [];
}

function atomOfValue(v: unknown): Atom {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'fraction';
  return typeof v as Atom;
}

/** The JSON types a schema admits, from `type`, else from `const`/`enum`, else all of them. */
export function typeAtoms(s: SchemaObject): Set<Atom> {
  if (s.type !== undefined) return new Set((Array.isArray(s.type) ? s.type : [s.type]).flatMap(atomsOfType));
  if ('const' in s) return new Set([atomOfValue(s.const)]);
  if (Array.isArray(s.enum)) return new Set(s.enum.map(atomOfValue));
  return new Set(ALL);
}

export const describeTypes = (s: SchemaObject) =>
  s.type === undefined ? 'any' : Array.isArray(s.type) ? s.type.join('|') : String(s.type);

// ------------------------------------------------------------------ results

/** Collects differences in the order they are found. */
export class Differences {
  readonly list: SchemaDifference[] = [];
  add(kind: DifferenceKind, path: string, detail?: string): void {
    const d: SchemaDifference = { kind, path, compatible: BACKWARD_COMPATIBLE[kind] };
    if (detail !== undefined) d.detail = detail;
    this.list.push(d);
  }
  addAll(list: readonly SchemaDifference[]): void {
    this.list.push(...list);
  }
}

export const allCompatible = (list: readonly SchemaDifference[]) => list.every((d) => d.compatible);
export const breaking = (list: readonly SchemaDifference[]) => list.filter((d) => !d.compatible).length;

/** What the keyword modules need from the comparison that calls them. */
export interface Comparer {
  /** The differences between two subschemas, found at `path`. */
  compare(oldNode: unknown, newNode: unknown, path: string): SchemaDifference[];
}
