/**
 * Baton's public face: what an integration team imports to write and run workflows.
 */
export { Bus, type BusOptions } from './bus/index.js';
export * from './core/index.js';
export * from './engine/index.js';
export {
  isTerminal,
  openSqliteStore,
  type RunRecord,
  type RunStatus,
  type SqliteStoreOptions,
  type Store,
  type TaskRecord,
} from './store/index.js';
