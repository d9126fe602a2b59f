// The central server with the demo town seeded, in this process on 127.0.0.1, for integration
// tests that call its HTTP API as a terminal would.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/app';
import { seedDemoTown, type DemoSeedResult } from '../../src/server/demo/seed';
import { TerminalCredentialSchema, type TerminalCredential } from '../../src/shared/server-api';

export interface DemoServer {
  dataDir: string;
  server: RunningServer;
  demo: DemoSeedResult;
  /** The demo terminal's credential (demo-terminal.json). */
  credential: TerminalCredential;
  close(): Promise<void>;
}

export async function startDemoServer(clock: { now(): number }, prefix = 'kumiyama-server-test-', options: Partial<StartServerOptions> = {}): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const server = await startServer({ ...options, dataDir, port: 0, clock });
  const demo = await seedDemoTown(server.db, { dataDir, clock, serverUrl: server.url });
  const credential = TerminalCredentialSchema.parse(JSON.parse(readFileSync(join(dataDir, 'demo-terminal.json'), 'utf8')));
  return {
    dataDir,
    server,
    demo,
    credential,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
