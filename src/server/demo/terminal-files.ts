// Keeps the demo terminals' credential files pointing at the URL the server actually listens on
// (known only once it listens, e.g. with --port 0). A file that is missing or no longer matches
// the stored secret gets a fresh secret.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerminalCredentialSchema } from '../../shared/server-api';
import type { Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { writeCredentialFile } from '../admin/register-terminal';
import { recordEvent } from '../store/events';
import { generateTerminalSecret, getTerminal, hashTerminalSecret, setTerminalSecret } from '../store/terminals';
import { DEMO_TERMINALS } from './demo-town';

function readCredential(path: string): ReturnType<typeof TerminalCredentialSchema.safeParse> | null {
  try {
    return TerminalCredentialSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return null;
  }
}

/** Returns the credential files written. Terminals not registered or retired are skipped. */
export function refreshDemoTerminalFiles(db: ServerDb, options: { dataDir: string; serverUrl: string; clock: Clock }): string[] {
  const written: string[] = [];
  for (const spec of DEMO_TERMINALS) {
    const terminal = getTerminal(db, spec.id);
    if (!terminal || terminal.retiredAt !== null) continue;
    const path = join(options.dataDir, spec.file);
    const existing = readCredential(path);
    let secret: string;
    if (existing?.success && existing.data.terminalId === terminal.id && hashTerminalSecret(existing.data.secret) === terminal.secretSha256) {
      secret = existing.data.secret;
    } else {
      secret = generateTerminalSecret();
      setTerminalSecret(db, terminal.id, secret);
      recordEvent(db, { at: options.clock.now(), terminalId: terminal.id, kind: 'terminal-secret-rotated', detail: { reason: 'demo credential file missing or stale' } });
    }
    writeCredentialFile(
      path,
      { format: 'kumiyama-terminal-credential/1', terminalId: terminal.id, terminalName: terminal.name, secret, serverUrl: options.serverUrl },
      { exclusive: false },
    );
    written.push(path);
  }
  return written;
}
