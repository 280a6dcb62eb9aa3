/**
 * Event contracts: the registry of versioned JSON Schemas with owners, lifecycles and
 * compatibility modes; the schema compatibility checker; CloudEvents 1.0 over HTTP; the retail
 * event catalogue; and the AsyncAPI 3.0 export.
 */
export { type AsyncApiOptions, asyncApiDocument } from './asyncapi.js';
export * from './catalogue/index.js';
export * from './cloudevents.js';
export {
  COMPATIBILITY_MODES,
  type CompatibilityChange,
  type CompatibilityResult,
  checkCompatibility,
  compareUnderMode,
  isCompatibilityMode,
} from './compatibility.js';
export { diffSchemas } from './diff/compare.js';
export { DIFFERENCE_KINDS, type DifferenceKind, type SchemaDifference } from './diff/kinds.js';
export {
  type BreakingChange,
  ContractRegistry,
  type EventVerdict,
  IncompatibleSchemaError,
  type RegisterInput,
  schemaFingerprint,
} from './registry.js';
export { ContractValidators, JSON_SCHEMA_2020_12, toIssues } from './validate.js';
