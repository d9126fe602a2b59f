// A feed page main has checked travels to the second host's page as the text it came in
// (src/shared/json-text.ts): the server client remembers the text only when the check accepted the
// parsed page unchanged, and the host's message (serverMessageJson) carries exactly that text —
// parsed by the page, it is the same message JSON.stringify would have written.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerClient } from '../../src/node/terminal/server-client';
import { jsonTextOf, rememberJsonText } from '../../src/shared/json-text';
import { serverMessageJson, type ServerMessage } from '../../src/shared/ws-protocol';
import { syntheticResidents } from '../../src/domain/resident/synthetic-town';

const residents = [...syntheticResidents({ seed: 9, count: 40 })].map((r, i) => ({ ...r, version: i + 1 }));
let body = '';
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const client = () => createServerClient({ format: 'kumiyama-terminal-credential/1', terminalId: 'term-1', terminalName: '窓口1', secret: 's'.repeat(43), serverUrl: url }, { monoNow: () => 0 });

describe('feed page text passed through', () => {
  it('a page accepted as it is remembers its text; the host message splices it and parses to the same message', async () => {
    // Spaces and key order as the server writes them do not matter: the page is what the text says.
    body = ` {"residents": ${JSON.stringify(residents)}, "next": 40, "latest": 90, "epoch": "e-1"} `;
    const page = await client().residentChanges('op-1', 0, 5000);
    expect(jsonTextOf(page)).toBe(body);
    const message: ServerMessage = { type: 'result', id: 7, result: { ok: true, page } };
    const text = serverMessageJson(message);
    expect(text).toContain(body);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(message)));
  });

  it('a page the schema had to decide (an extra field, stripped) carries no text: the host serialises the checked value', async () => {
    body = JSON.stringify({ residents: residents.map((r, i) => (i === 3 ? { ...r, secretExtra: 'x' } : r)), next: 40, latest: 90, epoch: 'e-1' });
    const page = await client().residentChanges('op-1', 0, 5000);
    expect(jsonTextOf(page)).toBeUndefined();
    const text = serverMessageJson({ type: 'result', id: 8, result: { ok: true, page } });
    expect(text).not.toContain('secretExtra');
    expect(JSON.parse(text)).toEqual({ type: 'result', id: 8, result: { ok: true, page: { residents, next: 40, latest: 90, epoch: 'e-1' } } });
  });

  it('other messages are JSON.stringify exactly; undefined fields are left out as JSON.stringify does', () => {
    const plain: ServerMessage[] = [
      { type: 'result', id: 1, result: { ok: false, retry: true, code: 'unreachable', message: '接続できません' } },
      { type: 'result', id: 2, result: null },
      { type: 'error', message: 'x' },
    ];
    for (const m of plain) expect(serverMessageJson(m)).toBe(JSON.stringify(m));
    const page = rememberJsonText({ a: 1 }, '{"a":1}');
    const m: ServerMessage = { type: 'result', id: 3, result: { ok: true, page, gone: undefined } };
    expect(serverMessageJson(m)).toBe(JSON.stringify(m));
  });
});
