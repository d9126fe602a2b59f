// Writes one terminal's records for the synthetic history: a time cursor that only moves forward,
// gap-free sequence numbers, and (when a SHA-256 is given) the real hash chain. Rows written while a
// planted case is being written are collected for it.
import { GENESIS_HASH, sealRecord, type DetailValue, type LogRecord, type Sha256Hex } from '../log/log-record';
import type { RowRef } from './types';

export class TerminalWriter {
  seq = 0;
  cursor = 0;
  private prevHash = GENESIS_HASH;
  /** Rows of the planted case being written, or null. */
  collecting: RowRef[] | null = null;

  constructor(
    readonly terminalId: string,
    private readonly clockOffsetMs: number,
    private readonly out: LogRecord[],
    private readonly sha256: Sha256Hex | undefined,
  ) {}

  /** Moves the cursor to `ms` (never backwards). */
  at(ms: number): this {
    if (ms > this.cursor) this.cursor = ms;
    return this;
  }

  wait(ms: number): this {
    this.cursor += Math.max(1, Math.round(ms));
    return this;
  }

  emit(type: string, outcome: LogRecord['outcome'], operatorId: string | null, cardKeyId: string | null, detail: Record<string, DetailValue> = {}): RowRef {
    this.seq += 1;
    const body = {
      terminalId: this.terminalId,
      seq: this.seq,
      prevHash: this.sha256 ? this.prevHash : GENESIS_HASH,
      at: new Date(this.cursor).toISOString(),
      clockOffsetMs: this.clockOffsetMs,
      type,
      outcome,
      operatorId,
      cardKeyId,
      detail,
    };
    const record: LogRecord = this.sha256 ? sealRecord(body, this.sha256) : { ...body, hash: GENESIS_HASH };
    this.prevHash = record.hash;
    this.out.push(record);
    const row = { terminalId: this.terminalId, seq: this.seq };
    this.collecting?.push(row);
    this.cursor += 1000;
    return row;
  }

  /** Runs `write` and returns the rows it emitted. */
  collect(write: () => void): RowRef[] {
    const outer = this.collecting;
    const rows: RowRef[] = [];
    this.collecting = rows;
    try {
      write();
    } finally {
      this.collecting = outer;
      outer?.push(...rows);
    }
    return rows;
  }
}
