/** Keywords on objects: properties against the content model, required, dependencies, counts. */
import { type ContentModel, compareRest, coverAdded, coverRemoved, restModel } from './content-model.js';
import { compareLimit } from './scalars.js';
import {
  acceptsAnything,
  allCompatible,
  type Comparer,
  child,
  type Differences,
  isObject,
  type SchemaNode,
  type SchemaObject,
} from './schema.js';

const OBJECT_KEYWORDS = [
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'maxProperties',
  'minProperties',
  'dependentRequired',
  'dependentSchemas',
  'dependencies',
];
export const objectKeywords = new Set(OBJECT_KEYWORDS);

const record = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
const names = (v: unknown): Set<string> =>
  new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function compareObjects(
  c: Comparer,
  o: SchemaObject,
  n: SchemaObject,
  path: string,
  out: Differences,
): void {
  compareProperties(c, o, n, path, out);
  compareRequired(o, n, path, out);
  compareRest(
    c,
    o.additionalProperties,
    n.additionalProperties,
    path,
    child(path, 'additionalProperties'),
    {
      added: 'ADDITIONAL_PROPERTIES_ADDED',
      removed: 'ADDITIONAL_PROPERTIES_REMOVED',
      extended: 'ADDITIONAL_PROPERTIES_EXTENDED',
      narrowed: 'ADDITIONAL_PROPERTIES_NARROWED',
    },
    out,
  );
  comparePatternProperties(c, o, n, path, out);
  compareOptionalSchema(c, 'propertyNames', o, n, path, out);
  compareLimit('maxProperties', 'MAX_PROPERTIES', o, n, path, out);
  compareLimit('minProperties', 'MIN_PROPERTIES', o, n, path, out);
  compareDependencies(c, o, n, path, out);
}

/** What a schema lets a property it does not name be: patterns matching the name, else additionalProperties. */
function modelFor(s: SchemaObject, name: string): ContentModel {
  const matching = Object.entries(record(s.patternProperties))
    .filter(([pattern]) => matches(pattern, name))
    .map(([, schema]) => schema as SchemaNode);
  if (matching.length > 0) return { kind: 'partial', schemas: matching };
  return restModel(s.additionalProperties);
}

function matches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(name);
  } catch {
    return false;
  }
}

function compareProperties(c: Comparer, o: SchemaObject, n: SchemaObject, path: string, out: Differences) {
  const before = record(o.properties);
  const after = record(n.properties);
  const required = names(n.required);
  const all = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))];
  for (const name of all) {
    const p = child(path, 'properties', name);
    if (name in before && name in after) {
      out.addAll(c.compare(before[name], after[name], p));
    } else if (name in after) {
      // old documents may or may not carry this property: the old content model decides
      const model = modelFor(o, name);
      if (model.kind === 'open')
        out.add(
          acceptsAnything(after[name])
            ? 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
            : 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
          p,
        );
      else if (model.kind === 'closed')
        out.add(
          !required.has(name)
            ? 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL'
            : hasDefault(after[name])
              ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
              : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
          p,
        );
      else {
        const { covered, differences } = coverAdded(c, model.schemas, after[name], p);
        out.add(
          covered
            ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
            : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          p,
        );
        out.addAll(differences);
      }
    } else {
      // old documents may carry it: the new content model decides whether they still read
      const model = modelFor(n, name);
      if (model.kind === 'open') out.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', p);
      else if (model.kind === 'closed')
        out.add(
          before[name] === false
            ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
            : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          p,
        );
      else {
        const { covered, differences } = coverRemoved(c, before[name], model.schemas, p);
        out.add(
          covered
            ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
            : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          p,
        );
        out.addAll(differences);
      }
    }
  }
}

const hasDefault = (s: unknown) => isObject(s) && s.default !== undefined;

function compareRequired(o: SchemaObject, n: SchemaObject, path: string, out: Differences) {
  const before = names(o.required);
  const after = names(n.required);
  const properties = record(n.properties);
  for (const name of after)
    if (!before.has(name))
      out.add(
        hasDefault(properties[name]) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED',
        child(path, 'properties', name),
      );
  for (const name of before)
    if (!after.has(name)) out.add('REQUIRED_ATTRIBUTE_REMOVED', child(path, 'properties', name));
}

/**
 * A pattern's names used to fall to the old additionalProperties (when added), or fall to the new
 * one (when removed). Regular expressions are not compared for overlap: a pattern is matched by
 * its text.
 */
function comparePatternProperties(
  c: Comparer,
  o: SchemaObject,
  n: SchemaObject,
  path: string,
  out: Differences,
) {
  const before = record(o.patternProperties);
  const after = record(n.patternProperties);
  for (const pattern of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const p = child(path, 'patternProperties', pattern);
    if (pattern in before && pattern in after) {
      out.addAll(c.compare(before[pattern], after[pattern], p));
      continue;
    }
    const differences =
      pattern in after
        ? o.additionalProperties === false
          ? []
          : c.compare(o.additionalProperties ?? true, after[pattern], p)
        : c.compare(before[pattern], n.additionalProperties ?? true, p);
    const extended = allCompatible(differences);
    out.add(
      extended ? 'PATTERN_PROPERTIES_EXTENDED' : 'PATTERN_PROPERTIES_NARROWED',
      p,
      `pattern ${JSON.stringify(pattern)} ${pattern in after ? 'added' : 'removed'}`,
    );
    if (!extended) out.addAll(differences);
  }
}

/** A keyword holding one schema that only ever constrains (propertyNames, contains). */
export function compareOptionalSchema(
  c: Comparer,
  keyword: 'propertyNames' | 'contains',
  o: SchemaObject,
  n: SchemaObject,
  path: string,
  out: Differences,
): void {
  const a = o[keyword];
  const b = n[keyword];
  const contains = keyword === 'contains';
  if (acceptsAnything(a) && acceptsAnything(b)) return;
  if (acceptsAnything(a)) {
    out.add(contains ? 'CONTAINS_ADDED' : 'PROPERTY_NAMES_ADDED', path);
    return;
  }
  if (acceptsAnything(b)) {
    out.add(contains ? 'CONTAINS_REMOVED' : 'PROPERTY_NAMES_REMOVED', path);
    return;
  }
  out.addAll(c.compare(a, b, child(path, keyword)));
}

interface Dependencies {
  arrays: Map<string, { names: Set<string>; keyword: string }>;
  schemas: Map<string, { schema: unknown; keyword: string }>;
}

/** dependentRequired and dependentSchemas, and draft-07 `dependencies` holding either. */
function dependenciesOf(s: SchemaObject): Dependencies {
  const deps: Dependencies = { arrays: new Map(), schemas: new Map() };
  for (const [name, v] of Object.entries(record(s.dependentRequired)))
    deps.arrays.set(name, { names: names(v), keyword: 'dependentRequired' });
  for (const [name, v] of Object.entries(record(s.dependentSchemas)))
    deps.schemas.set(name, { schema: v, keyword: 'dependentSchemas' });
  for (const [name, v] of Object.entries(record(s.dependencies))) {
    if (Array.isArray(v)) deps.arrays.set(name, { names: names(v), keyword: 'dependencies' });
    else deps.schemas.set(name, { schema: v, keyword: 'dependencies' });
  }
  return deps;
}

function compareDependencies(c: Comparer, o: SchemaObject, n: SchemaObject, path: string, out: Differences) {
  const before = dependenciesOf(o);
  const after = dependenciesOf(n);
  for (const name of new Set([...after.arrays.keys(), ...before.arrays.keys()])) {
    const a = before.arrays.get(name);
    const b = after.arrays.get(name);
    const p = child(path, (b ?? a)!.keyword, name);
    const show = (x?: { names: Set<string> }) => (x ? `[${[...x.names].join(', ')}]` : 'none');
    const detail = `when ${name}: ${show(a)} → ${show(b)}`;
    if (!a) out.add('DEPENDENCY_ARRAY_ADDED', p, detail);
    else if (!b) out.add('DEPENDENCY_ARRAY_REMOVED', p, detail);
    else {
      const gained = [...b.names].some((x) => !a.names.has(x));
      const lost = [...a.names].some((x) => !b.names.has(x));
      if (gained && lost) out.add('DEPENDENCY_ARRAY_CHANGED', p, detail);
      else if (gained) out.add('DEPENDENCY_ARRAY_EXTENDED', p, detail);
      else if (lost) out.add('DEPENDENCY_ARRAY_NARROWED', p, detail);
    }
  }
  for (const name of new Set([...after.schemas.keys(), ...before.schemas.keys()])) {
    const a = before.schemas.get(name);
    const b = after.schemas.get(name);
    const p = child(path, (b ?? a)!.keyword, name);
    if (!a) out.add('DEPENDENCY_SCHEMA_ADDED', p);
    else if (!b) out.add('DEPENDENCY_SCHEMA_REMOVED', p);
    else out.addAll(c.compare(a.schema, b.schema, p));
  }
}
