-- Governance: event contracts, API keys, the audit chain, ingested events, the quarantine and the
-- responses remembered for idempotency keys. JSON values are the text JSON.stringify wrote.

-- Event contract types and their metadata.
CREATE TABLE contract_types (
  type          TEXT PRIMARY KEY,
  owner         TEXT NOT NULL,
  description   TEXT NOT NULL,
  compatibility TEXT NOT NULL,
  lifecycle     TEXT NOT NULL,
  sunset_at     INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- Schema versions of each type, numbered 1, 2, 3, … per type.
CREATE TABLE contract_versions (
  type        TEXT NOT NULL,
  version     INTEGER NOT NULL,
  schema      TEXT NOT NULL,
  example     TEXT,
  fingerprint TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  created_by  TEXT,
  PRIMARY KEY (type, version)
) WITHOUT ROWID;

-- API keys: only the hash of the secret is kept.
CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  hash         TEXT NOT NULL UNIQUE,
  principal    TEXT NOT NULL,
  roles        TEXT NOT NULL,
  scopes       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  created_by   TEXT,
  revoked_at   INTEGER,
  revoked_by   TEXT,
  expires_at   INTEGER,
  last_used_at INTEGER
);

-- The audit log: a hash chain, seq 1, 2, 3, … without gaps.
CREATE TABLE audit (
  seq          INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  target_kind  TEXT NOT NULL,
  target_id    TEXT NOT NULL,
  before_value TEXT,
  after_value  TEXT,
  request_id   TEXT,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX audit_target ON audit (target_kind, target_id, seq);
CREATE INDEX audit_actor ON audit (actor, seq);
CREATE INDEX audit_at ON audit (at);

-- Events accepted through the API, keyed by the producer's (source, id); inbox_id is their row in events.
CREATE TABLE ingested_events (
  source           TEXT NOT NULL,
  id               TEXT NOT NULL,
  inbox_id         TEXT NOT NULL,
  type             TEXT NOT NULL,
  subject          TEXT,
  time             TEXT,
  contract_version INTEGER NOT NULL,
  data             TEXT,
  extensions       TEXT,
  published_by     TEXT,
  received_at      INTEGER NOT NULL,
  PRIMARY KEY (source, id)
) WITHOUT ROWID;

-- Events that could not be accepted, held until replayed or discarded.
CREATE TABLE quarantine (
  id           TEXT PRIMARY KEY,
  origin       TEXT NOT NULL,
  reason       TEXT NOT NULL,
  issues       TEXT NOT NULL,
  payload      TEXT,
  type         TEXT,
  event_id     TEXT,
  source       TEXT,
  received_at  INTEGER NOT NULL,
  published_by TEXT,
  status       TEXT NOT NULL,
  attempts     TEXT NOT NULL,
  corrected_at INTEGER,
  corrected_by TEXT,
  resolved_at  INTEGER,
  resolved_by  TEXT
) WITHOUT ROWID;
CREATE INDEX quarantine_status ON quarantine (status, id);

-- Responses remembered for Idempotency-Key headers, per principal.
CREATE TABLE idempotency_keys (
  principal    TEXT NOT NULL,
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status       INTEGER NOT NULL,
  headers      TEXT NOT NULL,
  body         TEXT,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (principal, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
