export { type DemoOptions, type DemoSummary, runDemo } from './demo.js';
export { createDemoSystems, EffectLog } from './demo-systems.js';
export type { OrderLine, RetailSystems } from './systems.js';
export { OrderInput, ReturnInput, referenceLimits, referenceWorkflows, TransferInput } from './workflows.js';
