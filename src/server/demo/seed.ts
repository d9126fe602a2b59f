// Seeds the demo town into an empty server database: operators with cards (virtual card files
// written to dataDir/demo-cards/<operatorId>.json) and two registered demo terminals.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCardFile, writeCardFile } from '../../node/card/virtual-card-file';
import { hashPassword } from '../../node/password/scrypt';
import { DAY_MS, type Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { insertCard, revokeCard } from '../store/cards';
import { recordEvent } from '../store/events';
import { countOperators, insertOperator } from '../store/operators';
import { generateTerminalSecret, insertTerminal, listTerminals } from '../store/terminals';
import { writeCredentialFile } from '../admin/register-terminal';
import { seedResidents } from '../admin/residents';
import { countResidents } from '../store/residents';
import { formatDemoSummary } from './summary';
import {
  DEFAULT_DEMO_SERVER_URL,
  DEMO_CARDS_DIR,
  DEMO_RESIDENTS,
  DEMO_SUMMARY_FILE,
  DEMO_OPERATORS,
  DEMO_SYSADMIN_NAME,
  DEMO_TERMINALS,
  type DemoOperatorSpec,
} from './demo-town';

export interface DemoSeedResult {
  /** False when the database already held data: nothing was changed. */
  seeded: boolean;
  operators: (DemoOperatorSpec & { cardFile: string; keyId: string | null })[];
  terminals: { id: string; name: string; credentialFile: string }[];
  /** Residents in the directory (synthetic): seeded with the town when the directory was empty. */
  residents: number;
}

export function isServerEmpty(db: ServerDb): boolean {
  return countOperators(db) === 0 && listTerminals(db).length === 0;
}

function describe(db: ServerDb, dataDir: string, seeded: boolean, keyIds: Map<string, string>): DemoSeedResult {
  return {
    seeded,
    operators: DEMO_OPERATORS.map((op) => ({ ...op, cardFile: join(dataDir, DEMO_CARDS_DIR, `${op.id}.json`), keyId: keyIds.get(op.id) ?? null })),
    terminals: DEMO_TERMINALS.map((t) => ({ id: t.id, name: t.name, credentialFile: join(dataDir, t.file) })),
    residents: countResidents(db),
  };
}

/** Idempotent: a database that already holds operators or terminals is left untouched. */
export async function seedDemoTown(db: ServerDb, options: { dataDir: string; clock: Clock; serverUrl?: string }): Promise<DemoSeedResult> {
  const { dataDir, clock } = options;
  if (!isServerEmpty(db)) return describe(db, dataDir, false, new Map());

  // Slow work first (scrypt, key generation), then one transaction.
  const prepared = await Promise.all(
    DEMO_OPERATORS.map(async (spec) => ({
      spec,
      hash: await hashPassword(spec.password),
      card: await createCardFile({ label: spec.name, operatorId: spec.id }),
    })),
  );
  const terminals = DEMO_TERMINALS.map((spec) => ({ spec, secret: generateTerminalSecret() }));
  const now = clock.now();

  db.transaction(() => {
    if (!isServerEmpty(db)) throw new Error('the server database was filled while the demo town was being prepared');
    for (const { spec, hash, card } of prepared) {
      const since = spec.retired ? now - 400 * DAY_MS : now - 365 * DAY_MS;
      insertOperator(db, {
        id: spec.id,
        name: spec.name,
        kana: spec.kana,
        role: spec.role,
        approvedBy: DEMO_SYSADMIN_NAME,
        since,
        until: spec.retired ? now - 30 * DAY_MS : null,
        status: spec.retired ? 'retired' : 'active',
        passwordHash: hash,
        passwordSetAt: spec.retired ? now - 60 * DAY_MS : now,
        passwordTemporary: spec.temporary,
      });
      recordEvent(db, { at: now, operatorId: spec.id, kind: 'operator-added', detail: { role: spec.role, approvedBy: DEMO_SYSADMIN_NAME, demo: true } });
      insertCard(db, { keyId: card.keyId, certificateDer: card.certificateDer, operatorId: spec.id, issuedAt: since });
      recordEvent(db, { at: now, operatorId: spec.id, kind: 'card-issued', detail: { keyId: card.keyId, demo: true } });
      if (spec.cardRevoked) {
        const reason = '紛失届による失効 (デモ)';
        revokeCard(db, card.keyId, now - DAY_MS, reason);
        recordEvent(db, { at: now, operatorId: spec.id, kind: 'card-revoked', detail: { keyId: card.keyId, reason, demo: true } });
      }
    }
    for (const { spec, secret } of terminals) {
      insertTerminal(db, { id: spec.id, name: spec.name, secret, registeredAt: now });
      recordEvent(db, { at: now, terminalId: spec.id, kind: 'terminal-registered', detail: { name: spec.name, demo: true } });
    }
    // Synthetic residents for the directory, unless it already holds some (e.g. seed-residents ran first).
    const residents = countResidents(db) === 0 ? seedResidents(db, { count: DEMO_RESIDENTS.count, seed: DEMO_RESIDENTS.seed, clock }).count : 0;
    recordEvent(db, { at: now, kind: 'demo-seeded', detail: { operators: prepared.length, terminals: terminals.length, residents } });
  }).immediate();

  mkdirSync(join(dataDir, DEMO_CARDS_DIR), { recursive: true, mode: 0o700 });
  for (const { spec, card } of prepared) await writeCardFile(join(dataDir, DEMO_CARDS_DIR, `${spec.id}.json`), card.file);
  for (const { spec, secret } of terminals) {
    writeCredentialFile(
      join(dataDir, spec.file),
      {
        format: 'kumiyama-terminal-credential/1',
        terminalId: spec.id,
        terminalName: spec.name,
        secret,
        serverUrl: options.serverUrl ?? DEFAULT_DEMO_SERVER_URL,
      },
      { exclusive: false },
    );
  }
  const result = describe(db, dataDir, true, new Map(prepared.map(({ spec, card }) => [spec.id, card.keyId])));
  // For `npm start`, which prints it next to the terminal's URL. Demo only: it holds the passwords.
  writeFileSync(join(dataDir, DEMO_SUMMARY_FILE), `${formatDemoSummary(result)}\n`, { mode: 0o600 });
  return result;
}
