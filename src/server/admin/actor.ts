// Who did an administrative act, as server_events records it: the person (id, name, role) and, for
// an act over HTTP, the terminal and the admin session it came through (the CLI has neither).
import type { Operator } from '../store/operators';

/** The terminal and admin session an HTTP admin action came through. */
export interface AdminVia {
  terminalId: string;
  sessionId: string;
}

export function actorDetail(admin: Pick<Operator, 'id' | 'name' | 'role'>, via?: AdminVia): Record<string, unknown> {
  return { by: admin.id, byName: admin.name, byRole: admin.role, ...(via ? { sessionId: via.sessionId, via: 'http' } : {}) };
}
