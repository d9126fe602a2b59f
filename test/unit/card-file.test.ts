// Virtual card files (src/node/card/virtual-card-file.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardFileError, createCardFile, readCardFile, writeCardFile, type CreatedCardFile } from '../../src/node/card/virtual-card-file';

let dir: string;
let card: CreatedCardFile;
let other: CreatedCardFile;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kumiyama-card-file-'));
  card = await createCardFile({ label: '山田 太郎', operatorId: 'op-yamada' });
  other = await createCardFile({ label: '鈴木 花子', operatorId: 'op-suzuki' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createCardFile', () => {
  it('makes a P-256 key and a self-signed certificate; keyId is SHA-256 of the SPKI', () => {
    const cert = new X509Certificate(card.certificateDer);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toContain('CN=山田 太郎');
    expect(cert.subject).toContain('UID=op-yamada');
    expect(cert.serialNumber.toLowerCase()).toBe(card.file.serial);
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    expect(card.keyId).toBe(createHash('sha256').update(spki).digest('hex'));
    expect(card.file).toMatchObject({ format: 'kumiyama-vcard/1', label: '山田 太郎', operatorId: 'op-yamada' });
    expect(Buffer.from(card.file.certificateDer, 'base64').equals(Buffer.from(card.certificateDer))).toBe(true);
    expect(other.keyId).not.toBe(card.keyId);
  });

  it('refuses bad labels and operator ids', async () => {
    await expect(createCardFile({ label: '', operatorId: 'op-x' })).rejects.toBeInstanceOf(CardFileError);
    await expect(createCardFile({ label: 'x', operatorId: 'op x' })).rejects.toBeInstanceOf(CardFileError);
    await expect(createCardFile({ label: 'a\nb', operatorId: 'op-x' })).rejects.toBeInstanceOf(CardFileError);
  });
});

describe('writeCardFile / readCardFile', () => {
  it('round-trips with mode 0600', async () => {
    const path = join(dir, 'card.json');
    await writeCardFile(path, card.file);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readCardFile(path)).toEqual(card.file);
  });

  const mutations: [string, (f: Record<string, unknown>) => unknown][] = [
    ['wrong format', (f) => ({ ...f, format: 'kumiyama-vcard/2' })],
    ['an unknown field', (f) => ({ ...f, pin: '1234' })],
    ['a missing field', (f) => ({ ...f, serial: undefined })],
    ['an array', () => []],
    ['an empty label', (f) => ({ ...f, label: ' ' })],
    ['a bad operator id', (f) => ({ ...f, operatorId: '../x' })],
    ['bad base64', (f) => ({ ...f, privateKeyPkcs8: 'not base64!' })],
    ['non-canonical base64', (f) => ({ ...f, privateKeyPkcs8: `${String(f.privateKeyPkcs8)}QR==` })], // 'QR==' decodes like 'QQ=='
    ['bytes after the certificate', (f) => ({ ...f, certificateDer: Buffer.concat([Buffer.from(String(f.certificateDer), 'base64'), Buffer.of(0)]).toString('base64') })],
    ['a key that is no key', (f) => ({ ...f, privateKeyPkcs8: Buffer.from('hello world!').toString('base64') })],
    ["another card's certificate", (f) => ({ ...f, certificateDer: other.file.certificateDer })],
    ['a serial that does not match', (f) => ({ ...f, serial: '01' })],
    ['an upper-case serial', (f) => ({ ...f, serial: String(f.serial).toUpperCase() })],
  ];
  for (const [what, mutate] of mutations) {
    it(`refuses a file with ${what}`, async () => {
      const path = join(dir, `bad-${what.replace(/\W+/g, '-')}.json`);
      await writeFile(path, JSON.stringify(mutate({ ...card.file })));
      const e = await readCardFile(path).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CardFileError);
      expect((e as CardFileError).userMessage).toMatch(/カードファイル/);
      expect((e as CardFileError).userMessage).toContain(path);
    });
  }

  it('refuses missing files, directories, non-JSON and huge files', async () => {
    for (const path of [join(dir, 'nope.json'), dir]) {
      await expect(readCardFile(path)).rejects.toBeInstanceOf(CardFileError);
    }
    const notJson = join(dir, 'x.json');
    await writeFile(notJson, '{ format: ');
    await expect(readCardFile(notJson)).rejects.toThrow(/JSON/);
    const huge = join(dir, 'huge.json');
    await writeFile(huge, ' '.repeat(100_000));
    await expect(readCardFile(huge)).rejects.toBeInstanceOf(CardFileError);
  });

  it('writeCardFile refuses an invalid file and leaves nothing behind', async () => {
    const path = join(dir, 'invalid.json');
    await expect(writeCardFile(path, { ...card.file, serial: 'zz' })).rejects.toBeInstanceOf(CardFileError);
    await expect(readFile(path)).rejects.toThrow();
  });
});
