// A virtual PIV card speaking the vpcd protocol (vsmartcard's virtual reader driver for pcscd).
// The card is a TCP client of vpcd (127.0.0.1:35963 = "Virtual PCD 00 00", 35964 = "Virtual PCD 00 01"):
// connecting inserts it, closing the socket removes it. Frames are a 2-byte big-endian length and a payload;
// a 1-byte payload is a control code (0 power off, 1 power on, 2 reset, 4 get ATR — only ATR is answered),
// anything longer is a command APDU answered with a response APDU.
//
// It implements just what the PIV card-authentication profile needs: SELECT PIV, GET DATA 5FC101,
// GENERAL AUTHENTICATE 11/9E (ECDSA P-256 over the host's 32-byte digest), GET RESPONSE chaining.
// `behaviour` makes it misbehave in one particular way, for tests.

import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import type { HrTime } from '../../node/card/card-service';
import { decodeCardFile, type VirtualCardFile } from '../../node/card/virtual-card-file';
import { bytesEqual, concatBytes, encodeTlv, parseSingleTlv, parseTlvList, PIV_AID, PIV_ALG_ECC_P256, PIV_KEY_CARD_AUTH, PIV_TAG_CARD_AUTH_CERT, toHex } from '../../domain/card';

export type VirtualCardBehaviour =
  | 'normal'
  | 'garbage' // random bytes for every answer
  | 'wrong-sw' // right data, but the certificate comes with a warning status word (62 83)
  | 'truncated-tlv' // the certificate object claims more bytes than it holds
  | 'oversized' // the certificate never ends (61 00 forever)
  | 'silent' // answers the reader (ATR) but never a command
  | 'wrong-key'; // signs with another key than the certificate's

export const VIRTUAL_CARD_BEHAVIOURS: readonly VirtualCardBehaviour[] = ['normal', 'garbage', 'wrong-sw', 'truncated-tlv', 'oversized', 'silent', 'wrong-key'];

export const DEFAULT_VPCD_HOST = '127.0.0.1';
export const DEFAULT_VPCD_PORT = 35963;
/** T=1, no historical bytes. */
export const DEFAULT_ATR = Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01);

export interface VirtualCardOptions {
  host?: string;
  port?: number;
  behaviour?: VirtualCardBehaviour;
  atr?: Uint8Array;
  log?: (msg: string) => void;
}

export class VirtualCardError extends Error {
  constructor(
    readonly userMessage: string,
    detail: string,
  ) {
    super(`${userMessage} (${detail})`);
    this.name = 'VirtualCardError';
  }
}

const hrNow = (): HrTime => performance.timeOrigin + performance.now();
const sw = (v: number) => Uint8Array.of(v >> 8, v & 0xff);

export class VirtualCard {
  readonly host: string;
  readonly port: number;
  behaviour: VirtualCardBehaviour;
  /** When insert() connected / remove() closed the socket (or vpcd dropped it). */
  insertedAt: HrTime | null = null;
  removedAt: HrTime | null = null;
  /** Last time vpcd talked to the card (ATR poll or APDU): vpcd polls every 400 ms while it holds the card. */
  lastPolledAt: HrTime | null = null;
  /** Number of command APDUs received since construction. */
  apduCount = 0;

  private readonly certificateDer: Uint8Array;
  private readonly scalar: Uint8Array;
  private readonly label: string;
  private readonly atr: Uint8Array;
  private readonly log: (msg: string) => void;
  private socket: Socket | null = null;
  private inbox: Uint8Array = new Uint8Array(0);
  private selected = false;
  private pending: Uint8Array | null = null; // data still to be fetched with GET RESPONSE
  private pendingSw = 0x9000;
  private closed: Promise<void> | null = null;

  constructor(file: VirtualCardFile, options: VirtualCardOptions = {}) {
    const decoded = decodeCardFile(file);
    this.certificateDer = decoded.certificateDer;
    this.scalar = decoded.privateScalar;
    this.label = file.label;
    this.host = options.host ?? DEFAULT_VPCD_HOST;
    this.port = options.port ?? DEFAULT_VPCD_PORT;
    this.behaviour = options.behaviour ?? 'normal';
    this.atr = options.atr ?? DEFAULT_ATR;
    this.log = options.log ?? (() => undefined);
  }

  get inserted(): boolean {
    return this.socket !== null;
  }

  /** Connects to vpcd (= puts the card on the reader). Resolves once connected. */
  insert(): Promise<void> {
    if (this.socket) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      let connected = false;
      let done!: () => void;
      this.closed = new Promise((r) => (done = r));
      socket.on('connect', () => {
        connected = true;
        this.socket = socket;
        this.insertedAt = hrNow();
        this.removedAt = null;
        this.inbox = new Uint8Array(0);
        this.powerReset();
        this.log(`inserted on ${this.host}:${this.port}`);
        resolve();
      });
      socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
      socket.on('error', (e) => {
        if (!connected) {
          reject(
            new VirtualCardError(
              `仮想カードリーダー (vpcd, ${this.host}:${this.port}) に接続できません。pcscd が起動しているか確認してください。`,
              e.message,
            ),
          );
        } else {
          this.log(`socket error: ${e.message}`);
        }
      });
      socket.on('close', () => {
        if (this.socket === socket) {
          this.socket = null;
          this.removedAt ??= hrNow();
          this.log('removed');
        }
        done();
      });
    });
  }

  /** Resolves when the card leaves the reader (remove(), or vpcd / pcscd closed the connection). */
  whenRemoved(): Promise<void> {
    return this.socket && this.closed ? this.closed : Promise.resolve();
  }

  /** Closes the connection (= takes the card off the reader). Resolves once the socket is closed. */
  async remove(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.removedAt = hrNow();
    socket.destroy();
    await this.closed;
  }

  // ---- vpcd framing ----

  private onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    this.inbox = this.inbox.length === 0 ? new Uint8Array(chunk) : concatBytes(this.inbox, chunk);
    while (this.inbox.length >= 2) {
      const len = ((this.inbox[0] as number) << 8) | (this.inbox[1] as number);
      if (this.inbox.length < 2 + len) break;
      const payload = this.inbox.slice(2, 2 + len);
      this.inbox = this.inbox.slice(2 + len);
      this.lastPolledAt = hrNow();
      const answer = this.onFrame(payload);
      if (answer) this.send(socket, answer);
    }
  }

  private send(socket: Socket, payload: Uint8Array): void {
    const frame = new Uint8Array(2 + payload.length);
    frame[0] = payload.length >> 8;
    frame[1] = payload.length & 0xff;
    frame.set(payload, 2);
    socket.write(frame);
  }

  private onFrame(payload: Uint8Array): Uint8Array | null {
    if (payload.length === 1) {
      switch (payload[0]) {
        case 0: // power off
        case 1: // power on
        case 2: // reset
          this.powerReset();
          return null;
        case 4:
          return this.atr;
        default:
          this.log(`unknown control code ${String(payload[0])}`);
          return null;
      }
    }
    if (payload.length === 0) return null;
    return this.respond(payload);
  }

  /**
   * The card itself, without the socket: answers one command APDU (null = no answer, for 'silent').
   * Unit tests use it as an in-memory card behind a fake transmit.
   */
  respond(apdu: Uint8Array): Uint8Array | null {
    this.apduCount++;
    if (this.behaviour === 'silent') return null;
    if (this.behaviour === 'garbage') return randomBytes(2 + ((randomBytes(1)[0] as number) % 62));
    try {
      return this.onApdu(apdu);
    } catch (e) {
      this.log(`internal error: ${(e as Error).message}`);
      return sw(0x6f00);
    }
  }

  /** Power off / on / reset: the application is deselected. */
  reset(): void {
    this.powerReset();
  }

  private powerReset(): void {
    this.selected = false;
    this.pending = null;
  }

  // ---- the card application ----

  private onApdu(apdu: Uint8Array): Uint8Array {
    const cmd = parseShortApdu(apdu);
    if (!cmd) return sw(0x6700);
    const { cla, ins, p1, p2, data, le } = cmd;
    if ((cla & 0x10) !== 0) return sw(0x6884); // no command chaining
    if (cla !== 0x00) return sw(0x6e00);
    if (ins !== 0xc0) this.pending = null; // any other command ends a GET RESPONSE sequence

    switch (ins) {
      case 0xa4: // SELECT
        if (p1 !== 0x04) return sw(0x6a86);
        if (data.length >= 9 && data.length <= PIV_AID.length && bytesEqual(data, PIV_AID.subarray(0, data.length))) {
          this.selected = true;
          return this.answer(this.applicationPropertyTemplate(), 0x9000, le);
        }
        this.selected = false;
        return sw(0x6a82);
      case 0xcb: // GET DATA
        if (!this.selected) return sw(0x6d00);
        if (p1 !== 0x3f || p2 !== 0xff) return sw(0x6a86);
        return this.getData(data, le);
      case 0x87: // GENERAL AUTHENTICATE
        if (!this.selected) return sw(0x6d00);
        return this.generalAuthenticate(p1, p2, data, le);
      case 0xc0: // GET RESPONSE
        return this.getResponse(le);
      default:
        return sw(0x6d00);
    }
  }

  private applicationPropertyTemplate(): Uint8Array {
    return encodeTlv(
      0x61,
      concatBytes(
        encodeTlv(0x4f, PIV_AID.subarray(5)),
        encodeTlv(0x79, encodeTlv(0x4f, PIV_AID)),
        encodeTlv(0x50, new TextEncoder().encode('Kumiyama Virtual PIV')),
        encodeTlv(0xac, concatBytes(encodeTlv(0x80, Uint8Array.of(PIV_ALG_ECC_P256)), encodeTlv(0x06, new Uint8Array(0)))),
      ),
    );
  }

  private getData(data: Uint8Array, le: number): Uint8Array {
    let tag: number;
    try {
      const t = parseSingleTlv(data, 0x5c);
      if (t.value.length !== 3) return sw(0x6a80);
      tag = ((t.value[0] as number) << 16) | ((t.value[1] as number) << 8) | (t.value[2] as number);
    } catch {
      return sw(0x6a80);
    }
    if (tag !== PIV_TAG_CARD_AUTH_CERT) return sw(0x6a82);
    const object = encodeTlv(
      0x53,
      concatBytes(encodeTlv(0x70, this.certificateDer), encodeTlv(0x71, Uint8Array.of(0x00)), Uint8Array.of(0xfe, 0x00)),
    );
    switch (this.behaviour) {
      case 'wrong-sw':
        return this.answer(object, 0x6283, le);
      case 'truncated-tlv':
        return this.answer(object.subarray(0, object.length - 10), 0x9000, le);
      case 'oversized': {
        // A never-ending object: every GET RESPONSE says "61 00, more to come".
        const head = concatBytes(Uint8Array.of(0x53, 0x82, 0xff, 0xff), randomBytes(252));
        this.pending = null;
        return concatBytes(head, sw(0x6100));
      }
      default:
        return this.answer(object, 0x9000, le);
    }
  }

  private generalAuthenticate(p1: number, p2: number, data: Uint8Array, le: number): Uint8Array {
    if (p1 !== PIV_ALG_ECC_P256) return sw(0x6a86);
    if (p2 !== PIV_KEY_CARD_AUTH) return sw(0x6a88);
    let challenge: Uint8Array | null = null;
    try {
      const template = parseSingleTlv(data, 0x7c);
      const items = parseTlvList(template.value, 4);
      const witness = items.find((t) => t.tag === 0x82);
      const c = items.find((t) => t.tag === 0x81);
      if (items.length !== 2 || !witness || witness.value.length !== 0 || !c) return sw(0x6a80);
      challenge = c.value;
    } catch {
      return sw(0x6a80);
    }
    if (challenge.length !== 32) return sw(0x6a80); // P-256: the host sends a 32-byte digest
    const key = this.behaviour === 'wrong-key' ? p256.utils.randomSecretKey() : this.scalar;
    const signature = p256.sign(challenge, key, { prehash: false, format: 'der' });
    return this.answer(encodeTlv(0x7c, encodeTlv(0x82, signature)), 0x9000, le);
  }

  private getResponse(le: number): Uint8Array {
    if (this.behaviour === 'oversized' && this.pending === null && this.selected) {
      return concatBytes(randomBytes(256), sw(0x6100));
    }
    if (!this.pending) return sw(0x6985);
    return this.answer(this.pending, this.pendingSw, le);
  }

  /** Sends up to Le (256 for Le 00) bytes; the rest waits for GET RESPONSE behind 61xx. */
  private answer(data: Uint8Array, finalSw: number, le: number): Uint8Array {
    const max = le === 0 ? 256 : le;
    if (data.length <= max) {
      this.pending = null;
      return concatBytes(data, sw(finalSw));
    }
    const rest = data.slice(max);
    this.pending = rest;
    this.pendingSw = finalSw;
    return concatBytes(data.subarray(0, max), Uint8Array.of(0x61, rest.length >= 256 ? 0 : rest.length));
  }

  toString(): string {
    return `VirtualCard(${this.label}, ${this.host}:${this.port}, ${this.behaviour}, cert ${toHex(this.certificateDer.subarray(0, 4))}…)`;
  }
}

interface ShortApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** 0 means "up to 256". */
  le: number;
}

/** Parses a short command APDU (cases 1-4). Extended APDUs and malformed ones give null. */
function parseShortApdu(apdu: Uint8Array): ShortApdu | null {
  if (apdu.length < 4) return null;
  const [cla, ins, p1, p2] = apdu as unknown as [number, number, number, number];
  if (apdu.length === 4) return { cla, ins, p1, p2, data: new Uint8Array(0), le: 0 };
  const b4 = apdu[4] as number;
  if (apdu.length === 5) return { cla, ins, p1, p2, data: new Uint8Array(0), le: b4 };
  if (b4 === 0) return null; // extended length: not supported by this card
  if (apdu.length === 5 + b4) return { cla, ins, p1, p2, data: apdu.subarray(5, 5 + b4), le: 0 };
  if (apdu.length === 6 + b4) return { cla, ins, p1, p2, data: apdu.subarray(5, 5 + b4), le: apdu[5 + b4] as number };
  return null;
}
