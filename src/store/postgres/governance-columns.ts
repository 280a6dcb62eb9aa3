/** The columns the PostgreSQL governance queries select, in the order the row mappers read them. */
export const CONTRACT_TYPE_COLUMNS =
  'type, owner, description, compatibility, lifecycle, sunset_at, created_at, updated_at';
export const CONTRACT_VERSION_COLUMNS = 'type, version, schema, example, fingerprint, created_at, created_by';
export const API_KEY_COLUMNS = `id, name, prefix, hash, principal, roles, scopes, created_at, created_by, revoked_at,
  revoked_by, expires_at, last_used_at`;
export const AUDIT_COLUMNS = `seq, at, actor, action, target_kind, target_id, before_value, after_value, request_id,
  prev_hash, hash`;
export const INGESTED_COLUMNS = `source, id, type, subject, time, contract_version, data, extensions, published_by,
  received_at`;
export const QUARANTINE_COLUMNS = `id, origin, reason, issues, payload, type, event_id, source, received_at,
  published_by, status, attempts, resolved_at, resolved_by`;
export const IDEMPOTENCY_COLUMNS = 'principal, key, request_hash, status, headers, body, created_at';
