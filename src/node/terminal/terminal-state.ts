// What the terminal keeps on its own disk between restarts: the roster it last received
// (for offline sign-in), sign-in attempts and password changes not yet delivered to the
// server, and the last trusted time (to notice a clock moved back while the app was off).
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PasswordChangeRequestSchema, RosterResponseSchema, SignInAttemptRequestSchema } from '../../shared/server-api';
import { readJsonFile, writeJsonDurably } from './durable-json-file';

export const OutboxEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('signin-attempt'), request: SignInAttemptRequestSchema }),
  z.object({ kind: z.literal('password-change'), request: PasswordChangeRequestSchema }),
]);
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;

const StateSchema = z.object({
  version: z.literal(1),
  roster: RosterResponseSchema.nullable(),
  rosterReceivedAt: z.number().nullable(),
  outbox: z.array(OutboxEntrySchema),
  lastKnownTrusted: z.number().nullable(),
  /** True from start to a clean stop: found true at start, the last run ended without stopping (crash, power cut, kill). */
  running: z.boolean().optional(),
});
export type TerminalState = z.infer<typeof StateSchema>;

const EMPTY: TerminalState = { version: 1, roster: null, rosterReceivedAt: null, outbox: [], lastKnownTrusted: null };

export class TerminalStateStore {
  private state: TerminalState;
  readonly path: string;
  /** Set when the stored file could not be read: it was set aside, not silently replaced. */
  readonly recoveredFrom: string | null = null;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'terminal-state.json');
    let loaded: unknown;
    try {
      loaded = readJsonFile(this.path);
    } catch {
      loaded = null;
    }
    const parsed = loaded === undefined ? { success: true as const, data: EMPTY } : StateSchema.safeParse(loaded);
    if (parsed.success) {
      this.state = parsed.data;
    } else {
      // Keep the damaged file for inspection; start with an empty state (roster refetched online).
      const aside = `${this.path}.damaged-${Date.now()}`;
      renameSync(this.path, aside);
      this.recoveredFrom = aside;
      this.state = structuredClone(EMPTY);
    }
  }

  get(): Readonly<TerminalState> {
    return this.state;
  }

  update(change: (draft: TerminalState) => void): void {
    const draft = structuredClone(this.state);
    change(draft);
    writeJsonDurably(this.path, draft);
    this.state = draft;
  }
}
