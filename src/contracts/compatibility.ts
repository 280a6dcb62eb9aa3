/**
 * Compatibility modes, with the meaning they have in Confluent Schema Registry:
 *
 * - BACKWARD: consumers on the new schema read events written with the latest registered one.
 * - FORWARD: consumers still on the latest registered schema read events written with the new one
 *   (the comparison with the schemas swapped).
 * - FULL: both.
 * - *_TRANSITIVE: the same against every registered version, not only the latest.
 * - NONE: no check; the differences are still listed.
 *
 * A forward difference is named as the swapped comparison sees it, with its path in the old
 * schema: removing an optional property from an open content model shows as
 * PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, because new events may carry anything under that name and
 * old readers still constrain it.
 */
import type { CompatibilityMode } from '../store/index.js';
import { diffSchemas } from './diff/compare.js';
import type { SchemaDifference } from './diff/kinds.js';

export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
];

export const isCompatibilityMode = (v: unknown): v is CompatibilityMode =>
  COMPATIBILITY_MODES.includes(v as CompatibilityMode);

/** A difference found by a compatibility check, with the direction that found it. */
export interface CompatibilityChange extends SchemaDifference {
  /** backward: new readers, old events; forward: old readers, new events. */
  direction: 'backward' | 'forward';
  /** The registered version compared with, when checking against registered versions. */
  version?: number;
}

export interface CompatibilityResult {
  compatible: boolean;
  /** Every difference; those with `compatible: false` break the mode (under NONE nothing does). */
  changes: CompatibilityChange[];
}

function directions(mode: CompatibilityMode): Array<'backward' | 'forward'> {
  if (mode.startsWith('FULL')) return ['backward', 'forward'];
  if (mode.startsWith('FORWARD')) return ['forward'];
  return ['backward'];
}

/** Compares two schemas under a mode (transitive modes compare just this pair). */
export function compareUnderMode(
  oldSchema: unknown,
  newSchema: unknown,
  mode: CompatibilityMode,
): CompatibilityResult {
  const changes = directions(mode).flatMap((direction) =>
    (direction === 'backward' ? diffSchemas(oldSchema, newSchema) : diffSchemas(newSchema, oldSchema)).map(
      (d): CompatibilityChange => ({ ...d, direction }),
    ),
  );
  return { compatible: mode === 'NONE' || changes.every((c) => c.compatible), changes };
}

/**
 * Whether `newSchema` may follow `previousVersions` (oldest first) under `mode`: against the last
 * one, or against each of them for the transitive modes. NONE always passes.
 */
export function checkCompatibility(
  mode: CompatibilityMode,
  newSchema: unknown,
  previousVersions: ReadonlyArray<{ version: number; schema: unknown }>,
): CompatibilityResult {
  const against = mode.endsWith('_TRANSITIVE') ? previousVersions : previousVersions.slice(-1);
  const changes = against.flatMap(({ version, schema }) =>
    compareUnderMode(schema, newSchema, mode).changes.map((c) => ({ ...c, version })),
  );
  return { compatible: mode === 'NONE' || changes.every((c) => c.compatible), changes };
}
