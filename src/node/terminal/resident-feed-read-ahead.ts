// Reads the resident change feed ahead while the replica loads (issue 4: a 1,000,000-resident replica
// in ≤ 60 s). The renderer asks for the next page as it starts storing the one it has, but storing
// takes longer at times (a batch of 100,000 sorted and sealed) and the feed's next position is known
// only from the page before; without reading ahead, main and the central server sat idle for a third of
// the load. When a page comes back and the feed is not yet current, main asks for the pages after
// it, up to `depth` of them, for the same operator; the renderer's next call takes the first one if it
// asks for exactly that position, else everything read ahead is dropped.
//
// What is read ahead is the operator's own request made early, not more: the server authorises and
// records each page when it serves it (a right removed meanwhile stops the pages after it); pages read
// ahead are dropped when the session ends (TerminalService calls clear on every state change out of
// working) and never outlive the call that would have fetched them. A page that failed to arrive
// ahead is fetched again when asked for, so an error is never a stale one.
import type { ResidentChangesResponse } from '../../shared/resident-api';

export type FetchPage = (operatorId: string, after: number, limit: number) => Promise<ResidentChangesResponse>;

interface Ahead {
  operatorId: string;
  limit: number;
  /** The position this page starts after (known when the page before it arrived). */
  after: Promise<number | null>;
  page: Promise<ResidentChangesResponse | null>;
}

/** Pages at most this far ahead: ~1 MB of text and its 5,000 parsed residents each. */
export const READ_AHEAD_PAGES = 3;

export class ResidentFeedReadAhead {
  private ahead: Ahead[] = [];

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly depth: number = READ_AHEAD_PAGES,
  ) {}

  /** The page after `after`: the one read ahead when it is that one, else fetched now. */
  async fetch(operatorId: string, after: number, limit: number): Promise<ResidentChangesResponse> {
    const head = this.ahead[0];
    let page: ResidentChangesResponse | null = null;
    if (head && head.operatorId === operatorId && head.limit === limit && (await head.after) === after && this.ahead[0] === head) {
      this.ahead.shift();
      page = await head.page.catch(() => null);
    } else this.clear();
    page ??= await this.fetchPage(operatorId, after, limit);
    this.fill(operatorId, limit, page);
    return page;
  }

  /** Drops every page read ahead (the session ended, or the caller went elsewhere). */
  clear(): void {
    this.ahead = [];
  }

  /** How many pages are read ahead or on their way (tests). */
  get pending(): number {
    return this.ahead.length;
  }

  /** Asks for the pages after `page` until `depth` are ahead, each after the one before it. */
  private fill(operatorId: string, limit: number, page: ResidentChangesResponse): void {
    const ahead = this.ahead;
    let previous: Promise<ResidentChangesResponse | null> = Promise.resolve(page);
    if (ahead.length > 0) previous = ahead[ahead.length - 1]!.page;
    while (ahead.length < this.depth) {
      const before = previous;
      const after = before.then((p) => (p !== null && p.next < p.latest ? p.next : null)).catch(() => null);
      const next = after.then((position) => (position === null || this.ahead !== ahead ? null : this.fetchPage(operatorId, position, limit)));
      // Kept for the caller to take; a failure is looked at only then (fetched again), never unhandled.
      next.catch(() => undefined);
      ahead.push({ operatorId, limit, after, page: next });
      previous = next.catch(() => null);
    }
  }
}
