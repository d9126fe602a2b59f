// Virtual operator card files ("kumiyama-vcard/1"): an ECC P-256 key and a self-signed X.509
// certificate, played by the virtual PIV card (src/tools/vcard) through the real PC/SC stack.
// The server's demo seeding calls createCardFile() and stores keyId + certificate in its roster.
//
// The certificate is DER-encoded here by hand (a few fixed structures) and signed with node:crypto:
// @peculiar/x509 needs a Reflect metadata polyfill that the project does not ship.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile, rename, writeFile, chmod, unlink, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { concatBytes, encodeTlv, parseSingleTlv, toHex } from '../../domain/card';

export const CARD_FILE_FORMAT = 'kumiyama-vcard/1';
const MAX_FILE_BYTES = 64 * 1024;

export interface VirtualCardFile {
  format: typeof CARD_FILE_FORMAT;
  /** Name printed on the card (the member of staff), e.g. "山田 太郎". */
  label: string;
  operatorId: string;
  /** PKCS#8 DER of the P-256 private key, base64. */
  privateKeyPkcs8: string;
  /** DER of the self-signed card-authentication certificate, base64. */
  certificateDer: string;
  /** Certificate serial number, lower-case hex. */
  serial: string;
}

export class CardFileError extends Error {
  constructor(
    /** Japanese message for people. */
    readonly userMessage: string,
    /** What exactly is wrong (English). */
    readonly detail: string,
  ) {
    super(`${userMessage} (${detail})`);
    this.name = 'CardFileError';
  }
}

// ---- DER helpers (definite lengths, minimal encodings) ----
const der = (tag: number, ...parts: Uint8Array[]) => encodeTlv(tag, concatBytes(...parts));
const seq = (...parts: Uint8Array[]) => der(0x30, ...parts);
const set = (...parts: Uint8Array[]) => der(0x31, ...parts);
const utf8 = (s: string) => der(0x0c, new TextEncoder().encode(s));

function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [40 * (arcs[0] as number) + (arcs[1] as number)];
  for (const arc of arcs.slice(2)) {
    const bytes = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return der(0x06, Uint8Array.from(out));
}

function integerFromHex(hex: string): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(Buffer.from(hex, 'hex'));
  while (bytes.length > 1 && bytes[0] === 0 && ((bytes[1] as number) & 0x80) === 0) bytes = bytes.subarray(1);
  if (((bytes[0] as number) & 0x80) !== 0) bytes = concatBytes(Uint8Array.of(0), bytes);
  return der(0x02, bytes);
}

function time(d: Date): Uint8Array {
  const iso = d.toISOString(); // 2025-01-02T03:04:05.678Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? der(0x17, new TextEncoder().encode(`${digits.slice(2)}Z`))
    : der(0x18, new TextEncoder().encode(`${digits}Z`));
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  userId: '0.9.2342.19200300.100.1.1',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  pivCardAuth: '2.16.840.1.101.3.6.8',
};

function name(label: string, operatorId: string): Uint8Array {
  const rdn = (type: string, value: string) => set(seq(oid(type), utf8(value)));
  return seq(rdn(OID.organization, '組山町'), rdn(OID.organizationalUnit, '住民課'), rdn(OID.userId, operatorId), rdn(OID.commonName, label));
}

/**
 * A self-signed certificate (ecdsa-with-SHA256) for an EC key: subject O=組山町, OU=住民課, UID=operatorId, CN=label.
 * Exported for tests (e.g. certificates for keys of the wrong curve).
 */
export function buildSelfSignedCertificate(privateKey: KeyObject, subjectInfo: { label: string; operatorId: string }, serialHex: string): Uint8Array {
  const { label, operatorId } = subjectInfo;
  const publicKey = createPublicKey(privateKey);
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const sigAlg = seq(oid(OID.ecdsaWithSha256));
  const now = Date.now();
  const subject = name(label, operatorId);
  const extension = (id: string, critical: boolean, value: Uint8Array) =>
    seq(oid(id), ...(critical ? [Uint8Array.of(0x01, 0x01, 0xff)] : []), der(0x04, value));
  const extensions = der(
    0xa3,
    seq(
      extension(OID.basicConstraints, true, seq()),
      extension(OID.keyUsage, true, Uint8Array.of(0x03, 0x02, 0x07, 0x80)), // digitalSignature
      extension(OID.extKeyUsage, false, seq(oid(OID.pivCardAuth))),
    ),
  );
  const tbs = seq(
    der(0xa0, Uint8Array.of(0x02, 0x01, 0x02)), // v3
    integerFromHex(serialHex),
    sigAlg,
    subject, // issuer = subject (self-signed)
    seq(time(new Date(now - 24 * 3600_000)), time(new Date(now + 10 * 365 * 24 * 3600_000))),
    subject,
    spki,
    extensions,
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  return seq(tbs, sigAlg, der(0x03, concatBytes(Uint8Array.of(0), signature)));
}

function keyIdOfKey(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export interface CreatedCardFile {
  file: VirtualCardFile;
  /** SHA-256 (hex) of the DER SubjectPublicKeyInfo: what the card's authentication yields as CardIdentity.keyId. */
  keyId: string;
  certificateDer: Uint8Array;
}

export async function createCardFile({ label, operatorId }: { label: string; operatorId: string }): Promise<CreatedCardFile> {
  checkLabel(label, 'label');
  checkOperatorId(operatorId, 'operatorId');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serialBytes = randomBytes(16);
  serialBytes[0] = ((serialBytes[0] as number) & 0x7f) | 0x01; // positive, 16 bytes, never zero
  const serial = serialBytes.toString('hex');
  const certificateDer = buildSelfSignedCertificate(privateKey, { label, operatorId }, serial);
  const file: VirtualCardFile = {
    format: CARD_FILE_FORMAT,
    label,
    operatorId,
    privateKeyPkcs8: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    certificateDer: Buffer.from(certificateDer).toString('base64'),
    serial,
  };
  const decoded = decodeCardFile(file); // self-check: the same rules as for a file read from disk
  return { file, keyId: decoded.keyId, certificateDer: decoded.certificateDer };
}

// ---- validation ----

const bad = (detail: string) => new CardFileError('カードファイルの内容が正しくありません。', detail);

function checkLabel(v: unknown, field: string): asserts v is string {
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > 64 || /[\u0000-\u001f\u007f]/.test(v)) {
    throw bad(`${field} must be a non-empty string of at most 64 characters without control characters`);
  }
}

function checkOperatorId(v: unknown, field: string): asserts v is string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v)) {
    throw bad(`${field} must be 1-64 characters of A-Z a-z 0-9 . _ - (starting with a letter or digit)`);
  }
}

function strictBase64(v: unknown, field: string): Buffer {
  if (typeof v !== 'string' || v.length === 0 || v.length > 16384 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v) || v.length % 4 !== 0) {
    throw bad(`${field} must be standard base64`);
  }
  const bytes = Buffer.from(v, 'base64');
  if (bytes.toString('base64') !== v) throw bad(`${field} is not canonical base64`);
  return bytes;
}

export interface DecodedCardFile {
  file: VirtualCardFile;
  privateKey: KeyObject;
  /** The raw 32-byte P-256 private scalar (for the card emulator's signing). */
  privateScalar: Uint8Array;
  certificateDer: Uint8Array;
  keyId: string;
}

/** Validates a parsed card file (an unknown JSON value) and opens its key and certificate. */
export function decodeCardFile(value: unknown): DecodedCardFile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('the file is not a JSON object');
  const o = value as Record<string, unknown>;
  const expected = ['format', 'label', 'operatorId', 'privateKeyPkcs8', 'certificateDer', 'serial'];
  const extra = Object.keys(o).filter((k) => !expected.includes(k));
  if (extra.length > 0) throw bad(`unknown field(s): ${extra.join(', ')}`);
  if (o.format !== CARD_FILE_FORMAT) throw bad(`format must be "${CARD_FILE_FORMAT}", got ${JSON.stringify(o.format)}`);
  checkLabel(o.label, 'label');
  checkOperatorId(o.operatorId, 'operatorId');
  if (typeof o.serial !== 'string' || !/^[0-9a-f]{2,40}$/.test(o.serial) || o.serial.length % 2 !== 0) {
    throw bad('serial must be lower-case hex of 1-20 bytes');
  }
  const pkcs8 = strictBase64(o.privateKeyPkcs8, 'privateKeyPkcs8');
  const certDer = strictBase64(o.certificateDer, 'certificateDer');

  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw bad(`privateKeyPkcs8 does not parse: ${(e as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw bad('privateKeyPkcs8 is not an EC P-256 key');
  }
  let cert: X509Certificate;
  try {
    parseSingleTlv(certDer, 0x30); // exactly one DER SEQUENCE, nothing after it
    cert = new X509Certificate(certDer);
  } catch (e) {
    throw bad(`certificateDer does not parse: ${(e as Error).message}`);
  }
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  if (!cert.publicKey.export({ type: 'spki', format: 'der' }).equals(spki)) {
    throw bad('the certificate does not belong to the private key');
  }
  if (cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, '') !== o.serial.replace(/^0+(?=.)/, '')) {
    throw bad(`serial ${o.serial} does not match the certificate (${cert.serialNumber})`);
  }
  const jwk = privateKey.export({ format: 'jwk' });
  const scalar = Buffer.from(jwk.d ?? '', 'base64url');
  if (scalar.length !== 32) throw bad('private scalar is not 32 bytes');
  return {
    file: o as unknown as VirtualCardFile,
    privateKey,
    privateScalar: new Uint8Array(scalar),
    certificateDer: new Uint8Array(certDer),
    keyId: keyIdOfKey(publicKey),
  };
}

/** Reads and strictly validates a card file. Throws CardFileError (Japanese + English) on a bad file. */
export async function readCardFile(path: string): Promise<VirtualCardFile> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_FILE_BYTES) throw new Error(`file is larger than ${MAX_FILE_BYTES} bytes`);
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CardFileError(`カードファイルを読み込めません: ${path}`, (e as Error).message);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CardFileError(`カードファイルが JSON として読めません: ${path}`, (e as Error).message);
  }
  try {
    return decodeCardFile(json).file;
  } catch (e) {
    if (e instanceof CardFileError) throw new CardFileError(`カードファイルの内容が正しくありません: ${path}`, e.detail);
    throw e;
  }
}

/** Writes a card file readable by its owner only (0600), atomically. */
export async function writeCardFile(path: string, file: VirtualCardFile): Promise<void> {
  decodeCardFile(file);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${toHex(randomBytes(4))}.tmp`);
  try {
    await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new CardFileError(`カードファイルを書き込めません: ${path}`, (e as Error).message);
  }
}
