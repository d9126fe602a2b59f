// PIV card-authentication profile, NIST SP 800-73-4 (pure part).
// SELECT the PIV application, GET DATA the card-authentication certificate (5FC101),
// GENERAL AUTHENTICATE with the card-authentication key 9E / ECC P-256 (algorithm 11).
// The flow runs over an injected transmit function, so it is tested with hostile fake answers;
// the host-side crypto (nonce, SHA-256, certificate parsing, signature check) is done by the caller.

import { concatBytes, toHex } from './bytes';
import { CardFault, CARD_MESSAGES } from './fault';
import { expectOk, statusFault, transceive, type CommandApdu, type Transmit } from './apdu';
import { childrenOf, encodeTlv, parseSingleTlv, parseTlvList, pickTags, TlvError } from './tlv';

export const PIV_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00);
/** The part of the AID the card must echo in its application property template (RID + PIX prefix). */
export const PIV_AID_PREFIX = PIV_AID.subarray(0, 9);
export const PIV_TAG_CARD_AUTH_CERT = 0x5fc101;
export const PIV_ALG_ECC_P256 = 0x11;
export const PIV_KEY_CARD_AUTH = 0x9e;
export const PIV_ECC_P256_CHALLENGE_LENGTH = 32;

export const INS_SELECT = 0xa4;
export const INS_GET_DATA = 0xcb;
export const INS_GENERAL_AUTHENTICATE = 0x87;

/** Cap on the certificate object gathered through GET RESPONSE (a PIV card-auth container is < 2 KB). */
export const PIV_MAX_OBJECT_BYTES = 8 * 1024;
/** Cap on a GENERAL AUTHENTICATE answer (a P-256 DER signature is ≤ 72 bytes). */
export const PIV_MAX_AUTH_RESPONSE_BYTES = 512;

// Tags
const T_APT = 0x61; // application property template
const T_DATA_OBJECT = 0x53;
const T_CERT = 0x70;
const T_CERT_INFO = 0x71;
const T_MSCUID = 0x72;
const T_LRC = 0xfe;
const T_DYN_AUTH = 0x7c;
const T_WITNESS_OR_RESPONSE = 0x82;
const T_CHALLENGE = 0x81;
const T_TAG_LIST = 0x5c;

export function selectPivCommand(): CommandApdu {
  return { cla: 0x00, ins: INS_SELECT, p1: 0x04, p2: 0x00, data: PIV_AID, ne: 256 };
}

export function getDataCommand(tag: number): CommandApdu {
  const tagBytes = Uint8Array.of((tag >> 16) & 0xff, (tag >> 8) & 0xff, tag & 0xff);
  return { cla: 0x00, ins: INS_GET_DATA, p1: 0x3f, p2: 0xff, data: encodeTlv(T_TAG_LIST, tagBytes), ne: 256 };
}

/** 7C { 82 00, 81 <challenge> }: ask the card to sign the challenge. */
export function buildAuthTemplate(challenge: Uint8Array): Uint8Array {
  return encodeTlv(T_DYN_AUTH, concatBytes(Uint8Array.of(T_WITNESS_OR_RESPONSE, 0x00), encodeTlv(T_CHALLENGE, challenge)));
}

export function generalAuthenticateCommand(algorithm: number, keyReference: number, challenge: Uint8Array): CommandApdu {
  return { cla: 0x00, ins: INS_GENERAL_AUTHENTICATE, p1: algorithm, p2: keyReference, data: buildAuthTemplate(challenge), ne: 256 };
}

export interface SelectInfo {
  /** AID (or its PIX) as echoed by the card, if it sent an application property template. */
  aid: Uint8Array | null;
}

/** The SELECT answer: empty, or exactly one application property template 61 { … }. */
export function parseSelectResponse(data: Uint8Array): SelectInfo {
  if (data.length === 0) return { aid: null };
  const apt = parseSingleTlv(data, T_APT);
  const children = childrenOf(apt);
  const aidTlv = children.find((t) => t.tag === 0x4f);
  return { aid: aidTlv ? aidTlv.value.slice() : null };
}

export interface PivCertificateObject {
  certificate: Uint8Array;
  certInfo: number;
}

/** 53 { 70 cert, 71 certinfo, [72 mscuid], FE lrc } → the DER certificate. Refuses compressed certificates. */
export function parseCertificateObject(data: Uint8Array): PivCertificateObject {
  const outer = parseSingleTlv(data, T_DATA_OBJECT);
  if (outer.value.length === 0) {
    throw new CardFault('not-supported', 'card-authentication certificate object is empty', { userMessage: CARD_MESSAGES.notStaffCard });
  }
  // 53 is primitive in BER terms (bit 6 of 0x53 is clear) but holds TLVs: parse its value as a list.
  const inner = pickTags(parseTlvList(outer.value, 8), [T_CERT, T_CERT_INFO, T_MSCUID, T_LRC], [T_CERT]);
  const infoTlv = inner.get(T_CERT_INFO);
  let certInfo = 0;
  if (infoTlv) {
    if (infoTlv.value.length !== 1) throw new TlvError('unexpected-tag', infoTlv.start, `CertInfo of ${infoTlv.value.length} bytes`);
    certInfo = infoTlv.value[0] as number;
  }
  if ((certInfo & 0x01) !== 0) {
    throw new CardFault('not-supported', `compressed certificate (CertInfo ${certInfo.toString(16)})`, {
      userMessage: CARD_MESSAGES.compressed,
    });
  }
  if (certInfo !== 0) {
    throw new CardFault('not-supported', `unsupported CertInfo ${certInfo.toString(16)}`, { userMessage: CARD_MESSAGES.notStaffCard });
  }
  const lrc = inner.get(T_LRC);
  if (lrc && lrc.value.length !== 0) throw new TlvError('unexpected-tag', lrc.start, 'error detection code must be empty');
  const cert = (inner.get(T_CERT) as { value: Uint8Array }).value;
  if (cert.length === 0) throw new CardFault('not-supported', 'empty certificate', { userMessage: CARD_MESSAGES.notStaffCard });
  // The certificate must be exactly one DER SEQUENCE.
  parseSingleTlv(cert, 0x30);
  return { certificate: cert.slice(), certInfo };
}

/** 7C { 82 <DER ECDSA signature> } → the signature. */
export function parseAuthResponse(data: Uint8Array): Uint8Array {
  if (data.length === 0) throw new TlvError('empty', 0, 'GENERAL AUTHENTICATE returned no data');
  const template = parseSingleTlv(data, T_DYN_AUTH);
  const inner = pickTags(childrenOf(template), [T_WITNESS_OR_RESPONSE], [T_WITNESS_OR_RESPONSE]);
  const sig = (inner.get(T_WITNESS_OR_RESPONSE) as { value: Uint8Array }).value;
  checkEcdsaP256DerSignature(sig);
  return sig.slice();
}

/** ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, DER, each a positive integer of at most 256 bits. */
export function checkEcdsaP256DerSignature(sig: Uint8Array): void {
  const fail = (why: string): never => {
    throw new CardFault('signature', `malformed ECDSA signature: ${why}`, { userMessage: CARD_MESSAGES.signature });
  };
  let seq;
  try {
    seq = parseSingleTlv(sig, 0x30);
  } catch (e) {
    if (e instanceof TlvError) fail(e.message);
    throw e;
  }
  const ints = childrenOf(seq, 3);
  if (ints.length !== 2) fail(`${ints.length} elements`);
  for (const int of ints) {
    if (int.tag !== 0x02) fail('element is not an INTEGER');
    const v = int.value;
    if (v.length === 0 || v.length > 33) fail(`INTEGER of ${v.length} bytes`);
    const b0 = v[0] as number;
    if ((b0 & 0x80) !== 0) fail('negative INTEGER');
    if (v.length > 1 && b0 === 0 && ((v[1] as number) & 0x80) === 0) fail('non-minimal INTEGER');
    if (v.length === 33 && b0 !== 0) fail('INTEGER longer than 256 bits');
    if (v.every((b) => b === 0)) fail('zero INTEGER');
  }
}

export interface PivFlowOptions {
  /** The 32-byte value to be signed (for ECC: a digest the host computed). */
  challenge: Uint8Array;
  /** Called with the certificate before the challenge is sent; throw to stop (e.g. wrong key type). */
  onCertificate?: (certificateDer: Uint8Array) => void | Promise<void>;
  /** For logs. */
  trace?: (step: string) => void;
}

export interface PivFlowResult {
  certificateDer: Uint8Array;
  signatureDer: Uint8Array;
}

/**
 * SELECT PIV → GET DATA card-auth certificate → GENERAL AUTHENTICATE 9E / ECC P-256.
 * Resolves with the certificate and the card's signature over the challenge (not yet verified!).
 * Rejects with a CardFault for anything the card got wrong; errors thrown by transmit pass through.
 */
export async function runPivCardAuthentication(transmit: Transmit, options: PivFlowOptions): Promise<PivFlowResult> {
  const { challenge, trace } = options;
  if (!(challenge instanceof Uint8Array) || challenge.length !== PIV_ECC_P256_CHALLENGE_LENGTH) {
    throw new CardFault('signature', 'challenge must be 32 bytes');
  }

  trace?.('select');
  const select = await transceive(transmit, selectPivCommand(), { extended: 'never', maxResponseBytes: 1024 });
  if (select.sw !== 0x9000) {
    const fault = statusFault(select.sw, 'SELECT PIV');
    // Whatever the reason, a card without a selectable PIV application is not a staff card.
    throw new CardFault('not-supported', fault.message, { sw: select.sw, userMessage: CARD_MESSAGES.notStaffCard });
  }
  const info = parseSelectResponse(select.data);
  if (info.aid && !aidMatches(info.aid)) {
    throw new CardFault('not-supported', `SELECT answered for another application ${toHex(info.aid)}`, { userMessage: CARD_MESSAGES.notStaffCard });
  }

  trace?.('get-data');
  const object = await transceive(transmit, getDataCommand(PIV_TAG_CARD_AUTH_CERT), { extended: 'never', maxResponseBytes: PIV_MAX_OBJECT_BYTES });
  const { certificate } = parseCertificateObject(expectOk(object, 'GET DATA 5FC101'));
  await options.onCertificate?.(certificate);

  trace?.('general-authenticate');
  const auth = await transceive(transmit, generalAuthenticateCommand(PIV_ALG_ECC_P256, PIV_KEY_CARD_AUTH, challenge), {
    extended: 'never',
    maxResponseBytes: PIV_MAX_AUTH_RESPONSE_BYTES,
  });
  const signatureDer = parseAuthResponse(expectOk(auth, 'GENERAL AUTHENTICATE 9E'));
  return { certificateDer: certificate, signatureDer };
}

/** The card may echo the full AID, the PIX (without the RID) or the AID with a version suffix. */
function aidMatches(aid: Uint8Array): boolean {
  const pix = PIV_AID.subarray(5);
  const startsWith = (a: Uint8Array, prefix: Uint8Array) => a.length >= prefix.length && prefix.every((b, i) => a[i] === b);
  return startsWith(aid, PIV_AID_PREFIX) || startsWith(aid, pix.subarray(0, 4));
}
