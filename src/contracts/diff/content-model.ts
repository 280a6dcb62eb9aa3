/**
 * Content models: what a schema says about members it does not name (object properties outside
 * `properties`, array items after `prefixItems`). Open accepts anything there, closed accepts
 * nothing, partially open accepts what a schema (`patternProperties`, or `additionalProperties` /
 * `items` as a schema) accepts.
 */
import type { SchemaDifference } from './kinds.js';
import {
  acceptsAnything,
  allCompatible,
  breaking,
  type Comparer,
  type Differences,
  type SchemaNode,
} from './schema.js';

export type ContentModel = { kind: 'open' } | { kind: 'closed' } | { kind: 'partial'; schemas: SchemaNode[] };

/** The model an `additionalProperties` or `items` value sets up. */
export function restModel(rest: unknown): ContentModel {
  if (acceptsAnything(rest)) return { kind: 'open' };
  if (rest === false) return { kind: 'closed' };
  return { kind: 'partial', schemas: [rest as SchemaNode] };
}

/**
 * A member the new schema names, where the old one let its partially open model decide. Old
 * documents satisfied every covering schema, so one that the new member reads is enough.
 */
export function coverAdded(
  c: Comparer,
  covering: SchemaNode[],
  member: unknown,
  path: string,
): { covered: boolean; differences: SchemaDifference[] } {
  let best: SchemaDifference[] | undefined;
  for (const s of covering) {
    const d = c.compare(s, member, path);
    if (allCompatible(d)) return { covered: true, differences: d };
    if (!best || breaking(d) < breaking(best)) best = d;
  }
  return { covered: false, differences: best ?? [] };
}

/** A member the old schema named, now left to the new partially open model: every covering schema must read it. */
export function coverRemoved(
  c: Comparer,
  member: unknown,
  covering: SchemaNode[],
  path: string,
): { covered: boolean; differences: SchemaDifference[] } {
  const differences = covering.flatMap((s) => c.compare(member, s, path));
  return { covered: allCompatible(differences), differences };
}

/**
 * The model itself changing (`additionalProperties`, or `items` after `prefixItems`): false → true
 * is ADDED, true → false REMOVED, to or from a schema EXTENDED or NARROWED, and a schema → schema
 * change is compared at `restPath`.
 */
export function compareRest(
  c: Comparer,
  before: unknown,
  after: unknown,
  path: string,
  restPath: string,
  kinds: {
    added: SchemaDifference['kind'];
    removed: SchemaDifference['kind'];
    extended: SchemaDifference['kind'];
    narrowed: SchemaDifference['kind'];
  },
  out: Differences,
): void {
  const a = restModel(before).kind;
  const b = restModel(after).kind;
  if (a === b && a !== 'partial') return;
  const detail = `${a} → ${b}`;
  if (a === 'closed' && b === 'open') out.add(kinds.added, path, detail);
  else if (a === 'open' && b === 'closed') out.add(kinds.removed, path, detail);
  else if ((a === 'closed' && b === 'partial') || (a === 'partial' && b === 'open'))
    out.add(kinds.extended, path, detail);
  else if ((a === 'open' && b === 'partial') || (a === 'partial' && b === 'closed'))
    out.add(kinds.narrowed, path, detail);
  else out.addAll(c.compare(before, after, restPath));
}
