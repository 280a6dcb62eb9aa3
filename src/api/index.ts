/**
 * The HTTP API: versioned routes under /v1, OpenAPI 3.1, API keys with roles and scopes, rate limits,
 * idempotency keys, problem+json errors and the audit log with its hash chain.
 */
export { type Actor, type ChainReport, recordChange, verifyAuditChain } from './audit.js';
export type { Api } from './context.js';
export {
  type ApiKeyView,
  createKey,
  ensureFirstAdminKey,
  type IssuedKey,
  keyView,
  type NewKey,
  revokeKey,
} from './keys.js';
export { ingestPosBatch, type PosBatchInput, type PosReport, type PosSaleResult } from './pos.js';
export { type InboxResult, PosInbox, type PosInboxOptions } from './pos-inbox.js';
export {
  allows,
  PERMISSIONS,
  type Permission,
  type Principal,
  ROLES,
  type Role,
  roleNames,
} from './roles.js';
export { type ApiServerOptions, createApiServer, listen } from './server.js';
