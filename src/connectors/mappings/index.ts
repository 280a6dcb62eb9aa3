/**
 * Declarative mappings: versioned JSONata expressions with fixtures, turning external payloads into
 * contract events and contract events into system requests.
 */
export { BUILTIN_MAPPINGS_DIR, builtinMappings } from './builtin.js';
export { MappingError, type MappingFailure, MappingFileError } from './errors.js';
export { applyMapping, compileMapping, type EvaluateOptions, outputIssues } from './evaluate.js';
export { type Difference, diffJson, type FixtureResult, formatDifference, runFixtures } from './fixtures.js';
export { loadMappings, MappingSet, readMappingFile, toMapping } from './load.js';
export {
  type Mapping,
  type MappingFixture,
  type MappingSource,
  type MappingTarget,
  mappingLabel,
  targetLabel,
} from './types.js';
