export { type StoreFactory, storeConformance } from './conformance.js';
export { GroupCommitter } from './group-commit.js';
export { type EventMatch, matchesEvent, readPath } from './match.js';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
export * from './types.js';
