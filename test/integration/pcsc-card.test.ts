// The PC/SC card service through the REAL pcscd and vsmartcard's virtual reader (vpcd), with the
// virtual PIV card of src/tools/vcard as the card. Needs pcscd running with vsmartcard-vpcd installed:
// without it this file fails (it does not skip).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { CardError, type CardService, type HrTime } from '../../src/node/card/card-service';
import { createPcscCardService } from '../../src/node/card/pcsc-card-service';
import { createCardFile, type CreatedCardFile } from '../../src/node/card/virtual-card-file';
import { VirtualCard, type VirtualCardBehaviour } from '../../src/tools/vcard/virtual-card';

const HOW_TO_START_PCSCD =
  'pcscd with the vsmartcard virtual reader is needed for this test and does not answer. ' +
  'Start it with:  pcscd --foreground > /tmp/pcscd.log 2>&1 &   ' +
  '(Debian packages: pcscd vsmartcard-vpcd; check with: pcsc_scan -r → "Virtual PCD 00 00").';

const READER_0 = 'Virtual PCD 00 00';
const READER_1 = 'Virtual PCD 00 01';
// vpcd's ports for its two slots (override for a private pcscd: PCSCLITE_CSOCK_NAME=… KUMIYAMA_VPCD_PORT=…).
const BASE_PORT = Number(process.env.KUMIYAMA_VPCD_PORT ?? 35963);
const PORT_OF: Record<string, number> = { [READER_0]: BASE_PORT, [READER_1]: BASE_PORT + 1 };
const TIMEOUT_MS = 1500;

const hrNow = (): HrTime => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let service: CardService;
const serviceErrors: Error[] = [];
const serviceLog: string[] = [];
let reader: string; // the reader most tests use
let port: number;
let A: CreatedCardFile;
let B: CreatedCardFile;
const cards: VirtualCard[] = [];

type Ev = { type: 'inserted' | 'removed'; reader: string; at: HrTime };
const events: Ev[] = [];

/** Runs `action` and waits for the next `type` event on `onReader`. */
async function expectEvent(type: Ev['type'], onReader: string, action: () => Promise<unknown>, ms = 4000): Promise<Ev> {
  const from = events.length;
  await action();
  const deadline = Date.now() + ms;
  for (;;) {
    const ev = events.slice(from).find((e) => e.type === type && e.reader === onReader);
    if (ev) return ev;
    if (Date.now() > deadline) throw new Error(`no '${type}' event on ${onReader} within ${ms} ms`);
    await sleep(10);
  }
}

function newCard(created: CreatedCardFile, behaviour: VirtualCardBehaviour = 'normal', onPort = port): VirtualCard {
  const card = new VirtualCard(created.file, { port: onPort, behaviour });
  cards.push(card);
  return card;
}

async function insert(card: VirtualCard, onReader = reader): Promise<Ev> {
  const ev = await expectEvent('inserted', onReader, () => card.insert());
  expect(card.insertedAt).not.toBeNull();
  expect(ev.at).toBeGreaterThanOrEqual(card.insertedAt as number);
  expect(ev.at).toBeLessThanOrEqual(hrNow());
  return ev;
}

async function remove(card: VirtualCard, onReader = reader): Promise<Ev> {
  const ev = await expectEvent('removed', onReader, () => card.remove());
  // Another PC/SC client's activity can move pcscd's event counter and show up as a swap (a
  // removal and insertion) just before the real removal: the reader must still end up empty.
  await waitFor(`${onReader} empty after removal`, () => !service.cardsPresent().includes(onReader), 4000);
  expect(card.removedAt).not.toBeNull();
  expect(service.cardsPresent()).not.toContain(onReader);
  return ev;
}

async function authenticateError(onReader = reader): Promise<CardError> {
  const e = await service.authenticate(onReader).then(
    (id) => new Error(`unexpected identity ${id.keyId}`),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CardError);
  expect((e as CardError).userMessage).toMatch(/。$/);
  return e as CardError;
}

beforeAll(async () => {
  service = createPcscCardService({ transmitTimeoutMs: TIMEOUT_MS, log: (m) => serviceLog.push(`${(performance.now() / 1000).toFixed(3)} ${m}`) });
  service.on('error', (e) => serviceErrors.push(e));
  service.on('inserted', (e) => events.push({ type: 'inserted', ...e }));
  service.on('removed', (e) => events.push({ type: 'removed', ...e }));
  service.start();
  try {
    await waitFor('the virtual reader', () => service.readers().includes(READER_0), 3000);
  } catch {
    const why = serviceErrors.map((e) => e.message).join('; ') || `readers: ${JSON.stringify(service.readers())}`;
    await service.stop();
    throw new Error(`${HOW_TO_START_PCSCD} [${why}]`);
  }
  // Prefer the second virtual reader: end-to-end tests put their cards on the first one.
  reader = service.readers().includes(READER_1) ? READER_1 : READER_0;
  port = PORT_OF[reader] as number;
  await sleep(500); // the first status of each reader
  try {
    await waitFor(`an empty ${reader}`, () => !service.cardsPresent().includes(reader), 5000);
  } catch {
    throw new Error(`A card is already on "${reader}" (another test, or "npm run vcard -- insert" still running: npm run vcard -- remove --port ${port}).`);
  }
  [A, B] = await Promise.all([createCardFile({ label: '試験 A', operatorId: 'op-test-a' }), createCardFile({ label: '試験 B', operatorId: 'op-test-b' })]);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') console.log(`[pcsc] service log (last 40 lines):\n${serviceLog.slice(-40).join('\n')}`);
  // A failed test must not leave its card behind for the next one.
  const left = cards.filter((c) => c.inserted);
  for (const card of left) await card.remove().catch(() => undefined);
  if (left.length > 0) await waitFor('empty readers', () => service.cardsPresent().every((r) => r !== reader), 3000).catch(() => undefined);
});

afterAll(async () => {
  for (const card of cards) await card.remove().catch(() => undefined);
  await service?.stop();
});

describe('PC/SC card service on the real pcscd', () => {
  it('lists the virtual readers', () => {
    expect(service.readers()).toContain(READER_0);
    console.log(`[pcsc] readers: ${JSON.stringify(service.readers())}; tests use "${reader}" (port ${port})`);
    expect(serviceErrors).toEqual([]);
  });

  it('insert → inserted, authenticate → the card file keyId, remove → removed', async () => {
    const card = newCard(A);
    const inserted = await insert(card);
    console.log(`[pcsc] inserted event ${(inserted.at - (card.insertedAt as number)).toFixed(1)} ms after the socket connected`);
    expect(service.cardsPresent()).toContain(reader);
    const durations: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const id = await service.authenticate(reader);
      durations.push(performance.now() - t0);
      expect(id.keyId).toBe(A.keyId);
      expect(id.profile).toBe('piv');
      expect(Buffer.from(id.certificateDer).equals(Buffer.from(A.certificateDer))).toBe(true);
    }
    console.log(`[pcsc] authenticate: ${durations.map((d) => d.toFixed(0)).join(', ')} ms`);
    const removed = await remove(card);
    console.log(`[pcsc] removed event ${(removed.at - (card.removedAt as number)).toFixed(1)} ms after the socket closed`);
  });

  it('re-insert cycles with two different cards', async () => {
    for (let i = 0; i < 4; i++) {
      const which = i % 2 === 0 ? A : B;
      const card = newCard(which);
      await insert(card);
      expect((await service.authenticate(reader)).keyId).toBe(which.keyId);
      await remove(card);
    }
  });

  it('refuses unknown readers and empty readers with a CardError', async () => {
    const e1 = await authenticateError('No Such Reader 00 00');
    expect(e1.code).toBe('reader');
    const e2 = await authenticateError(reader);
    expect(e2.code).toBe('no-card');
  });

  const hostile: [VirtualCardBehaviour, CardError['code'][]][] = [
    ['garbage', ['bad-answer', 'status', 'not-supported']],
    ['wrong-sw', ['status']],
    ['truncated-tlv', ['bad-answer']],
    ['oversized', ['bad-answer']],
    ['wrong-key', ['signature']],
  ];
  for (const [behaviour, codes] of hostile) {
    it(`a '${behaviour}' card → CardError (${codes.join(' / ')}), and the service still works`, async () => {
      const bad = newCard(A, behaviour);
      await insert(bad);
      const e = await authenticateError();
      expect(codes).toContain(e.code);
      await remove(bad);
      const good = newCard(A);
      await insert(good);
      expect((await service.authenticate(reader)).keyId).toBe(A.keyId);
      await remove(good);
    });
  }

  it("a 'silent' card → timeout; the reader stays usable once the card is removed", async () => {
    const silent = newCard(A, 'silent');
    await insert(silent);
    const t0 = performance.now();
    const e = await authenticateError();
    const took = performance.now() - t0;
    expect(e.code).toBe('timeout');
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(took).toBeLessThan(TIMEOUT_MS + 1000);
    // The stuck call still holds the reader: a second attempt times out too, without queueing behind it.
    expect((await authenticateError()).code).toBe('timeout');
    await remove(silent);
    const good = newCard(B);
    await insert(good);
    expect((await service.authenticate(reader)).keyId).toBe(B.keyId);
    await remove(good);
  });

  it('a card taken off the reader during authentication → CardError, then a removed event', async () => {
    const card = newCard(A);
    await insert(card);
    const pending = service.authenticate(reader).then(
      () => null,
      (x: unknown) => x,
    );
    await sleep(60); // inside the exchange (each APDU takes ~45 ms through vpcd)
    const removed = remove(card);
    const e = await pending;
    if (e !== null) {
      expect(e).toBeInstanceOf(CardError);
      expect(['no-card', 'bad-answer', 'reader', 'timeout']).toContain((e as CardError).code);
    }
    await removed;
    const good = newCard(A);
    await insert(good);
    expect((await service.authenticate(reader)).keyId).toBe(A.keyId);
    await remove(good);
  });

  it('a listener that throws does not break the service', async () => {
    const boom = () => {
      throw new Error('listener bug');
    };
    service.on('inserted', boom);
    service.on('removed', boom);
    try {
      const card = newCard(B);
      await insert(card);
      expect((await service.authenticate(reader)).keyId).toBe(B.keyId);
      await remove(card);
    } finally {
      service.off('inserted', boom);
      service.off('removed', boom);
    }
    expect(serviceLog.some((l) => l.includes('listener bug'))).toBe(true);
  });

  it('another PC/SC client holding the card: authenticate waits for it (exclusive connect), then succeeds', async () => {
    const card = newCard(A);
    await insert(card);
    // A second, independent PC/SC client in this process: pcsclite directly.
    const pcsc = (await import('pcsclite')).default as unknown as () => {
      on(e: string, l: (x: never) => void): void;
      close(): void;
    };
    type Raw = {
      name: string;
      SCARD_SHARE_SHARED: number;
      SCARD_PROTOCOL_T1: number;
      SCARD_LEAVE_CARD: number;
      on(e: string, l: () => void): void;
      connect(o: object, cb: (err: unknown) => void): void;
      disconnect(d: number, cb: (err: unknown) => void): void;
      close(): void;
    };
    const other = pcsc();
    const raws: Raw[] = [];
    other.on('error', () => undefined);
    const raw = await new Promise<Raw>((done) =>
      other.on('reader', (r: Raw) => {
        r.on('error', () => undefined);
        r.on('status', () => undefined);
        raws.push(r);
        if (r.name === reader) done(r);
      }),
    );
    try {
      await new Promise<void>((done, fail) => raw.connect({ share_mode: raw.SCARD_SHARE_SHARED, protocol: raw.SCARD_PROTOCOL_T1 }, (e) => (e ? fail(e) : done())));
      const t0 = performance.now();
      setTimeout(() => raw.disconnect(raw.SCARD_LEAVE_CARD, () => undefined), 600);
      expect((await service.authenticate(reader)).keyId).toBe(A.keyId);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(550);
    } finally {
      await sleep(50);
      for (const r of raws) r.close();
      other.close();
    }
    await remove(card);
  });

  it('two readers, two cards, at the same time', async () => {
    const other = reader === READER_1 ? READER_0 : null;
    if (!other) {
      console.log('[pcsc] only one virtual reader: the two-reader test has nothing to do');
      return;
    }
    await waitFor(`an empty ${other}`, () => !service.cardsPresent().includes(other), 10_000);
    const a = newCard(A, 'normal', PORT_OF[other]);
    const b = newCard(B);
    await Promise.all([insert(a, other), insert(b, reader)]);
    const [idA, idB] = await Promise.all([service.authenticate(other), service.authenticate(reader)]);
    expect(idA.keyId).toBe(A.keyId);
    expect(idB.keyId).toBe(B.keyId);
    await Promise.all([remove(a, other), remove(b, reader)]);
  });
});

/** Runs a small script in a fresh Node process (with tsx) and returns its output and exit code. */
function runChild(code: string, env: Record<string, string> = {}, ms = 15_000): Promise<{ code: number | null; out: string; ms: number }> {
  return new Promise((done, fail) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: resolve('.'),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`the child process did not exit within ${ms} ms:\n${out}`));
    }, ms);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      done({ code: exitCode, out, ms: Date.now() - t0 });
    });
  });
}

const CHILD = `
const { createPcscCardService } = await import(${JSON.stringify(resolve('src/node/card/pcsc-card-service.ts'))});
const svc = createPcscCardService({ log: (m) => console.log('log:', m) });
svc.on('error', (e) => console.log('error-event:', e.message));
svc.on('readers', (r) => console.log('readers:', JSON.stringify(r)));
svc.start();
await new Promise((r) => setTimeout(r, Number(process.env.RUN_MS)));
await svc.stop();
console.log('stopped');
`;

describe('process life', () => {
  it('stop() releases everything: the process exits by itself', async () => {
    const r = await runChild(CHILD, { RUN_MS: '1000' });
    expect(r.out).toContain(`readers: `);
    expect(r.out).toContain(READER_0);
    expect(r.out).toContain('stopped');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('pcscd unavailable: one error event, retries, no crash, and stop() still exits', async () => {
    // libpcsclite looks for the daemon where PCSCLITE_CSOCK_NAME says: nothing listens there.
    const r = await runChild(CHILD, { RUN_MS: '2600', PCSCLITE_CSOCK_NAME: '/nonexistent/pcscd.comm' });
    expect(r.code).toBe(0);
    expect(r.out.match(/error-event:/g)).toHaveLength(1);
    expect(r.out).toMatch(/error-event:.*pcscd/);
    expect((r.out.match(/establish failed/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(r.out).toContain('stopped');
  });
});

// pcscd going away and coming back, for real: a private pcscd (own socket directory through a private
// mount namespace, own vpcd ports) is stopped and started again under a running service. libpcsclite
// reads PCSCLITE_CSOCK_NAME once per process, so the service runs in a child process.
const RESTART_CHILD = `
const { createPcscCardService } = await import(${JSON.stringify(resolve('src/node/card/pcsc-card-service.ts'))});
const { createCardFile } = await import(${JSON.stringify(resolve('src/node/card/virtual-card-file.ts'))});
const { VirtualCard } = await import(${JSON.stringify(resolve('src/tools/vcard/virtual-card.ts'))});
const { spawn } = await import('node:child_process');
const { existsSync, rmSync } = await import('node:fs');
const dir = process.env.KP_DIR;
const port = Number(process.env.KP_PORT);
const step = (o) => console.log('STEP ' + JSON.stringify(o));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, check, ms) {
  const end = Date.now() + ms;
  while (!check()) { if (Date.now() > end) throw new Error('timed out: ' + what); await sleep(20); }
}
function startPcscd() {
  rmSync(dir + '/run/pcscd.comm', { force: true });
  const c = spawn('unshare', ['-m', 'sh', '-c', 'mount --bind ' + dir + '/run /run/pcscd && exec pcscd --foreground -c ' + dir + '/conf.d'], { stdio: 'ignore' });
  return c;
}
async function stopPcscd(c) {
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await gone;
}
let pcscd = startPcscd();
await until('pcscd socket', () => existsSync(dir + '/run/pcscd.comm'), 5000);
const { file, keyId } = await createCardFile({ label: '再起動', operatorId: 'op-restart' });
const svc = createPcscCardService({ transmitTimeoutMs: 1500, log: (m) => console.log('log: ' + m) });
const ev = [];
let readers = [];
svc.on('readers', (r) => { readers = r; ev.push('readers ' + r.length); });
svc.on('inserted', (e) => ev.push('inserted ' + e.reader));
svc.on('removed', (e) => ev.push('removed ' + e.reader));
svc.on('error', (e) => ev.push('error ' + e.message));
svc.start();
await until('readers', () => readers.length === 2, 5000);
let card = new VirtualCard(file, { port: port + 1 });
await card.insert();
await until('inserted', () => svc.cardsPresent().includes('Virtual PCD 00 01'), 4000);
step({ before: (await svc.authenticate('Virtual PCD 00 01')).keyId === keyId });
ev.length = 0;
await stopPcscd(pcscd);
await card.whenRemoved();
await until('readers gone', () => readers.length === 0, 5000);
await sleep(2500); // a few retries against the missing daemon
step({ down: [...ev] });
ev.length = 0;
pcscd = startPcscd();
await until('readers back', () => readers.length === 2, 8000);
card = new VirtualCard(file, { port: port + 1 });
await card.insert();
await until('inserted again', () => svc.cardsPresent().includes('Virtual PCD 00 01'), 4000);
step({ after: (await svc.authenticate('Virtual PCD 00 01')).keyId === keyId, events: [...ev] });
await card.remove();
await svc.stop();
await stopPcscd(pcscd);
step({ done: true });
`;

async function freePortPair(): Promise<number> {
  const net = await import('node:net');
  const free = (p: number) =>
    new Promise<boolean>((done) => {
      const s = net.createServer();
      s.once('error', () => done(false));
      s.listen(p, '0.0.0.0', () => s.close(() => done(true)));
    });
  for (let i = 0; i < 50; i++) {
    const p = 40000 + Math.floor(Math.random() * 20000);
    if ((await free(p)) && (await free(p + 1))) return p;
  }
  throw new Error('no two free ports in a row');
}

describe('pcscd restart', () => {
  it('reader gone → removed + error, retries, readers back → authenticate works again', async () => {
    const { mkdtemp, mkdir, writeFile, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const probe = spawnSync('unshare', ['-m', 'true']);
    if (probe.status !== 0) {
      throw new Error(`this test starts a private pcscd in its own mount namespace and needs root and "unshare -m" (${probe.stderr?.toString().trim() ?? probe.error?.message})`);
    }
    const dir = await mkdtemp(join(tmpdir(), 'kumiyama-pcscd-'));
    const port = await freePortPair();
    try {
      await mkdir(join(dir, 'run'));
      await mkdir(join(dir, 'conf.d'));
      const channel = `0x${port.toString(16).toUpperCase()}`;
      await writeFile(
        join(dir, 'conf.d', 'vpcd'),
        `FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:${channel}\nLIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID    ${channel}\n`,
      );
      const r = await runChild(RESTART_CHILD, { KP_DIR: dir, KP_PORT: String(port), PCSCLITE_CSOCK_NAME: join(dir, 'run', 'pcscd.comm') }, 40_000);
      const steps = r.out
        .split('\n')
        .filter((l) => l.startsWith('STEP '))
        .map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
      expect(steps, r.out).toHaveLength(4);
      expect(steps[0]).toEqual({ before: true });
      const down = steps[1]?.down as string[];
      expect(down).toContain('removed Virtual PCD 00 01');
      expect(down).toContain('readers 0');
      expect(down.filter((e) => e.startsWith('error '))).toHaveLength(1);
      expect(steps[2]?.after).toBe(true);
      expect(steps[2]?.events).toContain('readers 2');
      expect(steps[3]).toEqual({ done: true });
      expect(r.code).toBe(0);
    } finally {
      // Never leave a private pcscd behind, even if the child died.
      const pid = Number((await readFile(join(dir, 'run', 'pcscd.pid'), 'utf8').catch(() => '')).replace(/\D/g, ''));
      const cmdline = pid > 1 ? await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') : '';
      if (cmdline.includes(dir)) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
