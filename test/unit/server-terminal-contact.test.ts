// Last contact is written at most once a second per terminal (src/server/http/terminal-auth.ts,
// contactWorthRecording): every request authenticates, and each UPDATE of last_contact_at outside a
// transaction is a durable commit of its own. Real SQLite in a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerTerminal } from '../../src/server/admin/register-terminal';
import { openServerDb, type ServerDb } from '../../src/server/db/open';
import { authenticateTerminal, LAST_CONTACT_RESOLUTION_MS } from '../../src/server/http/terminal-auth';
import { getTerminal } from '../../src/server/store/terminals';

describe('last contact of a terminal', () => {
  let dir: string;
  let db: ServerDb;
  const clock = { t: Date.parse('2026-04-06T00:30:00.000Z'), now: () => clock.t };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kumiyama-contact-'));
    db = openServerDb(dir).db;
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const changes = (): number => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

  it('is written on first contact, then only when a second has passed, the clock went back, or the version changed', () => {
    const credential = registerTerminal(db, { name: '窓口1', id: 'term-contact', serverUrl: 'http://127.0.0.1:1', clock });
    const header = `Terminal ${credential.terminalId}:${credential.secret}`;
    const auth = (at: number, version?: string) => {
      const before = changes();
      const terminal = authenticateTerminal(db, header, at, '/api/v1/roster', version);
      if (typeof terminal === 'string') throw new Error(terminal);
      // What the request sees is always the time of this contact.
      expect(terminal.lastContactAt).toBe(at);
      return { wrote: changes() - before, stored: getTerminal(db, credential.terminalId)!.lastContactAt };
    };
    const t0 = clock.t;
    expect(auth(t0)).toEqual({ wrote: 1, stored: t0 });
    expect(auth(t0 + 10)).toEqual({ wrote: 0, stored: t0 });
    expect(auth(t0 + LAST_CONTACT_RESOLUTION_MS - 1)).toEqual({ wrote: 0, stored: t0 });
    expect(auth(t0 + LAST_CONTACT_RESOLUTION_MS)).toEqual({ wrote: 1, stored: t0 + LAST_CONTACT_RESOLUTION_MS });
    // A clock set back is recorded at once (the stored time must not stay in the future).
    expect(auth(t0 + 5)).toEqual({ wrote: 1, stored: t0 + 5 });
    // A new app version is recorded at once, and then the same version is not a reason to write.
    expect(auth(t0 + 6, '1.2.3')).toEqual({ wrote: 1, stored: t0 + 6 });
    expect(getTerminal(db, credential.terminalId)!.appVersion).toBe('1.2.3');
    expect(auth(t0 + 7, '1.2.3')).toEqual({ wrote: 0, stored: t0 + 6 });
  });
});
