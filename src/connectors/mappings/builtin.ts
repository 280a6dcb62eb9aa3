import { fileURLToPath } from 'node:url';
import { loadMappings, type MappingSet } from './load.js';

/** The folder of the mappings Baton ships: `mappings/` at the package root. */
export const BUILTIN_MAPPINGS_DIR = fileURLToPath(new URL('../../../mappings/', import.meta.url));

let builtin: MappingSet | undefined;

/** The shipped mappings, read and checked once (a broken one fails the first caller loudly). */
export function builtinMappings(): MappingSet {
  builtin ??= loadMappings(BUILTIN_MAPPINGS_DIR);
  return builtin;
}
