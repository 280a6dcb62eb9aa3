export { decisionFor, tableVersion } from './decision.js';
export {
  type CellChange,
  type ColumnChange,
  columnSignature,
  type DefinitionsDiff,
  diffDefinitions,
  diffTables,
  formatDiff,
  type RuleChange,
  type TableDiff,
} from './diff.js';
export { BATON_DMN_NAMESPACE, DMN13_NAMESPACE, parseDmn, toDmnXml } from './dmn-xml.js';
export { type EvaluateOptions, type EvaluationResult, evaluate } from './evaluate.js';
export { defaultRulesDir, findDecision, loadDefaultRules, readDmnFile } from './files.js';
export {
  type ActiveTable,
  type ApprovalResult,
  activeDecision,
  type DraftReview,
  governedVersion,
  REGION_PATTERN,
  RuleGovernance,
  type RuleGovernanceOptions,
} from './governance.js';
export * from './model.js';
export { assertValidDefinitions, assertValidTable, tableIssues } from './validate.js';
export {
  type DecisionOutcome,
  type WhatIfChange,
  type WhatIfOptions,
  type WhatIfReport,
  whatIf,
} from './what-if.js';
