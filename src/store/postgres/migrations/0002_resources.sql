-- Limits of downstream resources shared by every worker process: held slots (concurrency) and a token
-- bucket per resource (rate). Slots expire, so a process that dies does not hold them forever.
CREATE TABLE resource_slots (
  name       TEXT NOT NULL,
  holder     TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (name, holder)
);

CREATE TABLE resource_buckets (
  name       TEXT PRIMARY KEY,
  tokens     DOUBLE PRECISION NOT NULL,
  updated_at BIGINT NOT NULL
);
