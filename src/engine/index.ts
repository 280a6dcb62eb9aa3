export type {
  DecisionLogic,
  StepInfo,
  StepOptions,
  TaskResult,
  TaskSpec,
  WaitOptions,
  WorkflowContext,
} from './context.js';
export { Engine, type EngineOptions, type EventInput, type StartOptions } from './engine.js';
export type { EngineEvent, EngineEventType } from './events.js';
export { ResourceLimits } from './limits.js';
export { type RecordedRun, type ReplayResult, replayRun } from './replay.js';
export type { RetryPolicy } from './retry.js';
export { type AnyWorkflow, defineWorkflow, type WorkflowDefinition, type WorkflowSpec } from './workflow.js';
