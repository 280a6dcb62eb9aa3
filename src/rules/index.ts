export { decisionFor, tableVersion } from './decision.js';
export { BATON_DMN_NAMESPACE, DMN13_NAMESPACE, parseDmn, toDmnXml } from './dmn-xml.js';
export { type EvaluateOptions, type EvaluationResult, evaluate } from './evaluate.js';
export { defaultRulesDir, findDecision, loadDefaultRules, readDmnFile } from './files.js';
export * from './model.js';
export { assertValidDefinitions, assertValidTable, tableIssues } from './validate.js';
export {
  type DecisionOutcome,
  type WhatIfChange,
  type WhatIfOptions,
  type WhatIfReport,
  whatIf,
} from './what-if.js';
