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
];
