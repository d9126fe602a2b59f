// Numbered schema migrations. A released migration is NEVER edited: add a new one instead.
// The runner stores a checksum of each applied migration and refuses to start if one changed.

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE operators (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kana TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role IN ('operator', 'manager', 'sysadmin')),
  approved_by TEXT NOT NULL,
  since INTEGER NOT NULL,
  until INTEGER,
  status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
  password_hash TEXT NOT NULL,
  password_set_at INTEGER NOT NULL,
  password_temporary INTEGER NOT NULL CHECK (password_temporary IN (0, 1)),
  failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_out INTEGER NOT NULL DEFAULT 0 CHECK (locked_out IN (0, 1)),
  locked_out_at INTEGER,
  CHECK ((locked_out = 1) = (locked_out_at IS NOT NULL))
) STRICT;

CREATE TABLE cards (
  key_id TEXT PRIMARY KEY CHECK (length(key_id) = 64),
  certificate_der BLOB NOT NULL,
  operator_id TEXT NOT NULL REFERENCES operators (id),
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
  issued_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revoked_reason TEXT,
  CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
) STRICT;
-- One ACTIVE card per operator (第17条3項・6項: 1名につき1枚).
CREATE UNIQUE INDEX cards_one_active_per_operator ON cards (operator_id) WHERE status = 'active';
CREATE INDEX cards_by_operator ON cards (operator_id);

CREATE TABLE terminals (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_sha256 TEXT NOT NULL CHECK (length(secret_sha256) = 64),
  registered_at INTEGER NOT NULL,
  retired_at INTEGER,
  last_contact_at INTEGER
) STRICT;

CREATE TABLE calendar_exceptions (
  id TEXT PRIMARY KEY,
  date TEXT NOT NULL,
  opens_at TEXT NOT NULL,
  closes_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  approved_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

-- Idempotency: the answer given to each request id, replayed when the request is resent.
CREATE TABLE processed_requests (
  request_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  body_sha256 TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  response_json TEXT NOT NULL CHECK (json_valid(response_json)),
  processed_at INTEGER NOT NULL
) STRICT;

-- What the server served or changed. Append-only.
CREATE TABLE server_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  terminal_id TEXT,
  operator_id TEXT,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL CHECK (json_valid(detail))
) STRICT;
CREATE INDEX server_events_by_at ON server_events (at);
CREATE INDEX server_events_by_operator ON server_events (operator_id, at);
CREATE TRIGGER server_events_no_update BEFORE UPDATE ON server_events
  BEGIN SELECT RAISE(ABORT, 'server_events is append-only'); END;
CREATE TRIGGER server_events_no_delete BEFORE DELETE ON server_events
  BEGIN SELECT RAISE(ABORT, 'server_events is append-only'); END;
`,
  },
  {
    id: 2,
    name: 'operation log: records, retention prunings, integrity alerts, signed checkpoints',
    sql: `
-- Every terminal's operation log (issue 3), stored in order and verified on arrival
-- (src/server/services/log-ingest.ts). The hash covers the record exactly as the terminal sent it:
-- \`at\` is kept as sent, \`at_ms\` is the same instant for queries, \`detail\` is the JSON object.
CREATE TABLE log_records (
  terminal_id TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'info')),
  operator_id TEXT,
  card_key_id TEXT,
  clock_offset_ms INTEGER NOT NULL,
  detail TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (terminal_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX log_records_by_at ON log_records (at_ms);
CREATE INDEX log_records_by_operator ON log_records (operator_id, at_ms) WHERE operator_id IS NOT NULL;
CREATE INDEX log_records_by_type ON log_records (type, at_ms);

-- Retention (src/server/services/log-retention.ts): what was pruned, and the anchor the chain
-- continues from (the hash of record to_seq). Append-only.
CREATE TABLE log_prunings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  terminal_id TEXT NOT NULL,
  from_seq INTEGER NOT NULL CHECK (from_seq >= 1),
  to_seq INTEGER NOT NULL,
  anchor_hash TEXT NOT NULL CHECK (length(anchor_hash) = 64),
  records INTEGER NOT NULL,
  cutoff INTEGER NOT NULL,
  retention_days INTEGER NOT NULL CHECK (retention_days >= 1),
  CHECK (to_seq >= from_seq AND records = to_seq - from_seq + 1 AND cutoff <= at - retention_days * 86400000)
) STRICT;
CREATE INDEX log_prunings_by_terminal ON log_prunings (terminal_id, to_seq);
CREATE TRIGGER log_prunings_no_update BEFORE UPDATE ON log_prunings
  BEGIN SELECT RAISE(ABORT, 'log_prunings is append-only'); END;
CREATE TRIGGER log_prunings_no_delete BEFORE DELETE ON log_prunings
  BEGIN SELECT RAISE(ABORT, 'log_prunings is append-only'); END;

-- A stored record is never changed; it is deleted only by the retention pruning, which first
-- records the pruning (range, anchor, cutoff) and may delete only old records inside that range.
-- (INSERT OR REPLACE would delete without firing this trigger: the insert trigger refuses it.)
CREATE TRIGGER log_records_no_update BEFORE UPDATE ON log_records
  BEGIN SELECT RAISE(ABORT, 'log_records is append-only'); END;
CREATE TRIGGER log_records_delete_only_pruned BEFORE DELETE ON log_records
  WHEN NOT EXISTS (
    SELECT 1 FROM log_prunings p
    WHERE p.terminal_id = OLD.terminal_id AND OLD.seq BETWEEN p.from_seq AND p.to_seq
      AND OLD.at_ms < p.cutoff AND OLD.received_at < p.cutoff)
  BEGIN SELECT RAISE(ABORT, 'log_records: only the retention pruning deletes (see log_prunings)'); END;
CREATE TRIGGER log_records_no_replace BEFORE INSERT ON log_records
  WHEN EXISTS (SELECT 1 FROM log_records r WHERE r.terminal_id = NEW.terminal_id AND r.seq = NEW.seq)
  BEGIN SELECT RAISE(ABORT, 'log_records: a stored record is never replaced'); END;

-- Refused batches that break the chain rule (gap, conflict, broken link, hash mismatch, another
-- terminal's records) and other integrity findings. Also written to server_events. Append-only.
CREATE TABLE integrity_alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  terminal_id TEXT,
  kind TEXT NOT NULL,
  seq INTEGER,
  detail TEXT NOT NULL CHECK (json_valid(detail))
) STRICT;
CREATE INDEX integrity_alerts_by_at ON integrity_alerts (at);
CREATE TRIGGER integrity_alerts_no_update BEFORE UPDATE ON integrity_alerts
  BEGIN SELECT RAISE(ABORT, 'integrity_alerts is append-only'); END;
CREATE TRIGGER integrity_alerts_no_delete BEFORE DELETE ON integrity_alerts
  BEGIN SELECT RAISE(ABORT, 'integrity_alerts is append-only'); END;

-- Signed checkpoints (src/server/services/log-checkpoints.ts): every terminal's head and a digest
-- of server_events, chained to the previous checkpoint, signed with the server's Ed25519 key.
CREATE TABLE log_checkpoints (
  id INTEGER PRIMARY KEY CHECK (id >= 1),
  at INTEGER NOT NULL,
  previous_hash TEXT NOT NULL CHECK (length(previous_hash) = 64),
  heads TEXT NOT NULL CHECK (json_valid(heads)),
  events_last_id INTEGER NOT NULL,
  events_digest TEXT NOT NULL CHECK (length(events_digest) = 64),
  key_id TEXT NOT NULL CHECK (length(key_id) = 64),
  hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
  signature TEXT NOT NULL
) STRICT;
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
  BEGIN SELECT RAISE(ABORT, 'log_checkpoints is append-only'); END;
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
  BEGIN SELECT RAISE(ABORT, 'log_checkpoints is append-only'); END;
`,
  },
];
