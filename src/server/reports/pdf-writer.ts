// A small layout layer over pdfkit for the reports: A4, a Japanese font, headings, paragraphs,
// key/value blocks, tables that break across pages (the header row repeated), a heat-map chart with
// axes and legend, and on every page a running header and "n / N ページ" footer. Everything is
// vector (text stays selectable and searchable: pdftotext reads it).
import PDFDocument from 'pdfkit';
import { fontBytes, type ReportFonts } from './fonts';

export const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { top: 56, bottom: 56, left: 48, right: 48 };
const INK = '#1a1a1a';
const MUTED = '#555555';
const RULE = '#b8b8b8';
const HEAD_FILL = '#e8edf3';

export interface Column {
  header: string;
  /** Share of the table width (relative). */
  width: number;
  align?: 'left' | 'right' | 'center';
}

export type Cell = string | number | null;

export class ReportPdf {
  readonly doc: PDFKit.PDFDocument;
  private readonly chunks: Buffer[] = [];
  private readonly done: Promise<Buffer>;

  constructor(
    fonts: ReportFonts,
    private readonly running: { title: string; subtitle: string; producedAt: string },
    info: { title: string; author: string },
  ) {
    this.doc = new PDFDocument({ size: 'A4', margins: MARGIN, bufferPages: true, autoFirstPage: true, info: { Title: info.title, Author: info.author, Creator: 'kumiyama' }, lang: 'ja-JP' } as PDFKit.PDFDocumentOptions);
    this.done = new Promise((resolve, reject) => {
      this.doc.on('data', (c: Buffer) => this.chunks.push(c));
      this.doc.on('end', () => resolve(Buffer.concat(this.chunks)));
      this.doc.on('error', reject);
    });
    this.doc.registerFont('jp', fontBytes(fonts.regular), fonts.regular.postscriptName as string);
    this.doc.registerFont('jp-bold', fontBytes(fonts.bold), fonts.bold.postscriptName as string);
    this.doc.font('jp').fillColor(INK);
  }

  get left(): number {
    return this.doc.page.margins.left;
  }
  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }
  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  /** A new page when less than `height` is left on this one. */
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom) this.newPage();
  }

  newPage(layout: 'portrait' | 'landscape' = 'portrait'): void {
    this.doc.addPage({ size: 'A4', layout, margins: MARGIN });
    this.doc.font('jp').fontSize(10).fillColor(INK);
    this.doc.x = this.left;
    this.doc.y = MARGIN.top;
  }

  title(text: string, lines: string[]): void {
    const d = this.doc;
    d.y = 190;
    d.font('jp-bold').fontSize(26).fillColor(INK).text(text, this.left, d.y, { width: this.width, align: 'center' });
    d.moveDown(1.5);
    d.font('jp').fontSize(12);
    for (const line of lines) d.text(line, this.left, d.y, { width: this.width, align: 'center' }).moveDown(0.4);
    d.moveDown(2);
  }

  h1(text: string): void {
    this.ensure(60);
    const d = this.doc;
    d.moveDown(0.6);
    const y = d.y;
    d.font('jp-bold').fontSize(15).fillColor(INK).text(text, this.left, y, { width: this.width });
    d.moveTo(this.left, d.y + 2).lineTo(this.left + this.width, d.y + 2).lineWidth(1).strokeColor('#2f4f7f').stroke();
    d.y += 8;
    d.font('jp').fontSize(10);
  }

  h2(text: string): void {
    this.ensure(40);
    this.doc.moveDown(0.4);
    this.doc.font('jp-bold').fontSize(11.5).fillColor(INK).text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.2);
    this.doc.font('jp').fontSize(10);
  }

  para(text: string, options: { size?: number; color?: string } = {}): void {
    const d = this.doc;
    d.font('jp').fontSize(options.size ?? 10).fillColor(options.color ?? INK);
    this.ensure(d.heightOfString(text, { width: this.width }) + 4);
    d.text(text, this.left, d.y, { width: this.width, lineGap: 2 });
    d.moveDown(0.3);
    d.fillColor(INK);
  }

  note(text: string): void {
    this.para(text, { size: 8.5, color: MUTED });
  }

  /** Label: value lines, the labels in one column. */
  keyValues(pairs: readonly [string, string][], labelWidth = 130): void {
    const d = this.doc;
    d.font('jp').fontSize(10);
    const heights = pairs.map(([k, v]) => Math.max(d.heightOfString(k, { width: labelWidth - 8 }), d.heightOfString(v, { width: this.width - labelWidth })) + 4);
    const total = heights.reduce((a, b) => a + b, 0);
    if (total < 200) this.ensure(total); // a short block stays on one page
    for (const [k, v] of pairs) {
      const h = Math.max(d.heightOfString(k, { width: labelWidth - 8 }), d.heightOfString(v, { width: this.width - labelWidth })) + 4;
      this.ensure(h);
      const y = d.y;
      d.fillColor(MUTED).text(k, this.left, y, { width: labelWidth - 8 });
      d.fillColor(INK).text(v, this.left + labelWidth, y, { width: this.width - labelWidth });
      d.y = y + h;
    }
    d.moveDown(0.3);
  }

  /** A table; rows break across pages with the header repeated. */
  table(columns: readonly Column[], rows: readonly (readonly Cell[])[], options: { size?: number; empty?: string } = {}): void {
    const d = this.doc;
    const size = options.size ?? 8.5;
    const pad = 3;
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const xs = widths.map((_, i) => this.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const heightOf = (cells: readonly string[], font: string) => {
      d.font(font).fontSize(size);
      return Math.max(...cells.map((c, i) => d.heightOfString(c, { width: widths[i]! - 2 * pad }))) + 2 * pad;
    };
    const drawRow = (cells: readonly string[], head: boolean, shade: boolean) => {
      const font = head ? 'jp-bold' : 'jp';
      const h = heightOf(cells, font);
      const y = d.y;
      if (head || shade) d.rect(this.left, y, this.width, h).fill(head ? HEAD_FILL : '#f7f7f7');
      d.fillColor(INK).font(font).fontSize(size);
      cells.forEach((c, i) => d.text(c, xs[i]! + pad, y + pad, { width: widths[i]! - 2 * pad, align: columns[i]!.align ?? 'left' }));
      d.moveTo(this.left, y + h).lineTo(this.left + this.width, y + h).lineWidth(0.4).strokeColor(RULE).stroke();
      d.y = y + h;
    };
    const headers = columns.map((c) => c.header);
    const headHeight = heightOf(headers, 'jp-bold');
    const text = (c: Cell) => (c === null ? '' : String(c));
    this.ensure(headHeight + 20);
    drawRow(headers, true, false);
    if (rows.length === 0) {
      d.font('jp').fontSize(size).fillColor(MUTED).text(options.empty ?? '（該当なし）', this.left + pad, d.y + pad, { width: this.width });
      d.fillColor(INK);
      d.moveDown(0.5);
      return;
    }
    rows.forEach((row, n) => {
      const cells = row.map(text);
      const h = heightOf(cells, 'jp');
      if (d.y + h > this.bottom) {
        this.newPage(d.page.width > d.page.height ? 'landscape' : 'portrait');
        drawRow(headers, true, false);
      }
      drawRow(cells, false, n % 2 === 1);
    });
    d.x = this.left;
    d.moveDown(0.6);
  }

  /**
   * Vertical bars (e.g. searches per day, all operators), aligned with a heat map drawn below it:
   * the same left offset and column width. A y axis with ticks and grid lines, the axis titles.
   */
  bars(input: { values: number[]; yAxis: string; labelWidth?: number; rightWidth?: number; height?: number; highlightColumns?: Set<number> }): void {
    const d = this.doc;
    const labelWidth = input.labelWidth ?? 96;
    const gridWidth = this.width - labelWidth - (input.rightWidth ?? 40) - 6;
    const n = Math.max(1, input.values.length);
    const cellW = gridWidth / n;
    const height = input.height ?? 90;
    const x0 = this.left + labelWidth;
    const top = d.y + 10;
    const base = top + height;
    const rawMax = Math.max(1, ...input.values);
    const step = niceStep(rawMax / 4);
    const max = Math.ceil(rawMax / step) * step;
    d.font('jp-bold').fontSize(8).fillColor(MUTED).text(input.yAxis, this.left, top + height / 2 - 5, { width: labelWidth - 40, align: 'right' });
    d.font('jp').fontSize(7).fillColor(INK);
    for (let v = 0; v <= max; v += step) {
      const y = base - (v / max) * height;
      d.moveTo(x0, y).lineTo(x0 + gridWidth, y).lineWidth(0.3).strokeColor(v === 0 ? MUTED : '#dddddd').stroke();
      d.fillColor(INK).text(String(v), x0 - 34, y - 3.5, { width: 30, align: 'right', lineBreak: false });
    }
    input.values.forEach((v, j) => {
      const x = x0 + j * cellW;
      if (input.highlightColumns?.has(j)) d.rect(x, top, cellW, height).fill('#f3f3f3');
      const h = (v / max) * height;
      if (v > 0) d.rect(x + cellW * 0.15, base - h, cellW * 0.7, h).fill('#2f5f9f');
    });
    d.moveTo(x0, top).lineTo(x0, base).lineWidth(0.5).strokeColor(MUTED).stroke();
    d.x = this.left;
    d.y = base + 8;
  }

  /**
   * A heat map: rows × columns of counts, a colour scale from white to dark blue, the numbers in the
   * cells when they fit, the row labels on the left, the column labels below (every k-th when tight),
   * a total column on the right, axis titles and a legend.
   */
  heatMap(input: { rows: string[]; columns: string[]; values: number[][]; rowAxis: string; columnAxis: string; highlightColumns?: Set<number> }): void {
    const d = this.doc;
    const { rows, columns, values } = input;
    const labelWidth = 96;
    const totalWidth = 40;
    const gridWidth = this.width - labelWidth - totalWidth - 6;
    const cellW = gridWidth / Math.max(1, columns.length);
    const cellH = Math.min(20, Math.max(8, (this.bottom - d.y - 70) / Math.max(1, rows.length)));
    const max = Math.max(1, ...values.flat());
    const x0 = this.left + labelWidth;
    let y = d.y + 14;
    d.font('jp-bold').fontSize(8).fillColor(MUTED).text(input.rowAxis, this.left, y - 12, { width: labelWidth - 4 });
    d.text('合計', x0 + gridWidth + 6, y - 12, { width: totalWidth, align: 'right' });
    const colour = (v: number): string => {
      if (v === 0) return '#ffffff';
      const t = Math.sqrt(v / max); // a square-root scale: small counts stay visible next to a spike
      const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
      const [r, g, b] = [mix(222, 8), mix(235, 48), mix(247, 107)];
      return `#${[r, g, b].map((n) => n.toString(16).padStart(2, '0')).join('')}`;
    };
    const showNumbers = cellW >= 13 && cellH >= 9;
    rows.forEach((label, i) => {
      const yy = y + i * cellH;
      d.font('jp').fontSize(Math.min(8, cellH - 1.5)).fillColor(INK).text(label, this.left, yy + (cellH - Math.min(8, cellH - 1.5)) / 2 - 1, { width: labelWidth - 6, align: 'right', lineBreak: false, ellipsis: true, height: cellH });
      values[i]!.forEach((v, j) => {
        const x = x0 + j * cellW;
        if (input.highlightColumns?.has(j)) d.rect(x, yy, cellW, cellH).fill('#f3f3f3');
        if (v > 0) d.rect(x, yy, cellW, cellH).fill(colour(v));
        d.rect(x, yy, cellW, cellH).lineWidth(0.25).strokeColor('#d0d0d0').stroke();
        if (showNumbers && v > 0) {
          const fs = Math.min(6.5, cellH - 3, cellW / 3.2);
          d.font('jp').fontSize(fs).fillColor(Math.sqrt(v / max) > 0.55 ? '#ffffff' : INK).text(String(v), x, yy + (cellH - fs) / 2 - 0.5, { width: cellW, align: 'center', lineBreak: false });
        }
      });
      const total = values[i]!.reduce((s, v) => s + v, 0);
      d.font('jp').fontSize(Math.min(8, cellH - 1.5)).fillColor(INK).text(String(total), x0 + gridWidth + 6, yy + (cellH - Math.min(8, cellH - 1.5)) / 2 - 1, { width: totalWidth, align: 'right', lineBreak: false });
    });
    y += rows.length * cellH;
    // Column labels: every k-th so they never overlap (rotated would be harder to read).
    d.font('jp').fontSize(6.5).fillColor(INK);
    const labelW = Math.max(...columns.map((c) => d.widthOfString(c))) + 3;
    const every = Math.max(1, Math.ceil(labelW / cellW));
    columns.forEach((c, j) => {
      if (j % every !== 0) return;
      const cx = x0 + j * cellW + cellW / 2;
      d.moveTo(cx, y).lineTo(cx, y + 2).lineWidth(0.4).strokeColor(MUTED).stroke();
      d.text(c, cx - labelW / 2, y + 3, { width: labelW, align: 'center', lineBreak: false });
    });
    d.font('jp-bold').fontSize(8).fillColor(MUTED).text(input.columnAxis, x0, y + 14, { width: gridWidth, align: 'center' });
    // Legend: five steps of the scale with their counts.
    const ly = y + 32;
    d.font('jp').fontSize(7.5).fillColor(INK).text('凡例（1日の検索件数）:', x0, ly + 1, { lineBreak: false });
    let lx = x0 + d.widthOfString('凡例（1日の検索件数）:') + 8;
    const steps = [...new Set([0, 1, Math.round(max / 16), Math.round(max / 4), Math.round(max / 2), max].filter((v) => v <= max))].sort((a, b) => a - b);
    for (const v of steps) {
      d.rect(lx, ly, 16, 10).fill(colour(v));
      d.rect(lx, ly, 16, 10).lineWidth(0.4).strokeColor('#a0a0a0').stroke();
      d.fillColor(INK).text(String(v), lx + 19, ly + 1, { lineBreak: false });
      lx += 19 + d.widthOfString(String(v)) + 10;
    }
    if (input.highlightColumns && input.highlightColumns.size > 0) {
      d.rect(lx + 6, ly, 16, 10).fill('#f3f3f3');
      d.rect(lx + 6, ly, 16, 10).lineWidth(0.4).strokeColor('#a0a0a0').stroke();
      d.fillColor(INK).text('土日祝（閉庁日）', lx + 25, ly + 1, { lineBreak: false });
    }
    d.x = this.left;
    d.y = ly + 22;
  }

  /** Writes the running header and footer on every page, ends the document; the bytes and page count. */
  async finish(): Promise<{ bytes: Buffer; pages: number }> {
    const d = this.doc;
    const range = d.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      d.switchToPage(i);
      const page = d.page;
      const bottom = page.margins.bottom;
      page.margins.bottom = 0; // writing in the margin must not start a new page
      const w = page.width - MARGIN.left - MARGIN.right;
      d.font('jp').fontSize(7.5).fillColor(MUTED);
      if (i > range.start) {
        d.text(`${this.running.title}　${this.running.subtitle}`, MARGIN.left, 28, { width: w, align: 'left', lineBreak: false });
        d.moveTo(MARGIN.left, 42).lineTo(page.width - MARGIN.right, 42).lineWidth(0.4).strokeColor(RULE).stroke();
      }
      d.text(`作成 ${this.running.producedAt}`, MARGIN.left, page.height - 36, { width: w / 2, align: 'left', lineBreak: false });
      d.text(`${i - range.start + 1} / ${range.count} ページ`, MARGIN.left + w / 2, page.height - 36, { width: w / 2, align: 'right', lineBreak: false });
      page.margins.bottom = bottom;
    }
    const pages = range.count;
    d.end();
    return { bytes: await this.done, pages };
  }
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
