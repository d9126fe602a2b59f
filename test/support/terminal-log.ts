// A terminal's operation log as the tests write it: chained records sealed like the renderer seals
// them, sent to the real server through POST /api/v1/log-batches in the terminal's wire form.
import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { GENESIS_HASH, sealRecord, type LogRecord, type LogRecordBody } from '../../src/domain/log/log-record';
import type { TerminalCredential } from '../../src/shared/server-api';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export class TerminalLog {
  readonly records: LogRecord[] = [];
  private sent = 0;

  /** `time` is the terminal clock in ms; each record added moves it one minute on. */
  constructor(private readonly serverUrl: () => string, readonly credential: TerminalCredential, public time: number) {}

  add(type: string, fields: Partial<LogRecordBody> = {}): LogRecord {
    this.time += 60_000;
    const body: LogRecordBody = {
      terminalId: this.credential.terminalId,
      seq: this.records.length + 1,
      prevHash: this.records.at(-1)?.hash ?? GENESIS_HASH,
      at: new Date(this.time).toISOString(),
      clockOffsetMs: 0,
      type,
      outcome: 'info',
      operatorId: null,
      cardKeyId: null,
      detail: {},
      ...fields,
    };
    const record = sealRecord(body, sha256);
    this.records.push(record);
    return record;
  }

  /** Sends every record not sent yet as one batch; the server must accept it. */
  async send(): Promise<void> {
    const reply = await fetch(`${this.serverUrl()}/api/v1/log-batches`, {
      method: 'POST',
      headers: { authorization: `Terminal ${this.credential.terminalId}:${this.credential.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batchId: randomUUID(), records: this.records.slice(this.sent) }),
    });
    expect(reply.status, await reply.clone().text()).toBe(200);
    this.sent = this.records.length;
  }
}
