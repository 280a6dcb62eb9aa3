-- The store's tables, created in the schema named in the store's options (the migrator sets
-- search_path). Timestamps are epoch milliseconds passed in by the engine, never the database clock.
-- JSON values are kept as the text JSON.stringify wrote, so they read back exactly as written (key
-- order included). Identifiers use the "C" collation so they sort bytewise, as they do on SQLite.

-- Runs: one row per workflow execution, with its lease.
CREATE TABLE runs (
  id                TEXT COLLATE "C" PRIMARY KEY,
  workflow          TEXT NOT NULL,
  version           INTEGER NOT NULL,
  wf_key            TEXT NOT NULL,
  status            TEXT NOT NULL,
  input             TEXT,
  output            TEXT,
  error             TEXT,
  idempotency_key   TEXT UNIQUE,
  parent_id         TEXT COLLATE "C",
  parent_position   INTEGER,
  queue             TEXT NOT NULL DEFAULT 'default',
  concurrency_key   TEXT,
  concurrency_limit INTEGER,
  next_at           BIGINT,
  lease_owner       TEXT,
  lease_until       BIGINT,
  lease_token       INTEGER NOT NULL DEFAULT 0,
  wake_seq          INTEGER NOT NULL DEFAULT 0,
  cancel_requested  BOOLEAN NOT NULL DEFAULT false,
  claims            INTEGER NOT NULL DEFAULT 0,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  started_at        BIGINT,
  ended_at          BIGINT
);
-- The claim path. Only runs that can become runnable are in this index; finished runs leave it, so
-- claiming costs the same with a million completed runs as with none. The claim scans it in next_at
-- order up to now; a leased run has next_at at its lease expiry, so it is reached only once the lease
-- has expired (or something woke it, and then the lease check skips it).
CREATE INDEX runs_runnable ON runs (next_at, id)
  WHERE status IN ('pending', 'running', 'waiting', 'compensating', 'stranded');
CREATE INDEX runs_status ON runs (status, workflow, version);
CREATE INDEX runs_created ON runs (created_at);
CREATE INDEX runs_parent ON runs (parent_id) WHERE parent_id IS NOT NULL;
-- Per-key concurrency counts only active runs.
CREATE INDEX runs_concurrency ON runs (concurrency_key)
  WHERE concurrency_key IS NOT NULL AND status IN ('running', 'waiting', 'compensating');

-- Search attributes (business keys) of runs.
CREATE TABLE run_tags (
  run_id TEXT COLLATE "C" NOT NULL,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX run_tags_lookup ON run_tags (key, value);

-- The journal: one row per durable call of a run, at its position.
CREATE TABLE journal (
  run_id     TEXT COLLATE "C" NOT NULL,
  position   INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  name       TEXT NOT NULL,
  status     TEXT NOT NULL,
  input      TEXT,
  result     TEXT,
  error      TEXT,
  deadline   BIGINT,
  attempts   INTEGER NOT NULL DEFAULT 0,
  event_id   TEXT COLLATE "C",
  started_at BIGINT NOT NULL,
  ended_at   BIGINT,
  PRIMARY KEY (run_id, position)
);
CREATE INDEX journal_event_waits ON journal (name) WHERE kind = 'event' AND status = 'pending';
CREATE INDEX journal_timers ON journal (deadline) WHERE status = 'pending' AND deadline IS NOT NULL;

-- History: every state change, time-stamped. The process log.
CREATE TABLE history (
  id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id   TEXT COLLATE "C" NOT NULL,
  type     TEXT NOT NULL,
  position INTEGER,
  at       BIGINT NOT NULL,
  data     TEXT
);
CREATE INDEX history_run ON history (run_id, id);

-- Human tasks.
CREATE TABLE tasks (
  id             TEXT COLLATE "C" PRIMARY KEY,
  run_id         TEXT COLLATE "C" NOT NULL,
  position       INTEGER NOT NULL,
  kind           TEXT NOT NULL,
  title          TEXT NOT NULL,
  role           TEXT NOT NULL,
  assignee       TEXT,
  data           TEXT,
  form           TEXT,
  outcomes       TEXT NOT NULL,
  status         TEXT NOT NULL,
  due_at         BIGINT,
  escalate_to    TEXT,
  escalated_at   BIGINT,
  delegated_from TEXT,
  claimed_by     TEXT,
  outcome        TEXT,
  "values"       TEXT,
  decided_by     TEXT,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  completed_at   BIGINT
);
CREATE INDEX tasks_role ON tasks (role, status);
CREATE INDEX tasks_assignee ON tasks (assignee, status) WHERE assignee IS NOT NULL;
CREATE INDEX tasks_due ON tasks (due_at) WHERE status IN ('open', 'claimed') AND due_at IS NOT NULL;
CREATE INDEX tasks_run ON tasks (run_id, position);

-- Inbound events delivered to the engine (matched by event waits, kept for the lookback window).
CREATE TABLE events (
  id          TEXT COLLATE "C" PRIMARY KEY,
  type        TEXT NOT NULL,
  source      TEXT,
  subject     TEXT,
  data        TEXT,
  received_at BIGINT NOT NULL
);
CREATE INDEX events_type_time ON events (type, received_at);

-- Transactional outbox of events emitted by workflows.
CREATE TABLE outbox (
  seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           TEXT COLLATE "C" NOT NULL UNIQUE,
  run_id       TEXT COLLATE "C" NOT NULL,
  position     INTEGER NOT NULL,
  type         TEXT NOT NULL,
  subject      TEXT,
  data         TEXT,
  created_at   BIGINT NOT NULL,
  published_at BIGINT
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;
