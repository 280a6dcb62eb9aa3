-- Governance: event contracts, API keys, the audit chain, ingested events, the quarantine and the
-- responses remembered for idempotency keys. JSON values are kept as the text JSON.stringify wrote;
-- timestamps are epoch milliseconds; identifiers use the "C" collation so they sort bytewise.

-- Event contract types and their metadata.
CREATE TABLE contract_types (
  type          TEXT COLLATE "C" PRIMARY KEY,
  owner         TEXT NOT NULL,
  description   TEXT NOT NULL,
  compatibility TEXT NOT NULL,
  lifecycle     TEXT NOT NULL,
  sunset_at     BIGINT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);

-- Schema versions of each type, numbered 1, 2, 3, … per type.
CREATE TABLE contract_versions (
  type        TEXT COLLATE "C" NOT NULL REFERENCES contract_types (type),
  version     INTEGER NOT NULL,
  schema      TEXT NOT NULL,
  example     TEXT,
  fingerprint TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  created_by  TEXT,
  PRIMARY KEY (type, version)
);

-- API keys: only the hash of the secret is kept.
CREATE TABLE api_keys (
  id           TEXT COLLATE "C" PRIMARY KEY,
  name         TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  hash         TEXT NOT NULL UNIQUE,
  principal    TEXT NOT NULL,
  roles        TEXT NOT NULL,
  scopes       TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  created_by   TEXT,
  revoked_at   BIGINT,
  revoked_by   TEXT,
  expires_at   BIGINT,
  last_used_at BIGINT
);

-- The audit log: a hash chain, seq 1, 2, 3, … without gaps.
CREATE TABLE audit (
  seq          BIGINT PRIMARY KEY,
  at           BIGINT NOT NULL,
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
  source           TEXT COLLATE "C" NOT NULL,
  id               TEXT COLLATE "C" NOT NULL,
  inbox_id         TEXT COLLATE "C" NOT NULL,
  type             TEXT NOT NULL,
  subject          TEXT,
  time             TEXT,
  contract_version INTEGER NOT NULL,
  data             TEXT,
  extensions       TEXT,
  published_by     TEXT,
  received_at      BIGINT NOT NULL,
  PRIMARY KEY (source, id)
);

-- Events that could not be accepted, held until replayed or discarded.
CREATE TABLE quarantine (
  id           TEXT COLLATE "C" PRIMARY KEY,
  origin       TEXT NOT NULL,
  reason       TEXT NOT NULL,
  issues       TEXT NOT NULL,
  payload      TEXT,
  type         TEXT,
  event_id     TEXT,
  source       TEXT,
  received_at  BIGINT NOT NULL,
  published_by TEXT,
  status       TEXT NOT NULL,
  attempts     TEXT NOT NULL,
  corrected_at BIGINT,
  corrected_by TEXT,
  resolved_at  BIGINT,
  resolved_by  TEXT
);
CREATE INDEX quarantine_status ON quarantine (status, id);

-- Responses remembered for Idempotency-Key headers, per principal.
CREATE TABLE idempotency_keys (
  principal    TEXT COLLATE "C" NOT NULL,
  key          TEXT COLLATE "C" NOT NULL,
  request_hash TEXT NOT NULL,
  status       INTEGER NOT NULL,
  headers      TEXT NOT NULL,
  body         TEXT,
  created_at   BIGINT NOT NULL,
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
