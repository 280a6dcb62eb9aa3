export { type StoreFactory, storeConformance } from './conformance.js';
export * from './connectors.js';
export * from './governance.js';
export { GroupCommitter } from './group-commit.js';
export { type EventMatch, matchesEvent, readPath } from './match.js';
export { describeStore, migrateStore, openStore, type StoreSettings } from './open.js';
export {
  migratePostgresStore,
  openPostgresStore,
  PostgresStore,
  type PostgresStoreOptions,
} from './postgres/index.js';
export * from './rules.js';
export { migrateSqliteStore, openSqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
export * from './types.js';
