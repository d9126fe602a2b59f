// The registered terminals as the administrators see them (issue 6 item 7): last contact, the app
// version they report, what of their operation log the server holds (last acknowledged seq, when it
// arrived, the newest record's time and clock offset), how many records the terminal last said it still
// holds unsent (reported with its log-cursor requests) and the emergency stop in force for each.
import type { z } from 'zod';
import type { AdminTerminalSchema } from '../../shared/admin-api';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import { logHead } from '../store/log-records';
import { listTerminals } from '../store/terminals';
import { emergencyStopFor } from './emergency-stop';

type AdminTerminal = z.infer<typeof AdminTerminalSchema>;

function newestLogRecord(db: ServerDb, terminalId: string): { receivedAt: number; at: string | null; clockOffsetMs: number | null } | undefined {
  const row = db
    .prepare(
      `SELECT received_at AS receivedAt, records ->> '$[#-1].at' AS at, records ->> '$[#-1].clockOffsetMs' AS clockOffsetMs
       FROM log_chunks WHERE terminal_id = ? ORDER BY last_seq DESC LIMIT 1`,
    )
    .get(terminalId) as { receivedAt: number; at: string | null; clockOffsetMs: number | null } | undefined;
  return row;
}

export function adminTerminals(db: ServerDb): AdminTerminal[] {
  return listTerminals(db).map((terminal) => {
    const newest = newestLogRecord(db, terminal.id);
    const offset = newest?.clockOffsetMs;
    return {
      id: terminal.id,
      name: terminal.name,
      registeredAt: toIso(terminal.registeredAt),
      retiredAt: terminal.retiredAt === null ? null : toIso(terminal.retiredAt),
      lastContactAt: terminal.lastContactAt === null ? null : toIso(terminal.lastContactAt),
      appVersion: terminal.appVersion,
      log: {
        lastSeq: logHead(db, terminal.id).seq,
        lastReceivedAt: newest ? toIso(newest.receivedAt) : null,
        lastRecordAt: newest?.at ?? null,
        clockOffsetMs: typeof offset === 'number' && Number.isInteger(offset) ? offset : null,
        waiting: terminal.logBacklog
          ? { count: terminal.logBacklog.count, oldestAt: terminal.logBacklog.oldestAt === null ? null : toIso(terminal.logBacklog.oldestAt), reportedAt: toIso(terminal.logBacklog.reportedAt) }
          : null,
      },
      emergencyStopId: terminal.retiredAt === null ? (emergencyStopFor(db, terminal.id)?.id ?? null) : null,
    };
  });
}
