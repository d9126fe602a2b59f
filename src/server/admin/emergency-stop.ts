// Emergency stop (第35条: stop the damage fast when fraud threatens resident data; issue 6 item 6):
// an authorised person stops every terminal or one, with the reason. The roster a terminal fetches
// carries the stop that applies to it (services/roster.ts), so a terminal locks at its next contact
// (an offline one when it comes back); only an authorised person clears it, with a reason. Rows stay.
import { randomBytes } from 'node:crypto';
import type { EmergencyStopWire } from '../../shared/server-api';
import { toIso, type Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { activeStopsFor, clearEmergencyStopRow, getEmergencyStop, insertEmergencyStop, type EmergencyStopRow } from '../store/emergency-stops';
import { recordEvent } from '../store/events';
import { getOperator } from '../store/operators';
import { getTerminal } from '../store/terminals';
import { actorDetail, type AdminVia } from './actor';
import { AdminError } from './admin-error';
import { requirePermitted } from './authorize';
import { checkedReason } from './reason';

/** The stop as the roster carries it (the person's name from the roster). */
export function emergencyStopWire(db: ServerDb, row: EmergencyStopRow): EmergencyStopWire {
  return {
    id: row.id,
    scope: row.terminalId === null ? 'all' : 'terminal',
    terminalId: row.terminalId,
    reason: row.reason,
    by: row.setBy,
    byName: getOperator(db, row.setBy)?.name ?? row.setBy,
    at: toIso(row.setAt),
  };
}

/** The stop a terminal must obey now (the newest in force for it), or null. */
export function emergencyStopFor(db: ServerDb, terminalId: string): EmergencyStopWire | null {
  const [newest] = activeStopsFor(db, terminalId);
  return newest ? emergencyStopWire(db, newest) : null;
}

export function setEmergencyStop(
  db: ServerDb,
  args: { scope: 'all' | 'terminal'; terminalId?: string; reason: string; by: string; via?: AdminVia; clock: Clock },
): EmergencyStopRow {
  return db
    .transaction(() => {
      const admin = requirePermitted(db, args.by, 'emergency-stop.set');
      const reason = checkedReason(args.reason, { ja: '緊急停止の理由', en: 'the reason for the stop' });
      let terminalId: string | null = null;
      if (args.scope === 'terminal') {
        if (args.terminalId === undefined) throw new AdminError('bad-target', '停止する端末を指定してください。', 'scope terminal needs terminalId');
        const terminal = getTerminal(db, args.terminalId);
        if (!terminal) throw new AdminError('unknown-terminal', `端末 ${args.terminalId} は登録されていません`, `terminal ${args.terminalId} is not registered`);
        terminalId = terminal.id;
      } else if (args.terminalId !== undefined) {
        throw new AdminError('bad-target', '全端末の停止では端末を指定しないでください。', 'scope all takes no terminalId');
      }
      const now = args.clock.now();
      const id = `stop-${randomBytes(6).toString('hex')}`;
      insertEmergencyStop(db, { id, terminalId, reason, setBy: admin.id, setAt: now });
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: admin.id,
        kind: 'emergency-stop-set',
        detail: { stopId: id, scope: args.scope, stoppedTerminalId: terminalId, reason, ...actorDetail(admin, args.via) },
      });
      return getEmergencyStop(db, id)!;
    })
    .immediate();
}

export function clearEmergencyStop(db: ServerDb, args: { id: string; reason: string; by: string; via?: AdminVia; clock: Clock }): EmergencyStopRow {
  return db
    .transaction(() => {
      const admin = requirePermitted(db, args.by, 'emergency-stop.clear');
      const reason = checkedReason(args.reason, { ja: '解除の理由', en: 'the reason for clearing' });
      const stop = getEmergencyStop(db, args.id);
      if (!stop) throw new AdminError('unknown-emergency-stop', `緊急停止 ${args.id} はありません`, `there is no emergency stop ${args.id}`);
      const now = args.clock.now();
      if (!clearEmergencyStopRow(db, stop.id, admin.id, now, reason)) {
        throw new AdminError('emergency-stop-cleared', `緊急停止 ${stop.id} は既に解除されています`, `emergency stop ${stop.id} is already cleared`);
      }
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: admin.id,
        kind: 'emergency-stop-cleared',
        detail: { stopId: stop.id, stoppedTerminalId: stop.terminalId, stopReason: stop.reason, setBy: stop.setBy, setAt: toIso(stop.setAt), reason, ...actorDetail(admin, args.via) },
      });
      return getEmergencyStop(db, stop.id)!;
    })
    .immediate();
}
