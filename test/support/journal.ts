// The main-side log events a terminal journaled (its outbox file), for tests where no renderer
// takes them: one object per event, in order.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTBOX_FILE } from '../../src/node/terminal/log-outbox';

export function journaledEvents(terminalDir: string): Record<string, unknown>[] {
  const path = join(terminalDir, OUTBOX_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => typeof entry.eid === 'number');
}
