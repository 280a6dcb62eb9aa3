-- Runs: one row per workflow execution, with its lease.
CREATE TABLE runs (
  id                TEXT PRIMARY KEY,
  workflow          TEXT NOT NULL,
  version           INTEGER NOT NULL,
  wf_key            TEXT NOT NULL,
  status            TEXT NOT NULL,
  input             TEXT,
  output            TEXT,
  error             TEXT,
  idempotency_key   TEXT UNIQUE,
  parent_id         TEXT,
  parent_position   INTEGER,
  queue             TEXT NOT NULL DEFAULT 'default',
  concurrency_key   TEXT,
  concurrency_limit INTEGER,
  next_at           INTEGER,
  lease_owner       TEXT,
  lease_until       INTEGER,
  lease_token       INTEGER NOT NULL DEFAULT 0,
  wake_seq          INTEGER NOT NULL DEFAULT 0,
  cancel_requested  INTEGER NOT NULL DEFAULT 0,
  claims            INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  started_at        INTEGER,
  ended_at          INTEGER
);
CREATE INDEX runs_next ON runs (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX runs_status ON runs (status, workflow, version);
CREATE INDEX runs_created ON runs (created_at);
CREATE INDEX runs_parent ON runs (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX runs_concurrency ON runs (concurrency_key, status) WHERE concurrency_key IS NOT NULL;

-- Search attributes (business keys) of runs.
CREATE TABLE run_tags (
  run_id TEXT NOT NULL,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX run_tags_lookup ON run_tags (key, value);

-- The journal: one row per durable call of a run, at its position.
CREATE TABLE journal (
  run_id     TEXT NOT NULL,
  position   INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  name       TEXT NOT NULL,
  status     TEXT NOT NULL,
  input      TEXT,
  result     TEXT,
  error      TEXT,
  deadline   INTEGER,
  attempts   INTEGER NOT NULL DEFAULT 0,
  event_id   TEXT,
  started_at INTEGER NOT NULL,
  ended_at   INTEGER,
  PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
CREATE INDEX journal_event_waits ON journal (name) WHERE kind = 'event' AND status = 'pending';
CREATE INDEX journal_timers ON journal (deadline) WHERE status = 'pending' AND deadline IS NOT NULL;

-- History: every state change, time-stamped. The process log.
CREATE TABLE history (
  id       INTEGER PRIMARY KEY,
  run_id   TEXT NOT NULL,
  type     TEXT NOT NULL,
  position INTEGER,
  at       INTEGER NOT NULL,
  data     TEXT
);
CREATE INDEX history_run ON history (run_id, id);

-- Human tasks.
CREATE TABLE tasks (
  id             TEXT PRIMARY KEY,
  run_id         TEXT NOT NULL,
  position       INTEGER NOT NULL,
  kind           TEXT NOT NULL,
  title          TEXT NOT NULL,
  role           TEXT NOT NULL,
  assignee       TEXT,
  data           TEXT,
  form           TEXT,
  outcomes       TEXT NOT NULL,
  status         TEXT NOT NULL,
  due_at         INTEGER,
  escalate_to    TEXT,
  escalated_at   INTEGER,
  delegated_from TEXT,
  claimed_by     TEXT,
  outcome        TEXT,
  "values"       TEXT,
  decided_by     TEXT,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  completed_at   INTEGER
);
CREATE INDEX tasks_role ON tasks (role, status);
CREATE INDEX tasks_assignee ON tasks (assignee, status) WHERE assignee IS NOT NULL;
CREATE INDEX tasks_due ON tasks (due_at) WHERE status IN ('open', 'claimed') AND due_at IS NOT NULL;
CREATE INDEX tasks_run ON tasks (run_id, position);

-- Inbound events delivered to the engine (matched by event waits, kept for the lookback window).
CREATE TABLE events (
  id          TEXT PRIMARY KEY,
  type        TEXT NOT NULL,
  source      TEXT,
  subject     TEXT,
  data        TEXT,
  received_at INTEGER NOT NULL
);
CREATE INDEX events_type_time ON events (type, received_at);

-- Transactional outbox of events emitted by workflows.
CREATE TABLE outbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  run_id       TEXT NOT NULL,
  position     INTEGER NOT NULL,
  type         TEXT NOT NULL,
  subject      TEXT,
  data         TEXT,
  created_at   INTEGER NOT NULL,
  published_at INTEGER
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;
