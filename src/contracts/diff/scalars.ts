/** Keywords on strings and numbers, `type`, and `enum`/`const`. */
import { canonicalJson } from '../../store/index.js';
import type { DifferenceKind } from './kinds.js';
import { type Atom, type Differences, describeTypes, type SchemaObject, typeAtoms } from './schema.js';

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v));

export function compareTypes(o: SchemaObject, n: SchemaObject, path: string, out: Differences): void {
  const before = typeAtoms(o);
  const after = typeAtoms(n);
  const gained = [...after].some((a) => !before.has(a));
  const lost = [...before].some((a) => !after.has(a));
  if (!gained && !lost) return;
  const detail = `type ${describeTypes(o)} → ${describeTypes(n)}`;
  out.add(gained && lost ? 'TYPE_CHANGED' : gained ? 'TYPE_EXTENDED' : 'TYPE_NARROWED', path, detail);
}

/** Whether both schemas admit one of these types, so that keywords about them matter. */
export function bothAdmit(o: SchemaObject, n: SchemaObject, ...atoms: Atom[]): boolean {
  const before = typeAtoms(o);
  const after = typeAtoms(n);
  return atoms.some((a) => before.has(a) && after.has(a));
}

/**
 * A numeric limit, reported as `<kind>_ADDED`, `_REMOVED`, `_INCREASED` or `_DECREASED`
 * (MAX_LENGTH_DECREASED, …); the table of kinds knows which direction accepts more.
 */
export function compareLimit(
  keyword: string,
  kind: string,
  o: SchemaObject,
  n: SchemaObject,
  path: string,
  out: Differences,
): void {
  const a = o[keyword];
  const b = n[keyword];
  if (a === b || (a === undefined && b === undefined)) return;
  const detail = `${keyword} ${a ?? 'none'} → ${b ?? 'none'}`;
  const k = (suffix: string) => `${kind}_${suffix}` as DifferenceKind;
  if (a === undefined) {
    out.add(k('ADDED'), path, detail);
    return;
  }
  if (b === undefined) {
    out.add(k('REMOVED'), path, detail);
    return;
  }
  if (typeof a !== 'number' || typeof b !== 'number') {
    out.add('UNCHECKED_KEYWORD_CHANGED', path, detail);
    return;
  }
  out.add(k(b > a ? 'INCREASED' : 'DECREASED'), path, detail);
}

export function compareMultipleOf(o: SchemaObject, n: SchemaObject, path: string, out: Differences): void {
  const a = o.multipleOf;
  const b = n.multipleOf;
  if (a === b) return;
  const detail = `multipleOf ${a ?? 'none'} → ${b ?? 'none'}`;
  if (a === undefined) {
    out.add('MULTIPLE_OF_ADDED', path, detail);
    return;
  }
  if (b === undefined) {
    out.add('MULTIPLE_OF_REMOVED', path, detail);
    return;
  }
  if (typeof a !== 'number' || typeof b !== 'number') {
    out.add('UNCHECKED_KEYWORD_CHANGED', path, detail);
    return;
  }
  if (isMultiple(b, a)) {
    out.add('MULTIPLE_OF_EXPANDED', path, detail);
    return;
  }
  if (isMultiple(a, b)) {
    out.add('MULTIPLE_OF_REDUCED', path, detail);
    return;
  }
  out.add('MULTIPLE_OF_CHANGED', path, detail);
}

/** Whether `x` is a whole multiple of `d`, tolerating binary fractions (0.3 of 0.1). */
function isMultiple(x: number, d: number): boolean {
  const q = x / d;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

/** `pattern` and `format`: a string either must match it or not. */
export function compareStringRule(
  keyword: 'pattern' | 'format',
  o: SchemaObject,
  n: SchemaObject,
  path: string,
  out: Differences,
): void {
  const a = o[keyword];
  const b = n[keyword];
  if (a === b) return;
  const kind = keyword.toUpperCase();
  const detail = `${keyword} ${a === undefined ? 'none' : show(a)} → ${b === undefined ? 'none' : show(b)}`;
  const suffix = a === undefined ? 'ADDED' : b === undefined ? 'REMOVED' : 'CHANGED';
  out.add(`${kind}_${suffix}` as DifferenceKind, path, detail);
}

/** `enum` and `const` as one list of allowed values; no list allows every value. */
export function compareEnum(o: SchemaObject, n: SchemaObject, path: string, out: Differences): void {
  const a = allowed(o);
  const b = allowed(n);
  if (a === undefined && b === undefined) return;
  const detail = `values ${a ? [...a.values()].join(', ') : 'any'} → ${b ? [...b.values()].join(', ') : 'any'}`;
  if (a === undefined) {
    out.add('ENUM_ARRAY_NARROWED', path, detail);
    return;
  }
  if (b === undefined) {
    out.add('ENUM_ARRAY_EXTENDED', path, detail);
    return;
  }
  const gained = [...b.keys()].some((v) => !a.has(v));
  const lost = [...a.keys()].some((v) => !b.has(v));
  if (!gained && !lost) return;
  out.add(
    gained && lost ? 'ENUM_ARRAY_CHANGED' : gained ? 'ENUM_ARRAY_EXTENDED' : 'ENUM_ARRAY_NARROWED',
    path,
    detail,
  );
}

/** canonical JSON → display form of each allowed value. */
function allowed(s: SchemaObject): Map<string, string> | undefined {
  const values = 'const' in s ? [s.const] : Array.isArray(s.enum) ? s.enum : undefined;
  return values && new Map(values.map((v) => [canonicalJson(v), show(v)]));
}
