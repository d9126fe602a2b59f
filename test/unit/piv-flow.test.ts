// The PIV card-authentication flow over an in-memory transmit, against genuine and hostile cards.
// Whatever a card answers, the profile either returns the identity of the key the card really holds,
// or rejects with a CardError carrying a Japanese message: never anything else.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync, verify, X509Certificate } from 'node:crypto';
import { CardError, type CardIdentity } from '../../src/node/card/card-service';
import { createPivProfile } from '../../src/node/card/piv-profile';
import { buildSelfSignedCertificate, createCardFile, type CreatedCardFile } from '../../src/node/card/virtual-card-file';
import { VirtualCard, type VirtualCardBehaviour } from '../../src/tools/vcard/virtual-card';
import { concatBytes, encodeTlv, fromHex, runPivCardAuthentication, toHex, type Transmit } from '../../src/domain/card';

const h = (hex: string) => fromHex(hex) as Uint8Array;
const SW_OK = h('90 00');

let A: CreatedCardFile;
let B: CreatedCardFile;
beforeAll(async () => {
  A = await createCardFile({ label: '職員 A', operatorId: 'op-a' });
  B = await createCardFile({ label: '職員 B', operatorId: 'op-b' });
});

/** A transmit over an in-memory virtual card; `override` may replace any answer (by INS). */
function fakeCard(
  created: CreatedCardFile,
  options: { behaviour?: VirtualCardBehaviour; override?: (ins: number, apdu: Uint8Array, genuine: () => Uint8Array) => Uint8Array | undefined } = {},
) {
  const card = new VirtualCard(created.file, { behaviour: options.behaviour });
  const log: { command: string; answer: string }[] = [];
  const transmit: Transmit = async (apdu) => {
    const genuine = () => {
      const a = card.respond(apdu);
      if (a === null) throw new CardError('timeout', 'カードが応答しません。カードを差し直してください。', 'silent card');
      return a;
    };
    const answer = options.override?.(apdu[1] as number, apdu, genuine) ?? genuine();
    log.push({ command: toHex(apdu, ' '), answer: toHex(answer, ' ') });
    return answer;
  };
  return { transmit, log, card };
}

const pivObject = (inner: Uint8Array) => concatBytes(encodeTlv(0x53, inner), SW_OK);
const certObject = (cert: Uint8Array, certInfo = 0) =>
  pivObject(concatBytes(encodeTlv(0x70, cert), encodeTlv(0x71, Uint8Array.of(certInfo)), h('FE 00')));

/** Runs the profile and insists on a CardError (never an identity, never another kind of error). */
async function expectCardError(transmit: Transmit, code?: CardError['code']): Promise<CardError> {
  let identity: CardIdentity | undefined;
  let error: unknown;
  try {
    identity = await createPivProfile().authenticate(transmit);
  } catch (e) {
    error = e;
  }
  expect(identity).toBeUndefined();
  expect(error).toBeInstanceOf(CardError);
  const ce = error as CardError;
  expect(ce.userMessage).toMatch(/[ぁ-んァ-ン一-龯]/);
  expect(ce.userMessage).toMatch(/。$/);
  if (code) expect(ce.code, ce.message).toBe(code);
  return ce;
}

describe('genuine card', () => {
  it('proves possession of its key: keyId and certificate of the card file', async () => {
    const { transmit } = fakeCard(A);
    const id = await createPivProfile().authenticate(transmit);
    expect(id.keyId).toBe(A.keyId);
    expect(id.profile).toBe('piv');
    expect(toHex(id.certificateDer)).toBe(toHex(A.certificateDer));
  });

  it('signs a given message (admin sessions): the signature verifies against the certificate, over exactly those bytes', async () => {
    const { transmit } = fakeCard(A);
    const message = new TextEncoder().encode('kumiyama-admin-session\nterm-demo-01\n' + '0'.repeat(32) + '\n');
    const id = await createPivProfile().authenticate(transmit, { message });
    expect(id.keyId).toBe(A.keyId);
    const key = new X509Certificate(Buffer.from(A.certificateDer)).publicKey;
    expect(verify('sha256', message, { key, dsaEncoding: 'der' }, id.signatureDer!)).toBe(true);
    expect(verify('sha256', Uint8Array.of(...message, 0), { key, dsaEncoding: 'der' }, id.signatureDer!)).toBe(false);
    // Without a message the random nonce's signature is not handed out.
    expect((await createPivProfile().authenticate(fakeCard(A).transmit)).signatureDer).toBeUndefined();
  });

  it('sends exactly the SP 800-73-4 commands, with a fresh 32-byte challenge each time', async () => {
    const challenges: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { transmit, log } = fakeCard(A);
      await createPivProfile().authenticate(transmit);
      const commands = log.map((l) => l.command.toUpperCase());
      expect(commands[0]).toBe('00 A4 04 00 0B A0 00 00 03 08 00 00 10 00 01 00 00');
      expect(commands[1]).toBe('00 CB 3F FF 05 5C 03 5F C1 01 00');
      expect(commands[2]).toMatch(/^00 C0 00 00 [0-9A-F]{2}$/); // the certificate does not fit one answer
      const ga = commands[commands.length - 1] as string;
      expect(ga.startsWith('00 87 11 9E 26 7C 24 82 00 81 20 ')).toBe(true);
      expect(ga.endsWith(' 00')).toBe(true); // Le
      expect(ga.split(' ')).toHaveLength(5 + 0x26 + 1);
      challenges.push(ga.slice(33, 33 + 32 * 3));
    }
    expect(challenges[0]).not.toBe(challenges[1]);
  });

  it('domain flow: returns the certificate and the raw signature, checks the certificate before signing', async () => {
    const { transmit, log } = fakeCard(A);
    const seen: string[] = [];
    const result = await runPivCardAuthentication(transmit, {
      challenge: new Uint8Array(32).fill(1),
      onCertificate: (der) => void seen.push(toHex(der)),
    });
    expect(seen).toEqual([toHex(A.certificateDer)]);
    expect(result.signatureDer[0]).toBe(0x30);
    const stop = fakeCard(A);
    await expect(
      runPivCardAuthentication(stop.transmit, {
        challenge: new Uint8Array(32),
        onCertificate: () => {
          throw new CardError('not-supported', 'このカードは職員用ICカードとして使えません。');
        },
      }),
    ).rejects.toBeInstanceOf(CardError);
    expect(stop.log.some((l) => l.command.startsWith('00 87'))).toBe(false);
    expect(log.length).toBe(4);
    await expect(runPivCardAuthentication(transmit, { challenge: new Uint8Array(31) })).rejects.toMatchObject({ code: 'signature' });
  });
});

describe('hostile virtual-card behaviours', () => {
  const cases: [VirtualCardBehaviour, CardError['code'][]][] = [
    ['garbage', ['bad-answer', 'status', 'not-supported']],
    ['wrong-sw', ['status']],
    ['truncated-tlv', ['bad-answer']],
    ['oversized', ['bad-answer']],
    ['wrong-key', ['signature']],
    ['silent', ['timeout']],
  ];
  for (const [behaviour, codes] of cases) {
    it(`${behaviour} → CardError (${codes.join(' / ')})`, async () => {
      for (let i = 0; i < (behaviour === 'garbage' ? 30 : 1); i++) {
        const e = await expectCardError(fakeCard(A, { behaviour }).transmit);
        expect(codes).toContain(e.code);
      }
    });
  }

  it('oversized: gives up after a bounded number of GET RESPONSE rounds', async () => {
    const f = fakeCard(A, { behaviour: 'oversized' });
    await expectCardError(f.transmit, 'bad-answer');
    expect(f.log.length).toBeLessThan(40);
  });
});

describe('copied and replayed proofs', () => {
  it("a card presenting another card's certificate cannot sign for it", async () => {
    const a = fakeCard(A);
    const { transmit } = fakeCard(B, {
      override: (ins, apdu) => {
        const fromA = a.card.respond(apdu) ?? undefined; // A follows the whole conversation
        return ins === 0xcb || ins === 0xc0 ? fromA : undefined;
      },
    });
    await expectCardError(transmit, 'signature');
  });

  it('a recorded genuine answer does not work a second time (fresh challenge)', async () => {
    const first = fakeCard(A);
    await createPivProfile().authenticate(first.transmit);
    const recorded = h(first.log[first.log.length - 1]?.answer as string);
    await expectCardError(fakeCard(A, { override: (ins) => (ins === 0x87 ? recorded : undefined) }).transmit, 'signature');
  });
});

describe('hostile answers, step by step', () => {
  type Override = (ins: number, apdu: Uint8Array, genuine: () => Uint8Array) => Uint8Array | undefined;
  const at = (ins: number, answer: Uint8Array | string): Override => (i) => (i === ins ? (typeof answer === 'string' ? h(answer) : answer) : undefined);
  const getData = (answer: Uint8Array | string): Override => at(0xcb, answer);
  const cases: [string, () => Override, CardError['code'], RegExp?][] = [
    ['SELECT: no PIV application (6A82)', () => at(0xa4, '6A 82'), 'not-supported', /職員用ICカードとして使えません/],
    ['SELECT: INS not supported (6D00)', () => at(0xa4, '6D 00'), 'not-supported'],
    ['SELECT: garbage template', () => at(0xa4, '61 05 4F 10 00 90 00'), 'bad-answer'],
    ['SELECT: another application', () => at(0xa4, '61 08 4F 06 A0 00 00 00 03 01 90 00'), 'not-supported'],
    ['SELECT: impossible status word', () => at(0xa4, '12 34'), 'bad-answer'],
    ['SELECT: one byte', () => at(0xa4, '90'), 'bad-answer'],
    ['GET DATA: object missing (6A82)', () => getData('6A 82'), 'not-supported'],
    ['GET DATA: security status (6982)', () => getData('69 82'), 'status'],
    ['GET DATA: 4-byte length of 4 GiB', () => getData('53 84 FF FF FF FF 70 00 90 00'), 'bad-answer'],
    ['GET DATA: indefinite length', () => getData('53 80 70 00 00 00 90 00'), 'bad-answer'],
    ['GET DATA: length field of 5 bytes', () => getData('53 85 00 00 00 00 02 70 00 90 00'), 'bad-answer'],
    ['GET DATA: length beyond the answer', () => getData('53 82 01 00 70 02 30 00 90 00'), 'bad-answer'],
    ['GET DATA: trailing bytes', () => getData(concatBytes(certObject(new Uint8Array(0)).subarray(0, -2), h('00 90 00'))), 'bad-answer'],
    ['GET DATA: empty object', () => getData('53 00 90 00'), 'not-supported'],
    ['GET DATA: no certificate tag', () => getData('53 03 71 01 00 90 00'), 'bad-answer'],
    ['GET DATA: duplicate certificate tag', () => getData(pivObject(concatBytes(encodeTlv(0x70, A.certificateDer), encodeTlv(0x70, B.certificateDer)))), 'bad-answer'],
    ['GET DATA: unknown tag inside', () => getData(pivObject(concatBytes(encodeTlv(0x70, A.certificateDer), h('99 00')))), 'bad-answer'],
    ['GET DATA: compressed certificate', () => getData(certObject(A.certificateDer, 0x01)), 'not-supported', /圧縮/],
    ['GET DATA: not an X.509 certificate (CertInfo 04)', () => getData(certObject(A.certificateDer, 0x04)), 'not-supported'],
    ['GET DATA: CertInfo of 2 bytes', () => getData(pivObject(concatBytes(encodeTlv(0x70, A.certificateDer), h('71 02 00 00')))), 'bad-answer'],
    ['GET DATA: non-empty LRC', () => getData(pivObject(concatBytes(encodeTlv(0x70, A.certificateDer), h('FE 01 00')))), 'bad-answer'],
    ['GET DATA: empty certificate', () => getData(certObject(new Uint8Array(0))), 'not-supported'],
    ['GET DATA: certificate is not a SEQUENCE', () => getData(certObject(h('04 02 00 00'))), 'bad-answer'],
    ['GET DATA: SEQUENCE that is no certificate', () => getData(certObject(h('30 03 02 01 00'))), 'bad-answer'],
    ['GET DATA: truncated certificate', () => getData(certObject(A.certificateDer.subarray(0, 200))), 'bad-answer'],
    ['GET DATA: a P-384 certificate', () => getData(certObject(p384Certificate())), 'not-supported', /鍵の種類/],
    ['GET DATA: endless 61 00', () => (ins) => (ins === 0xcb || ins === 0xc0 ? concatBytes(new Uint8Array(250), h('61 00')) : undefined), 'bad-answer'],
    ['GET DATA: 6C loop', () => getData('6C 10'), 'bad-answer'],
    ['GA: security status (6982)', () => at(0x87, '69 82'), 'status', /職員用ICカードとして使えません/],
    ['GA: wrong P1/P2 (6A86)', () => at(0x87, '6A 86'), 'not-supported'],
    ['GA: no data', () => at(0x87, '90 00'), 'bad-answer'],
    ['GA: wrong template tag', () => at(0x87, '7D 02 82 00 90 00'), 'bad-answer'],
    ['GA: template with an extra tag', () => at(0x87, '7C 05 82 00 80 01 00 90 00'), 'bad-answer'],
    ['GA: empty signature', () => at(0x87, '7C 02 82 00 90 00'), 'signature'],
    ['GA: signature not DER', () => at(0x87, concatBytes(encodeTlv(0x7c, encodeTlv(0x82, new Uint8Array(64).fill(1))), SW_OK)), 'signature'],
    ['GA: DER signature with r = 0', () => at(0x87, '7C 0A 82 08 30 06 02 01 00 02 01 01 90 00'), 'signature'],
    ['GA: DER signature with a negative s', () => at(0x87, '7C 0A 82 08 30 06 02 01 01 02 01 81 90 00'), 'signature'],
    ['GA: DER signature with a 40-byte r', () => at(0x87, concatBytes(h('7C 31 82 2F 30 2D 02 28'), new Uint8Array(40).fill(1), h('02 01 01 90 00'))), 'signature'],
    ['GA: valid-looking signature by nobody', () => at(0x87, '7C 0A 82 08 30 06 02 01 01 02 01 01 90 00'), 'signature'],
    ['GA: signature followed by a warning (6283)', () => (ins, _apdu, genuine) => (ins === 0x87 ? concatBytes(genuine().subarray(0, -2), h('62 83')) : undefined), 'status'],
  ];
  for (const [what, make, code, message] of cases) {
    it(`${what} → ${code}`, async () => {
      const e = await expectCardError(fakeCard(A, { override: make() }).transmit, code);
      if (message) expect(e.userMessage).toMatch(message);
    });
  }

  it('a transmit that answers with something that is not bytes', async () => {
    for (const answer of [undefined, null, '90 00', [0x90, 0x00], { length: 2 }]) {
      await expectCardError(async () => answer as unknown as Uint8Array, 'bad-answer');
    }
  });

  it('errors of the transmit function: CardError passes through, anything else becomes a CardError', async () => {
    const gone = new CardError('no-card', 'カードが抜かれました。カードを差し直してください。', 'removed');
    expect(await expectCardError(() => Promise.reject(gone), 'no-card')).toBe(gone);
    await expectCardError(() => Promise.reject(new TypeError('boom')), 'bad-answer');
    await expectCardError(() => Promise.reject('a string'), 'bad-answer');
    await expectCardError(() => {
      throw new RangeError('sync throw');
    }, 'bad-answer');
  });
});

function p384Certificate(): Uint8Array {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  return buildSelfSignedCertificate(privateKey, { label: 'P-384', operatorId: 'op-384' }, '01');
}

describe('fuzz: a genuine transcript with damaged answers', () => {
  it('never yields an identity for another key', async () => {
    let seed = 0x2545f491;
    const rnd = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let identities = 0;
    let errors = 0;
    for (let round = 0; round < 300; round++) {
      let n = 0;
      const target = rnd(4);
      const mode = rnd(3);
      const { transmit } = fakeCard(A, {
        override: (_ins, _apdu, genuine) => {
          const answer = genuine();
          if (n++ !== target) return answer;
          const copy = answer.slice();
          if (mode === 0) copy[rnd(copy.length)] = rnd(256);
          else if (mode === 1) return copy.subarray(0, rnd(copy.length));
          else {
            const i = rnd(Math.max(1, copy.length - 2));
            copy[i] = (copy[i] ?? 0) ^ (1 << rnd(8));
          }
          return copy;
        },
      });
      try {
        const id = await createPivProfile().authenticate(transmit);
        expect(id.keyId).toBe(A.keyId); // e.g. a flipped bit in the certificate serial: still A's key, still A's proof
        identities++;
      } catch (e) {
        expect(e).toBeInstanceOf(CardError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(150); // ~215: most damage is caught; the rest hit bytes that do not matter (labels, names)
    expect(identities + errors).toBe(300);
  });
});
