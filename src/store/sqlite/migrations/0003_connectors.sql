-- Connectors: a record of every call to an outside system (the health view reads it; old records
-- are pruned) and the dead-letter queue. JSON values are the text JSON.stringify wrote.

-- One row per attempt, in write order.
CREATE TABLE connector_calls (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  system          TEXT NOT NULL,
  operation       TEXT NOT NULL,
  idempotency_key TEXT,
  attempt         INTEGER NOT NULL,
  outcome         TEXT NOT NULL,
  status          INTEGER,
  latency_ms      INTEGER NOT NULL,
  error           TEXT,
  breaker         TEXT NOT NULL,
  at              INTEGER NOT NULL
);
CREATE INDEX connector_calls_system ON connector_calls (system, at);
CREATE INDEX connector_calls_key ON connector_calls (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX connector_calls_at ON connector_calls (at);

-- Calls and inbound messages that failed for good, until replayed or discarded.
CREATE TABLE dead_letters (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL,
  system          TEXT NOT NULL,
  operation       TEXT NOT NULL,
  idempotency_key TEXT,
  payload         TEXT,
  error           TEXT NOT NULL,
  attempts        TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  status          TEXT NOT NULL,
  replays         TEXT NOT NULL,
  edited_at       INTEGER,
  edited_by       TEXT,
  resolved_at     INTEGER,
  resolved_by     TEXT
);
CREATE INDEX dead_letters_status ON dead_letters (status, id);
CREATE INDEX dead_letters_system ON dead_letters (system, id);
