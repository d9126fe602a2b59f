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
  {
    id: 3,
    name: 'operation log stored in chunks of consecutive records, with a chunk-level query index',
    sql: `
-- The operation log, stored for fast durable ingest (docs/log-protocol.md, "Storage"): one row per
-- CHUNK of up to 500 consecutive records of one terminal, all from the same batch. records is the JSON
-- array of the records without their hash — each exactly the canonical encoding the terminal hashed
-- (sorted keys, NFC) — and hashes their hashes (64 hex digits each, concatenated, in the same order);
-- last_seq/last_hash are the chunk's end (a terminal's head is the end of its last chunk);
-- min_at_ms/max_at_ms the range of the records' event times; received_at the arrival of the batch.
-- Records are read, verified and queried through src/server/store/log-records.ts; the view
-- log_records below shows one row per record for ad-hoc SQL.
CREATE TABLE log_chunks (
  id INTEGER PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
  last_seq INTEGER NOT NULL,
  last_hash TEXT NOT NULL,
  min_at_ms INTEGER NOT NULL,
  max_at_ms INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  hashes TEXT NOT NULL,
  records TEXT NOT NULL,
  CHECK (last_seq >= first_seq AND max_at_ms >= min_at_ms),
  CHECK (length(hashes) = 64 * (last_seq - first_seq + 1) AND last_hash = substr(hashes, -64)),
  UNIQUE (terminal_id, first_seq),
  UNIQUE (terminal_id, last_seq)
) STRICT;
CREATE INDEX log_chunks_by_time ON log_chunks (max_at_ms, min_at_ms);

-- What the per-record indexes by operator and by type did, per chunk: one row per operator and per
-- type occurring in a chunk, with the event-time range of those records. A query finds the chunks
-- here (or by time in log_chunks_by_time) and filters their records exactly (queryLogRecords).
CREATE TABLE log_chunk_index (
  kind TEXT NOT NULL CHECK (kind IN ('operator', 'type')),
  value TEXT NOT NULL,
  max_at_ms INTEGER NOT NULL,
  min_at_ms INTEGER NOT NULL,
  terminal_id TEXT NOT NULL,
  first_seq INTEGER NOT NULL,
  PRIMARY KEY (kind, value, max_at_ms, terminal_id, first_seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX log_chunk_index_by_chunk ON log_chunk_index (terminal_id, first_seq);

-- The records stored so far move into chunks of up to 500 (by seq), then the per-record table goes.
INSERT INTO log_chunks (terminal_id, first_seq, last_seq, last_hash, min_at_ms, max_at_ms, received_at, hashes, records)
SELECT terminal_id, min(seq), max(seq), json_group_array(hash ORDER BY seq) ->> '$[#-1]', min(at_ms), max(at_ms), max(received_at),
  group_concat(hash, '' ORDER BY seq),
  json_group_array(json_object('at', at, 'cardKeyId', card_key_id, 'clockOffsetMs', clock_offset_ms, 'detail', json(detail),
    'operatorId', operator_id, 'outcome', outcome, 'prevHash', prev_hash, 'seq', seq, 'terminalId', terminal_id, 'type', type) ORDER BY seq)
FROM log_records GROUP BY terminal_id, (seq - 1) / 500;
INSERT INTO log_chunk_index (kind, value, max_at_ms, min_at_ms, terminal_id, first_seq)
SELECT 'operator', r.operator_id, max(r.at_ms), min(r.at_ms), r.terminal_id, c.first_seq
FROM log_records r JOIN log_chunks c ON c.terminal_id = r.terminal_id AND r.seq BETWEEN c.first_seq AND c.last_seq
WHERE r.operator_id IS NOT NULL GROUP BY r.terminal_id, c.first_seq, r.operator_id;
INSERT INTO log_chunk_index (kind, value, max_at_ms, min_at_ms, terminal_id, first_seq)
SELECT 'type', r.type, max(r.at_ms), min(r.at_ms), r.terminal_id, c.first_seq
FROM log_records r JOIN log_chunks c ON c.terminal_id = r.terminal_id AND r.seq BETWEEN c.first_seq AND c.last_seq
GROUP BY r.terminal_id, c.first_seq, r.type;
DROP TABLE log_records;

-- Append-only, as log_records was: a chunk is never changed; it is deleted only by the retention
-- pruning, which first records the pruning (range, anchor, cutoff) and may delete only chunks inside
-- that range whose records are all older than the cutoff (by event time and arrival). A chunk must
-- start after everything stored or pruned for its terminal: no record is ever stored twice or
-- replaced (this also refuses INSERT OR REPLACE, which would delete without firing the delete trigger).
CREATE TRIGGER log_chunks_no_update BEFORE UPDATE ON log_chunks
  BEGIN SELECT RAISE(ABORT, 'log_chunks is append-only'); END;
CREATE TRIGGER log_chunks_delete_only_pruned BEFORE DELETE ON log_chunks
  WHEN NOT EXISTS (
    SELECT 1 FROM log_prunings p
    WHERE p.terminal_id = OLD.terminal_id AND OLD.first_seq >= p.from_seq AND OLD.last_seq <= p.to_seq
      AND OLD.max_at_ms < p.cutoff AND OLD.received_at < p.cutoff)
  BEGIN SELECT RAISE(ABORT, 'log_chunks: only the retention pruning deletes (see log_prunings)'); END;
CREATE TRIGGER log_chunks_no_replace BEFORE INSERT ON log_chunks
  WHEN NEW.first_seq <= (SELECT max(last_seq) FROM log_chunks WHERE terminal_id = NEW.terminal_id)
    OR NEW.first_seq <= (SELECT max(to_seq) FROM log_prunings WHERE terminal_id = NEW.terminal_id)
  BEGIN SELECT RAISE(ABORT, 'log_chunks: a stored record is never replaced (a chunk continues after what is stored)'); END;
CREATE TRIGGER log_chunk_index_no_update BEFORE UPDATE ON log_chunk_index
  BEGIN SELECT RAISE(ABORT, 'log_chunk_index is append-only'); END;
CREATE TRIGGER log_chunk_index_delete_with_chunk BEFORE DELETE ON log_chunk_index
  WHEN EXISTS (SELECT 1 FROM log_chunks c WHERE c.terminal_id = OLD.terminal_id AND c.first_seq = OLD.first_seq)
  BEGIN SELECT RAISE(ABORT, 'log_chunk_index: an entry goes only with its pruned chunk'); END;
CREATE TRIGGER log_chunk_index_no_replace BEFORE INSERT ON log_chunk_index
  WHEN EXISTS (SELECT 1 FROM log_chunk_index i WHERE i.terminal_id = NEW.terminal_id AND i.first_seq = NEW.first_seq AND i.kind = NEW.kind AND i.value = NEW.value)
  BEGIN SELECT RAISE(ABORT, 'log_chunk_index: an entry is never replaced'); END;

-- One row per stored record, for reading with SQL (slow on a large log: it expands every chunk).
CREATE VIEW log_records AS
SELECT c.terminal_id AS terminal_id, r.value ->> '$.seq' AS seq, substr(c.hashes, r.key * 64 + 1, 64) AS hash, r.value ->> '$.prevHash' AS prev_hash,
  r.value ->> '$.at' AS at, r.value ->> '$.clockOffsetMs' AS clock_offset_ms, r.value ->> '$.type' AS type, r.value ->> '$.outcome' AS outcome,
  r.value ->> '$.operatorId' AS operator_id, r.value ->> '$.cardKeyId' AS card_key_id, r.value -> '$.detail' AS detail, c.received_at AS received_at
FROM log_chunks c, json_each(c.records) r;
`,
  },
  {
    id: 4,
    name: 'resident directory: residents with a change-feed version, and the directory epoch',
    sql: `
-- The resident directory (issue 4): 本人確認情報 of every resident, current or removed (除票: moved
-- out, deceased), as the terminals replicate it (src/shared/resident-api.ts). Each write gives the
-- record the next version of the directory's counter (resident_directory.latest_version), so
-- "everything changed after version v" is a range scan of the UNIQUE index on version; a record changed
-- twice is served once, as its latest. history is the JSON array of the record's changes (異動履歴).
CREATE TABLE residents (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 40 AND id NOT GLOB '*[^A-Za-z0-9-]*'),
  code TEXT NOT NULL UNIQUE CHECK (length(code) = 11 AND code NOT GLOB '*[^0-9]*'),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  kana TEXT NOT NULL CHECK (length(kana) BETWEEN 1 AND 100),
  birth_date TEXT NOT NULL CHECK (birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
  address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
  household_id TEXT NOT NULL CHECK (length(household_id) <= 40),
  status TEXT NOT NULL CHECK (status IN ('resident', 'moved-out', 'deceased')),
  history TEXT NOT NULL CHECK (json_valid(history) AND json_type(history) = 'array' AND json_array_length(history) <= 50),
  version INTEGER NOT NULL UNIQUE CHECK (version >= 1),
  updated_at INTEGER NOT NULL
) STRICT;

-- One row: the directory's epoch (a new one when the directory is rebuilt from scratch: every
-- replica of another epoch must be rebuilt) and the last version handed out.
CREATE TABLE resident_directory (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch TEXT NOT NULL CHECK (length(epoch) BETWEEN 1 AND 64),
  latest_version INTEGER NOT NULL CHECK (latest_version >= 0),
  epoch_started_at INTEGER
) STRICT;
INSERT INTO resident_directory (id, epoch, latest_version, epoch_started_at) VALUES (1, lower(hex(randomblob(16))), 0, NULL);
CREATE TRIGGER resident_directory_no_delete BEFORE DELETE ON resident_directory
  BEGIN SELECT RAISE(ABORT, 'resident_directory: the row is never deleted'); END;
CREATE TRIGGER resident_directory_versions_only_grow BEFORE UPDATE OF latest_version ON resident_directory
  WHEN NEW.latest_version < OLD.latest_version
  BEGIN SELECT RAISE(ABORT, 'resident_directory: latest_version never goes back'); END;

-- A changed record takes a new, higher version from the directory's counter (src/server/store/
-- residents.ts advances the counter and writes in one transaction): a replica that has seen version
-- v has seen every change up to v. (Inserts are not checked here: a trigger per row would cost a
-- tenth of a million-resident seeding; a version beyond the counter collides with a later one.)
CREATE TRIGGER residents_version_from_counter_update BEFORE UPDATE ON residents
  WHEN NEW.version <= OLD.version OR NEW.version > (SELECT latest_version FROM resident_directory WHERE id = 1)
  BEGIN SELECT RAISE(ABORT, 'residents: an update takes a new version from resident_directory.latest_version'); END;
`,
  },
  {
    id: 5,
    name: 'search purpose categories maintained by the information-protection manager',
    sql: `
-- The categories of the purpose an operator states before a resident search (第22条6項, issue 4
-- item 2), maintained by the information-protection manager (set-purpose-category /
-- retire-purpose-category, src/server/admin/purpose-categories.ts) and sent to terminals with the
-- roster (the active ones, by sort_order). A retired category keeps its row (active = 0): log records
-- that name its id keep their meaning; rows are never deleted. changed_by: the manager's operator id,
-- 'migration-5' for the rows below. Every change is also in server_events.
CREATE TABLE purpose_categories (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 40 AND id NOT GLOB '*[^a-z0-9-]*' AND substr(id, 1, 1) <> '-'),
  label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 60),
  needs_case_number INTEGER NOT NULL CHECK (needs_case_number IN (0, 1)),
  active INTEGER NOT NULL CHECK (active IN (0, 1)),
  sort_order INTEGER NOT NULL,
  changed_by TEXT NOT NULL CHECK (length(changed_by) BETWEEN 1 AND 64),
  changed_at INTEGER NOT NULL
) STRICT;
CREATE TRIGGER purpose_categories_no_delete BEFORE DELETE ON purpose_categories
  BEGIN SELECT RAISE(ABORT, 'purpose_categories: a category is retired (active = 0), never deleted'); END;

-- The list a new installation starts with: DEFAULT_PURPOSE_CATEGORIES of src/domain/resident/purpose.ts
-- as it was when this migration was written (copied here: the migration never changes with the code).
INSERT INTO purpose_categories (id, label, needs_case_number, active, sort_order, changed_by, changed_at) VALUES
  ('juminhyo-copy', '住民票の写し等の交付', 1, 1, 10, 'migration-5', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('moving-in', '転入届', 1, 1, 20, 'migration-5', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('moving-out', '転出届', 1, 1, 30, 'migration-5', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('moving-within', '転居届', 1, 1, 40, 'migration-5', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('household-change', '世帯変更届', 1, 1, 50, 'migration-5', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('seal-registration', '印鑑登録・印鑑登録証明書の交付', 1, 1, 60, 'migration-5', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('my-number-card', 'マイナンバーカードの交付・更新', 1, 1, 70, 'migration-5', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('identity-check', '本人確認（窓口）', 0, 1, 80, 'migration-5', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('family-register-inquiry', '戸籍関連の照会', 0, 1, 90, 'migration-5', CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('other-section-inquiry', '税・保険の照会（他課からの依頼）', 0, 1, 100, 'migration-5', CAST(strftime('%s', 'now') AS INTEGER) * 1000);
`,
  },
  {
    id: 6,
    name: 'administration: admin sessions by operator card, emergency stops, forced password change, terminal app version',
    sql: `
-- Administration over HTTP (issue 6, src/server/services/admin-session.ts). A challenge is a random
-- nonce a terminal asks for; the manager's or system administrator's card signs it (bound to the
-- terminal and the challenge id) to open an admin session. Single use, short-lived.
CREATE TABLE admin_challenges (
  id TEXT PRIMARY KEY CHECK (length(id) = 32),
  terminal_id TEXT NOT NULL REFERENCES terminals (id),
  nonce BLOB NOT NULL CHECK (length(nonce) = 32),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  CHECK (expires_at > created_at)
) STRICT;
CREATE INDEX admin_challenges_by_expiry ON admin_challenges (expires_at);

-- An admin session: only SHA-256 of its bearer token is stored. Bound to the terminal it was opened
-- on, to the operator and to the card that signed. idle_expires_at moves on with each use, never
-- past expires_at; ended_at is set by sign-out or when the holder is no longer entitled.
CREATE TABLE admin_sessions (
  id TEXT PRIMARY KEY CHECK (length(id) = 32),
  token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
  terminal_id TEXT NOT NULL REFERENCES terminals (id),
  operator_id TEXT NOT NULL REFERENCES operators (id),
  card_key_id TEXT NOT NULL REFERENCES cards (key_id),
  role TEXT NOT NULL CHECK (role IN ('manager', 'sysadmin')),
  challenge_id TEXT NOT NULL UNIQUE REFERENCES admin_challenges (id),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  idle_expires_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ended_at INTEGER,
  end_reason TEXT,
  CHECK (idle_expires_at <= expires_at),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
) STRICT;

-- Emergency stops (第35条): every terminal (terminal_id NULL) or one terminal is to lock at its next
-- contact until an authorised person clears the stop. Rows are never deleted.
CREATE TABLE emergency_stops (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  terminal_id TEXT REFERENCES terminals (id),
  reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
  set_by TEXT NOT NULL REFERENCES operators (id),
  set_at INTEGER NOT NULL,
  cleared_by TEXT REFERENCES operators (id),
  cleared_at INTEGER,
  clear_reason TEXT,
  CHECK ((cleared_at IS NULL) = (cleared_by IS NULL) AND (cleared_at IS NULL) = (clear_reason IS NULL))
) STRICT;
CREATE TRIGGER emergency_stops_no_delete BEFORE DELETE ON emergency_stops
  BEGIN SELECT RAISE(ABORT, 'emergency_stops: a stop is cleared, never deleted'); END;

-- "Force a password change" (第18条2項(2): 必要に応じて変更): the password stays, but it must be changed
-- at the next sign-in; terminals see it as expired from this time on. A new password clears it.
ALTER TABLE operators ADD COLUMN password_change_required_at INTEGER;

-- The app version a terminal reports (optional header X-App-Version) with its last contact.
ALTER TABLE terminals ADD COLUMN app_version TEXT CHECK (app_version IS NULL OR length(app_version) <= 40);
`,
  },
  {
    id: 7,
    name: 'terminal-log-backlog',
    // What a terminal says it still holds unsent (issue 6 item 7: each terminal's sync backlog): the
    // count and the time of the oldest, reported with each log-cursor request, and when it said so.
    sql: `
ALTER TABLE terminals ADD COLUMN log_backlog INTEGER CHECK (log_backlog IS NULL OR log_backlog >= 0);
ALTER TABLE terminals ADD COLUMN log_backlog_oldest_at INTEGER;
ALTER TABLE terminals ADD COLUMN log_backlog_reported_at INTEGER;
`,
  },
  {
    id: 8,
    name: 'operation-log query index for the audit log explorer',
    // The log explorer's index (issue 5, src/server/services/log-indexer.ts): built OUTSIDE the ingest
    // transaction by the server's background indexer from the stored chunks, so ingest does not slow
    // down. One compact row per record, terms (terminal, type, operator, card, purpose category)
    // dictionary-coded as small integers; one row per resident a record touched; a high-water mark per
    // terminal. Derived data: it can be dropped and rebuilt at any time (npm run server -- index-log).
    sql: `
CREATE TABLE log_index_terms (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('terminal', 'type', 'operator', 'card', 'purpose')),
  value TEXT NOT NULL,
  UNIQUE (kind, value)
) STRICT;

-- outcome: 0 success, 1 failure, 2 info. case_number: 1 a case number was given, 0 the record names a
-- purpose without one, NULL the record carries no purpose. id is the order of indexing (a paging
-- snapshot is "id <= the highest id when the first page was read").
CREATE TABLE log_index_records (
  id INTEGER PRIMARY KEY,
  terminal INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  type INTEGER NOT NULL,
  outcome INTEGER NOT NULL CHECK (outcome IN (0, 1, 2)),
  operator INTEGER,
  card INTEGER,
  purpose INTEGER,
  case_number INTEGER CHECK (case_number IN (0, 1)),
  UNIQUE (terminal, seq)
) STRICT;
-- Every explorer query is "a period, newest first" plus filters; each index ends in at_ms (and the
-- implicit rowid), so a filtered page is a short backwards range scan.
CREATE INDEX log_index_records_by_at ON log_index_records (at_ms);
CREATE INDEX log_index_records_by_terminal ON log_index_records (terminal, at_ms);
CREATE INDEX log_index_records_by_operator ON log_index_records (operator, at_ms) WHERE operator IS NOT NULL;
CREATE INDEX log_index_records_by_type ON log_index_records (type, at_ms);
CREATE INDEX log_index_records_by_purpose ON log_index_records (purpose, at_ms) WHERE purpose IS NOT NULL;

-- Who looked at a resident: one row per (resident, record) from detail.residentId and detail.shownIds.
CREATE TABLE log_index_residents (
  resident_id TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  record INTEGER NOT NULL,
  PRIMARY KEY (resident_id, at_ms, record)
) STRICT, WITHOUT ROWID;

-- How far each terminal's log is indexed (records seq <= indexed_seq), and up to where pruned records
-- were taken out of the index again.
CREATE TABLE log_index_progress (
  terminal_id TEXT PRIMARY KEY,
  indexed_seq INTEGER NOT NULL CHECK (indexed_seq >= 0),
  pruned_seq INTEGER NOT NULL DEFAULT 0 CHECK (pruned_seq >= 0),
  indexed_at INTEGER NOT NULL
) STRICT;
`,
  },
  {
    id: 9,
    name: 'spot-check findings: operator residence link, flagged records, rule configuration, index detail columns',
    // Issue 5 items 1 and 3 (src/server/audit/findings.ts). operators.resident_id: the operator's own
    // record in the resident directory (relation rules: self, household, same address). resident_flags:
    // records the manager flagged (DV support measures, public figures, …): any access from started_at
    // on is a finding; a flag is withdrawn, never deleted. audit_config: the one stored rule
    // configuration (JSON of AuditConfig overrides). Two columns of the log query index carry what the
    // findings rules read besides the coded terms, so findings never parse the stored JSON: detail_text
    // (purpose.stated: its case number, else its note; a resident access: its case number;
    // signin.refused: its reason) and resident_ids (the residents an access touched, comma-separated).
    // The index is derived data: it is emptied here and rebuilt by the background indexer.
    sql: `
ALTER TABLE operators ADD COLUMN resident_id TEXT CHECK (resident_id IS NULL OR (length(resident_id) BETWEEN 1 AND 40 AND resident_id NOT GLOB '*[^A-Za-z0-9-]*'));

CREATE TABLE resident_flags (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  resident_id TEXT NOT NULL CHECK (length(resident_id) BETWEEN 1 AND 40 AND resident_id NOT GLOB '*[^A-Za-z0-9-]*'),
  label TEXT NOT NULL CHECK (label IN ('dv-support', 'public-figure', 'other')),
  reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
  started_at INTEGER NOT NULL,
  set_by TEXT NOT NULL REFERENCES operators (id),
  set_at INTEGER NOT NULL,
  withdrawn_by TEXT REFERENCES operators (id),
  withdrawn_at INTEGER,
  withdraw_reason TEXT,
  CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL) AND (withdrawn_at IS NULL) = (withdraw_reason IS NULL))
) STRICT;
CREATE INDEX resident_flags_by_resident ON resident_flags (resident_id);
CREATE TRIGGER resident_flags_no_delete BEFORE DELETE ON resident_flags
  BEGIN SELECT RAISE(ABORT, 'resident_flags: a flag is withdrawn, never deleted'); END;

CREATE TABLE audit_config (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  config TEXT NOT NULL CHECK (json_valid(config)),
  changed_by TEXT REFERENCES operators (id),
  changed_at INTEGER NOT NULL
) STRICT;

ALTER TABLE log_index_records ADD COLUMN detail_text TEXT;
ALTER TABLE log_index_records ADD COLUMN resident_ids TEXT;
DELETE FROM log_index_residents;
DELETE FROM log_index_records;
DELETE FROM log_index_progress;
`,
  },
  {
    id: 10,
    name: 'spot-check samples and verdicts, confirmed card returns',
    // Issue 5 items 4 and 5 (src/server/audit/samples.ts, card-returns.ts). A sample: the searches of a
    // period drawn by weight (src/domain/audit/sampling.ts) with the seed, so the draw can be repeated;
    // its items copy what the row was (time, operator, purpose, case number given) and the findings
    // that weighted it. Verdicts (適正 / 要確認 / 不適正) are append-only: a changed verdict is a new row.
    // Kept with the log: a verdict or an item may go only once the record it judges has been pruned
    // by the retention (log_prunings covers it and the row is older than that pruning's cutoff), never
    // before. A card return confirmation: the physical return of the card of one lending (the sign-in
    // at terminal_id/lent_seq) seen by a manager or system administrator; once per lending. Every draw,
    // verdict and confirmation is also in server_events.
    sql: `
CREATE TABLE spot_check_samples (
  id TEXT PRIMARY KEY CHECK (id GLOB 'smp-[0-9a-f]*' AND length(id) = 20),
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  size INTEGER NOT NULL CHECK (size BETWEEN 1 AND 200),
  seed TEXT NOT NULL CHECK (length(seed) BETWEEN 1 AND 64),
  population INTEGER NOT NULL CHECK (population >= 0),
  risky_population INTEGER NOT NULL CHECK (risky_population BETWEEN 0 AND population),
  weights TEXT NOT NULL CHECK (json_valid(weights)),
  drawn_by TEXT NOT NULL REFERENCES operators (id),
  drawn_at INTEGER NOT NULL,
  via_terminal TEXT,
  session_id TEXT,
  CHECK (to_ms >= from_ms)
) STRICT;
CREATE INDEX spot_check_samples_by_drawn ON spot_check_samples (drawn_at);
CREATE TRIGGER spot_check_samples_no_update BEFORE UPDATE ON spot_check_samples
  BEGIN SELECT RAISE(ABORT, 'spot_check_samples is append-only'); END;
CREATE TRIGGER spot_check_samples_delete_when_empty BEFORE DELETE ON spot_check_samples
  WHEN EXISTS (SELECT 1 FROM spot_check_items i WHERE i.sample_id = OLD.id)
  BEGIN SELECT RAISE(ABORT, 'spot_check_samples: a sample goes only after all its items'); END;

CREATE TABLE spot_check_items (
  sample_id TEXT NOT NULL REFERENCES spot_check_samples (id),
  position INTEGER NOT NULL CHECK (position >= 1),
  terminal_id TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  at_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  operator_id TEXT,
  purpose_category TEXT,
  has_case_number INTEGER CHECK (has_case_number IN (0, 1)),
  weight REAL NOT NULL CHECK (weight > 0),
  findings TEXT NOT NULL CHECK (json_valid(findings) AND json_type(findings) = 'array'),
  PRIMARY KEY (sample_id, position),
  UNIQUE (sample_id, terminal_id, seq)
) STRICT;
CREATE INDEX spot_check_items_by_record ON spot_check_items (terminal_id, seq);
CREATE TRIGGER spot_check_items_no_update BEFORE UPDATE ON spot_check_items
  BEGIN SELECT RAISE(ABORT, 'spot_check_items is append-only'); END;
CREATE TRIGGER spot_check_items_delete_only_pruned BEFORE DELETE ON spot_check_items
  WHEN NOT EXISTS (SELECT 1 FROM log_prunings p WHERE p.terminal_id = OLD.terminal_id AND OLD.seq BETWEEN p.from_seq AND p.to_seq AND OLD.at_ms < p.cutoff)
    OR EXISTS (SELECT 1 FROM spot_check_verdicts v WHERE v.sample_id = OLD.sample_id AND v.terminal_id = OLD.terminal_id AND v.seq = OLD.seq)
  BEGIN SELECT RAISE(ABORT, 'spot_check_items: kept with the log (only after the judged record was pruned, and after its verdicts)'); END;

CREATE TABLE spot_check_verdicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sample_id TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('appropriate', 'needs-check', 'inappropriate')),
  comment TEXT CHECK (comment IS NULL OR length(comment) BETWEEN 1 AND 500),
  judged_by TEXT NOT NULL REFERENCES operators (id),
  at INTEGER NOT NULL,
  via_terminal TEXT,
  session_id TEXT,
  CHECK (verdict = 'appropriate' OR comment IS NOT NULL),
  FOREIGN KEY (sample_id, terminal_id, seq) REFERENCES spot_check_items (sample_id, terminal_id, seq)
) STRICT;
CREATE INDEX spot_check_verdicts_by_item ON spot_check_verdicts (sample_id, terminal_id, seq, id);
CREATE INDEX spot_check_verdicts_by_at ON spot_check_verdicts (at);
CREATE TRIGGER spot_check_verdicts_no_update BEFORE UPDATE ON spot_check_verdicts
  BEGIN SELECT RAISE(ABORT, 'spot_check_verdicts is append-only (a changed verdict is a new row)'); END;
CREATE TRIGGER spot_check_verdicts_delete_only_pruned BEFORE DELETE ON spot_check_verdicts
  WHEN NOT EXISTS (
    SELECT 1 FROM log_prunings p JOIN spot_check_items i ON i.sample_id = OLD.sample_id AND i.terminal_id = OLD.terminal_id AND i.seq = OLD.seq
    WHERE p.terminal_id = OLD.terminal_id AND OLD.seq BETWEEN p.from_seq AND p.to_seq AND i.at_ms < p.cutoff AND OLD.at < p.cutoff)
  BEGIN SELECT RAISE(ABORT, 'spot_check_verdicts: kept with the log (only after the judged record was pruned)'); END;

CREATE TABLE card_return_confirmations (
  terminal_id TEXT NOT NULL,
  lent_seq INTEGER NOT NULL CHECK (lent_seq >= 1),
  lent_at_ms INTEGER NOT NULL,
  operator_id TEXT,
  card_key_id TEXT,
  confirmed_by TEXT NOT NULL REFERENCES operators (id),
  confirmed_at INTEGER NOT NULL,
  note TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 200),
  log_ended INTEGER NOT NULL CHECK (log_ended IN (0, 1)),
  via_terminal TEXT,
  session_id TEXT,
  PRIMARY KEY (terminal_id, lent_seq)
) STRICT;
CREATE TRIGGER card_return_confirmations_no_update BEFORE UPDATE ON card_return_confirmations
  BEGIN SELECT RAISE(ABORT, 'card_return_confirmations is append-only'); END;
CREATE TRIGGER card_return_confirmations_delete_only_pruned BEFORE DELETE ON card_return_confirmations
  WHEN NOT EXISTS (SELECT 1 FROM log_prunings p WHERE p.terminal_id = OLD.terminal_id AND OLD.lent_seq BETWEEN p.from_seq AND p.to_seq AND OLD.lent_at_ms < p.cutoff AND OLD.confirmed_at < p.cutoff)
  BEGIN SELECT RAISE(ABORT, 'card_return_confirmations: kept with the log (only after the lending was pruned)'); END;
`,
  },
  {
    id: 11,
    name: 'log index: explorer filter by outcome',
    // The explorer's outcome filter (e.g. every failure of a quarter) had no index of its own and
    // scanned the period's rows: ~300 ms for 3 months at 20 terminals, the p95 of the explorer bench.
    sql: `
CREATE INDEX log_index_records_by_outcome ON log_index_records (outcome, at_ms);
`,
  },
  {
    id: 12,
    name: 'log index for the findings: searches and views per operator and day, rows without a proven case number',
    // The volume rule of the findings (issue 5, src/server/audit/findings-feed.ts) compares each
    // operator's searches+views of a day with their earlier days: counted here per JST day (day =
    // (at_ms + 9 h) / 1 day) as the index is written (store/log-index.ts insertIndexEntries adds, the
    // pruning's deletePrunedIndexRows subtracts, clearLogIndex empties), instead of counting months of
    // index rows on every check. A search counts when it succeeded (outcome 0), a view always; only
    // records with an operator. Derived data like the rest of the index: filled here from the rows
    // already indexed. And a partial index of the rows without a proven case number (the purpose
    // rules' candidates), so the findings do not scan every access of the period for them.
    sql: `
CREATE TABLE log_index_lookup_days (
  day INTEGER NOT NULL,
  operator INTEGER NOT NULL,
  lookups INTEGER NOT NULL CHECK (lookups >= 0),
  PRIMARY KEY (day, operator)
) STRICT, WITHOUT ROWID;
INSERT INTO log_index_lookup_days (day, operator, lookups)
  SELECT (at_ms + 32400000) / 86400000, operator, count(*) FROM log_index_records
  WHERE operator IS NOT NULL AND (
    type IN (SELECT id FROM log_index_terms WHERE kind = 'type' AND value = 'resident.viewed')
    OR (type IN (SELECT id FROM log_index_terms WHERE kind = 'type' AND value = 'resident.search') AND outcome = 0))
  GROUP BY 1, 2;

-- The rows whose case number is not proven (none, or one that may be a placeholder such as 0000:
-- fewer than two different letters or digits): what the purpose rules look at (findings-feed.ts
-- UNPROVEN_SQL, which must stay this exact expression for the index to be used).
CREATE INDEX log_index_records_unproven ON log_index_records (type, at_ms)
  WHERE (case_number IS NOT 1 OR detail_text IS NULL OR NOT (substr(detail_text, 1, 1) GLOB '[0-9A-Za-z]' AND replace(detail_text, substr(detail_text, 1, 1), '') GLOB '*[0-9A-Za-z]*'));
`,
  },
  {
    id: 13,
    name: 'findings: views with their operator and residents in one index, chunk receipts by time with their terminal',
    // Two reads of every findings request (issue 5) that went from an index to the table row by row:
    // the period's views with operator and residents (the many-operators rule, ~90,000 rows a month
    // at 20 terminals: ~0.4 s, more when the month's pages are not in memory) and the last receipt
    // per terminal in the 62 days before the check (the stale-sync rule: one large log_chunks row per
    // batch, ~1,700 scattered page reads, ~0.25 s on a cold cache). Both now read only their index.
    // ~530 MB more on a 20M-record log.
    sql: `
CREATE INDEX log_index_records_views ON log_index_records (type, at_ms, operator, resident_ids) WHERE operator IS NOT NULL;
CREATE INDEX log_chunks_receipts ON log_chunks (max_at_ms, received_at, terminal_id);
`,
  },
];
