-- Rule governance: rule sets with immutable published versions, drafts awaiting review, and regional
-- overrides of single decisions. JSON values are the text JSON.stringify wrote; timestamps are epoch
-- milliseconds; identifiers use the "C" collation. The database itself refuses a publication approved
-- by its own author (maker-checker).

-- One row per rule set (a DMN definitions element); latest_version is the published head.
CREATE TABLE rule_sets (
  id             TEXT COLLATE "C" PRIMARY KEY,
  name           TEXT NOT NULL,
  latest_version INTEGER NOT NULL,
  created_at     BIGINT NOT NULL,
  created_by     TEXT NOT NULL,
  updated_at     BIGINT NOT NULL
);

-- Published versions 1, 2, 3, … per set: the whole definitions as JSON and as DMN 1.3 XML.
CREATE TABLE rule_versions (
  set_id       TEXT COLLATE "C" NOT NULL REFERENCES rule_sets (id),
  version      INTEGER NOT NULL,
  definitions  TEXT NOT NULL,
  dmn_xml      TEXT NOT NULL,
  author       TEXT NOT NULL,
  approved_by  TEXT NOT NULL,
  comment      TEXT,
  draft_id     TEXT,
  published_at BIGINT NOT NULL,
  PRIMARY KEY (set_id, version),
  CHECK (approved_by <> author)
);

-- Which set holds each decision in its latest version: a decision id belongs to one set only.
CREATE TABLE rule_decisions (
  decision_id TEXT COLLATE "C" PRIMARY KEY,
  set_id      TEXT COLLATE "C" NOT NULL REFERENCES rule_sets (id)
);

-- Proposed changes: a whole set (kind 'set') or one decision's regional override (kind 'override').
CREATE TABLE rule_drafts (
  id                TEXT COLLATE "C" PRIMARY KEY,
  kind              TEXT NOT NULL CHECK (kind IN ('set', 'override')),
  set_id            TEXT COLLATE "C" NOT NULL,
  decision_id       TEXT,
  region            TEXT,
  base_version      INTEGER NOT NULL,
  content           TEXT NOT NULL,
  dmn_xml           TEXT,
  author            TEXT NOT NULL,
  comment           TEXT,
  status            TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected')),
  proposed_at       BIGINT NOT NULL,
  reviewed_by       TEXT,
  reviewed_at       BIGINT,
  review_comment    TEXT,
  published_version INTEGER,
  CHECK (status <> 'approved' OR reviewed_by <> author)
);
CREATE INDEX rule_drafts_set ON rule_drafts (set_id, status, id);

-- Regional exceptions to one decision, versioned per (decision, region); a NULL table withdraws it.
CREATE TABLE rule_overrides (
  decision_id TEXT COLLATE "C" NOT NULL,
  region      TEXT COLLATE "C" NOT NULL,
  version     INTEGER NOT NULL,
  set_id      TEXT COLLATE "C" NOT NULL REFERENCES rule_sets (id),
  set_version INTEGER NOT NULL,
  table_json  TEXT,
  author      TEXT NOT NULL,
  approved_by TEXT NOT NULL,
  comment     TEXT,
  draft_id    TEXT NOT NULL,
  approved_at BIGINT NOT NULL,
  PRIMARY KEY (decision_id, region, version),
  CHECK (approved_by <> author)
);
CREATE INDEX rule_overrides_set ON rule_overrides (set_id, decision_id, region);
