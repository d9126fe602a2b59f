// Builds the terminal's main-side services from options. Both composition roots (Electron's
// src/main/index.ts and the second host's src/host/cli.ts) call this and only wire the result.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerminalCredentialSchema, type TerminalCredential } from '../../shared/server-api';
import type { ClockSource } from '../../domain/time/trusted-clock';
import type { CardService } from '../card/card-service';
import { createPcscCardService } from '../card/pcsc-card-service';
import { createServerClient } from './server-client';
import { TerminalStateStore } from './terminal-state';
import { FileReplicaKeyStore, type ReplicaKeyStore } from './replica-key';
import { LogOutbox } from './log-outbox';
import { TerminalService } from './terminal-service';

export interface TerminalRuntimeOptions {
  dataDir: string;
  /** Credential file issued at registration; default <dataDir>/terminal-credential.json. */
  credentialPath?: string;
  /** Overrides the server URL written in the credential file. */
  serverUrl?: string;
  idleLockSeconds?: number;
  resultsClearSeconds?: number;
  syncIntervalMs?: number;
  /** Only tests pass these; production always uses the system clock and PC/SC. */
  clockSource?: ClockSource;
  cards?: CardService;
  /** Electron passes its safeStorage-backed store; the second host keeps the key in a 0600 file. */
  replicaKeys?: ReplicaKeyStore;
  /** Sent to the server with every call (X-App-Version), for the administrator's terminal list. */
  appVersion?: string;
  log?: (message: string) => void;
}

export const systemClock: ClockSource = {
  wallNow: () => Date.now(),
  monoNow: () => performance.now(),
};

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export function loadCredential(path: string, serverUrl?: string): TerminalCredential {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(`端末の認証情報ファイルを読めません: ${path} (${(error as Error).message})`);
  }
  const parsed = TerminalCredentialSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(`端末の認証情報ファイルの形式が正しくありません: ${path}`);
  return serverUrl ? { ...parsed.data, serverUrl: new URL(serverUrl).toString() } : parsed.data;
}

export function createTerminalRuntime(options: TerminalRuntimeOptions): TerminalService {
  const credential = loadCredential(options.credentialPath ?? join(options.dataDir, 'terminal-credential.json'), options.serverUrl);
  const clockSource = options.clockSource ?? systemClock;
  return new TerminalService({
    credential,
    cards: options.cards ?? createPcscCardService({ log: options.log }),
    server: createServerClient(credential, { monoNow: clockSource.monoNow, appVersion: options.appVersion }),
    store: new TerminalStateStore(options.dataDir),
    outbox: new LogOutbox(options.dataDir),
    replicaKeys: options.replicaKeys ?? new FileReplicaKeyStore(options.dataDir),
    clockSource,
    idleLockSeconds: options.idleLockSeconds,
    resultsClearSeconds: options.resultsClearSeconds,
    syncIntervalMs: options.syncIntervalMs,
    log: options.log,
  });
}
