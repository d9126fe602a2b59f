// Registers a service terminal and produces its credential file (the secret exists only there;
// the server keeps its SHA-256).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { TerminalCredentialSchema, TerminalIdSchema, type TerminalCredential } from '../../shared/server-api';
import type { Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { generateTerminalSecret, getTerminal, insertTerminal, retireTerminal as retireTerminalRow } from '../store/terminals';
import { actorDetail, type AdminVia } from './actor';
import { AdminError } from './admin-error';
import { requirePermitted } from './authorize';
import { checkedReason } from './reason';

/** Over HTTP (issue 6): the system administrator who acts, why, and through which terminal and session. */
export interface TerminalAdminActor {
  by: string;
  reason: string;
  via: AdminVia;
}

function checkedActor(db: ServerDb, actor: TerminalAdminActor | undefined, action: 'terminals.register' | 'terminals.retire'): Record<string, unknown> {
  if (!actor) return {};
  const admin = requirePermitted(db, actor.by, action);
  return { reason: checkedReason(actor.reason), ...actorDetail(admin, actor.via) };
}

export function registerTerminal(
  db: ServerDb,
  args: { name: string; id?: string; serverUrl: string; clock: Clock; actor?: TerminalAdminActor },
): TerminalCredential {
  const id = args.id ?? `term-${randomBytes(4).toString('hex')}`;
  if (!TerminalIdSchema.safeParse(id).success) {
    throw new AdminError('bad-terminal-id', `端末ID ${id} は英小文字・数字・ハイフンで指定してください`, `terminal id must be lowercase letters, digits and hyphens`);
  }
  const name = args.name.trim();
  if (name.length < 1 || name.length > 100) {
    throw new AdminError('bad-terminal-name', '端末名は1〜100文字で指定してください', 'terminal name must be 1-100 characters');
  }
  const secret = generateTerminalSecret();
  const credential = TerminalCredentialSchema.parse({
    format: 'kumiyama-terminal-credential/1',
    terminalId: id,
    terminalName: name,
    secret,
    serverUrl: args.serverUrl,
  });
  db.transaction(() => {
    const actor = checkedActor(db, args.actor, 'terminals.register');
    if (getTerminal(db, id)) throw new AdminError('terminal-exists', `端末ID ${id} は登録済みです`, `terminal ${id} is already registered`);
    const now = args.clock.now();
    insertTerminal(db, { id, name, secret, registeredAt: now });
    recordEvent(db, { at: now, terminalId: id, operatorId: args.actor?.by ?? null, kind: 'terminal-registered', detail: { name, ...actor, ...viaTerminal(args.actor) } });
  }).immediate();
  return credential;
}

export function retireTerminal(db: ServerDb, args: { terminalId: string; clock: Clock; actor?: TerminalAdminActor }): void {
  db.transaction(() => {
    const actor = checkedActor(db, args.actor, 'terminals.retire');
    const terminal = getTerminal(db, args.terminalId);
    if (!terminal) throw new AdminError('unknown-terminal', `端末 ${args.terminalId} は登録されていません`, `terminal ${args.terminalId} is not registered`);
    const now = args.clock.now();
    if (!retireTerminalRow(db, terminal.id, now)) {
      throw new AdminError('terminal-retired', `端末 ${terminal.id} は既に廃止されています`, `terminal ${terminal.id} is already retired`);
    }
    recordEvent(db, {
      at: now,
      terminalId: terminal.id,
      operatorId: args.actor?.by ?? null,
      kind: 'terminal-retired',
      detail: { name: terminal.name, ...actor, ...viaTerminal(args.actor) },
    });
  }).immediate();
}

/** The terminal column names the registered/retired terminal; the one the admin used goes into the detail. */
function viaTerminal(actor: TerminalAdminActor | undefined): Record<string, unknown> {
  return actor ? { viaTerminalId: actor.via.terminalId } : {};
}

/** Writes a credential file readable by its owner only. `exclusive` refuses to overwrite. */
export function writeCredentialFile(path: string, credential: TerminalCredential, options: { exclusive: boolean }): void {
  writeFileSync(path, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600, flag: options.exclusive ? 'wx' : 'w' });
}
