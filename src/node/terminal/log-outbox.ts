// The main side's half of the operation log (issue 3, item 2: "events raised on the main side reach
// the log even if the renderer reloads or crashes at that moment").
//
// Main does not own the log (the renderer's Dexie database does: one writer, one chain). Main's
// events go into this outbox first: a JSON-lines journal in the terminal's data folder, each line
// written and fsync'd before record() returns, each event numbered `eid` 1, 2, 3 … for ever. The
// renderer takes them (take), appends them to its log in one transaction together with the highest
// eid applied (so a redelivered event is recognised and never appended twice), and only then
// acknowledges (acknowledge). Until acknowledged an event stays here, across renderer reloads and
// crashes and across restarts of the terminal.
//
// Journal lines: {"eid":n,…event} for an event, {"ack":n} for an acknowledgement, and as the first
// line after a compaction {"base":acked,"last":n,"epoch":uuid} (acknowledged up to, the last eid given
// out, and the name of this numbering). A torn last line (the
// process died while writing it) was never acknowledged to anyone and is dropped; any other
// unreadable line is kept aside in a `.damaged-<time>` copy and reported.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { LogEventError, validateEvent, type LogEvent } from '../../shared/log-event';
import type { PendingLogEvent } from '../../shared/contract';

export const OUTBOX_FILE = 'log-outbox.jsonl';
/** Compact the journal when it has grown past this and everything in it is acknowledged (or at start). */
const COMPACT_BYTES = 1024 * 1024;

export interface OutboxTime {
  /** Trusted time, epoch ms. */
  at: number;
  /** Local wall clock minus trusted time, ms. */
  clockOffsetMs: number;
}

export interface OutboxOpenReport {
  pending: number;
  /** A damaged journal was found: where its copy was put aside, and how many lines were unreadable. */
  damaged: { copy: string; lines: number } | null;
  tornTail: boolean;
}

function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not every platform can fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export class LogOutbox extends EventEmitter {
  readonly path: string;
  private fd: number | null = null;
  private lastEid = 0;
  private ackedEid = 0;
  private pendingEvents: PendingLogEvent[] = [];
  private bytes = 0;
  /**
   * Names this journal's numbering. A journal that is lost or replaced starts again at eid 1 under a
   * new epoch, and the renderer (which remembers the last eid applied per epoch) takes its events
   * instead of skipping them as already applied.
   */
  private epochId = '';
  readonly openReport: OutboxOpenReport;

  constructor(dataDir: string) {
    super();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.path = join(dataDir, OUTBOX_FILE);
    this.openReport = this.load();
    // Always rewritten at start: a torn last line must not have the next event appended to it.
    this.compact();
  }

  get epoch(): string {
    return this.epochId;
  }

  /** Highest eid given out so far. */
  get lastEventId(): number {
    return this.lastEid;
  }

  get pendingCount(): number {
    return this.pendingEvents.length;
  }

  /**
   * Journals one event durably and returns it with its eid. Throws LogEventError for an event the
   * log would refuse (a programming error: the caller logs it as such) and I/O errors as they are.
   */
  record(event: LogEvent, time: OutboxTime): PendingLogEvent {
    const clean = validateEvent(event);
    const pending: PendingLogEvent = {
      eid: this.lastEid + 1,
      at: new Date(time.at).toISOString(),
      clockOffsetMs: Math.round(time.clockOffsetMs),
      ...clean,
    };
    this.append(JSON.stringify(pending));
    this.lastEid = pending.eid;
    this.pendingEvents.push(pending);
    this.emit('pending', this.lastEid);
    return pending;
  }

  /** Unacknowledged events after `afterEid`, oldest first. */
  take(afterEid: number, max: number): PendingLogEvent[] {
    const out: PendingLogEvent[] = [];
    for (const event of this.pendingEvents) {
      if (event.eid <= afterEid) continue;
      out.push(event);
      if (out.length >= max) break;
    }
    return out;
  }

  /**
   * The renderer has these events in its log, durably: forget everything up to `eid`. An eid
   * beyond what was given out is refused (false); an old one is harmless (true, nothing changes).
   */
  acknowledge(eid: number): boolean {
    if (!Number.isSafeInteger(eid) || eid < 0 || eid > this.lastEid) return false;
    if (eid <= this.ackedEid) return true;
    this.append(JSON.stringify({ ack: eid }));
    this.ackedEid = eid;
    this.pendingEvents = this.pendingEvents.filter((e) => e.eid > eid);
    if (this.pendingEvents.length === 0 && this.bytes > COMPACT_BYTES) this.compact();
    return true;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private append(line: string): void {
    if (this.fd === null) this.fd = openSync(this.path, 'a', 0o600);
    const data = Buffer.from(line + '\n', 'utf8');
    writeSync(this.fd, data);
    fsyncSync(this.fd);
    this.bytes += data.length;
  }

  private load(): OutboxOpenReport {
    const report: OutboxOpenReport = { pending: 0, damaged: null, tornTail: false };
    try {
      return this.read(report);
    } finally {
      // A new journal, or one whose first line was lost: a new numbering.
      if (!this.epochId) this.epochId = randomUUID();
    }
  }

  private read(report: OutboxOpenReport): OutboxOpenReport {
    if (!existsSync(this.path)) return report;
    const text = readFileSync(this.path, 'utf8');
    const lines = text.split('\n');
    // The text after the last newline is a line whose write never completed.
    const tail = lines.pop() ?? '';
    if (tail.length > 0) report.tornTail = true;
    let unreadable = 0;
    const events = new Map<number, PendingLogEvent>();
    for (const line of lines) {
      if (line.length === 0) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        unreadable++;
        continue;
      }
      const entry = value as Record<string, unknown>;
      if (typeof entry.base === 'number' && Number.isSafeInteger(entry.base)) {
        this.ackedEid = Math.max(this.ackedEid, entry.base);
        this.lastEid = Math.max(this.lastEid, entry.base, typeof entry.last === 'number' && Number.isSafeInteger(entry.last) ? entry.last : 0);
        if (typeof entry.epoch === 'string' && /^[0-9a-f-]{36}$/.test(entry.epoch)) this.epochId = entry.epoch;
      } else if (typeof entry.ack === 'number' && Number.isSafeInteger(entry.ack)) {
        this.ackedEid = Math.max(this.ackedEid, entry.ack);
      } else if (typeof entry.eid === 'number' && Number.isSafeInteger(entry.eid) && entry.eid > 0) {
        const event = this.parseEvent(entry);
        if (!event) {
          unreadable++;
          continue;
        }
        events.set(event.eid, event);
        this.lastEid = Math.max(this.lastEid, event.eid);
      } else unreadable++;
    }
    this.pendingEvents = [...events.values()].filter((e) => e.eid > this.ackedEid).sort((a, b) => a.eid - b.eid);
    report.pending = this.pendingEvents.length;
    if (unreadable > 0) {
      const copy = `${this.path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      copyFileSync(this.path, copy);
      report.damaged = { copy, lines: unreadable };
    }
    return report;
  }

  private parseEvent(entry: Record<string, unknown>): PendingLogEvent | null {
    const { eid, at, clockOffsetMs, ...event } = entry;
    if (typeof at !== 'string' || !Number.isFinite(Date.parse(at)) || typeof clockOffsetMs !== 'number' || !Number.isFinite(clockOffsetMs)) return null;
    try {
      return { eid: eid as number, at, clockOffsetMs, ...validateEvent(event) };
    } catch (error) {
      if (error instanceof LogEventError) return null;
      throw error;
    }
  }

  /** Rewrites the journal as {"base"} + the pending events: atomically (temp file, fsync, rename). */
  private compact(): void {
    this.close();
    // `last` keeps eids increasing for ever, also when the newest event's line was unreadable.
    const lines = [JSON.stringify({ base: this.ackedEid, last: this.lastEid, epoch: this.epochId }), ...this.pendingEvents.map((e) => JSON.stringify(e))];
    const text = lines.join('\n') + '\n';
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, text, { mode: 0o600 });
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
    fsyncDir(dirname(this.path));
    this.bytes = Buffer.byteLength(text);
  }
}
