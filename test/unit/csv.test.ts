// CSV for Excel (src/domain/report/csv.ts): BOM, CRLF, RFC 4180 quoting, the formula-injection
// guard, and the round trip through the reader (Japanese, commas, quotes, line breaks, empty cells).
import { describe, expect, it } from 'vitest';
import { CSV_BOM, CsvError, csvBytes, decodeCsv, encodeCsv, needsGuard } from '../../src/domain/report/csv';
import { auditLogCsv, cardLedgerCsv, findingsCsv, residentAccessesCsv, sampleCsv } from '../../src/shared/audit-csv';

describe('writing for Excel', () => {
  it('starts with the UTF-8 BOM and ends every record with CRLF', () => {
    const text = encodeCsv(['日時', '操作者'], [['2026-11-25', '山田 花子']]);
    expect(text).toBe(`${CSV_BOM}日時,操作者\r\n2026-11-25,山田 花子\r\n`);
    const bytes = csvBytes(text);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3, 9))).toBe('日時');
    expect(encodeCsv(['a'], [], { bom: false })).toBe('a\r\n');
  });

  it('quotes by RFC 4180 only where needed', () => {
    const text = encodeCsv(['a', 'b', 'c', 'd', 'e'], [['x,y', 'say "hi"', 'line1\nline2', 'cr\rlf', 'plain']], { bom: false });
    expect(text).toBe('a,b,c,d,e\r\n"x,y","say ""hi""","line1\nline2","cr\rlf",plain\r\n');
  });

  it('writes numbers, booleans and empty cells', () => {
    expect(encodeCsv(['n', 'b', 'e', 'u'], [[-5, true, null, undefined]], { bom: false })).toBe('n,b,e,u\r\n-5,TRUE,,\r\n');
    expect(() => encodeCsv(['n'], [[Number.NaN]])).toThrow(RangeError);
    expect(() => encodeCsv(['a', 'b'], [['only one']])).toThrow(/2/);
  });

  it.each([
    ['=HYPERLINK("http://evil","x")'],
    ['+1+2'],
    ['-2+3'],
    ['@SUM(A1:A2)'],
    ['\t=1'],
    ['\r=1'],
    ["'already quoted"],
  ])('guards %j with one apostrophe, and the reader takes it off again', (value) => {
    expect(needsGuard(value)).toBe(true);
    const text = encodeCsv(['v'], [[value]], { bom: false });
    const line = text.split('\r\n')[1]!;
    expect(line.replace(/^"/, '').startsWith("'")).toBe(true);
    expect(decodeCsv(text)).toEqual([['v'], [value]]);
    expect(decodeCsv(text, { unguard: false })[1]![0]).toBe(`'${value}`);
  });

  it('does not guard ordinary text or numbers, and can be told not to guard', () => {
    for (const v of ['山田', 'a=b', 'R8-0001', '', ' =1']) expect(needsGuard(v)).toBe(false);
    expect(encodeCsv(['v'], [['=1']], { bom: false, guard: false })).toBe('v\r\n=1\r\n');
    expect(encodeCsv(['v'], [[-1]], { bom: false })).toBe('v\r\n-1\r\n');
  });
});

describe('reading', () => {
  it('round-trips Japanese, commas, quotes, line breaks, empty cells and the guard', () => {
    const rows = [
      ['山田 花子', '住民票の写し等の交付', '', '令和8年11月25日（2026年）'],
      ['a,b', '"quoted"', 'two\r\nlines', 'lf\nonly'],
      ['', '', '', ''],
      ['=cmd|\' /C calc\'!A0', '-1', '@x', "'"],
      ['髙橋 﨑子 𠮷野', '𩸽', 'tab\tinside', ' spaced '],
    ];
    const text = encodeCsv(['氏名', '目的', '備考', '日付'], rows);
    expect(decodeCsv(text)).toEqual([['氏名', '目的', '備考', '日付'], ...rows]);
  });

  it('reads LF-only files and files without a final line break', () => {
    expect(decodeCsv('a,b\nc,d')).toEqual([['a', 'b'], ['c', 'd']]);
    expect(decodeCsv('a,b\r\n"c",\r\n')).toEqual([['a', 'b'], ['c', '']]);
    expect(decodeCsv('')).toEqual([]);
  });

  it('refuses malformed CSV with a Japanese message and the line', () => {
    expect(() => decodeCsv('a,b\r\nc"d,e')).toThrow(CsvError);
    expect(() => decodeCsv('a,b\r\nc"d,e')).toThrow(/2 行目.*引用符/);
    expect(() => decodeCsv('"open\r\nnever closed')).toThrow(/閉じられていません/);
    expect(() => decodeCsv('"a"b')).toThrow(/「,」か改行/);
  });
});

describe('the exports share one set of row mappers', () => {
  it('ledger, findings, sample, explorer and who-looked tables round-trip', () => {
    const ledger = cardLedgerCsv([
      {
        terminalId: 'term-01', operatorId: 'op-yamada', operatorName: '山田 花子', cardKeyId: 'a'.repeat(64), lentAt: '2026-11-25T00:00:00.000Z', lentSeq: 2,
        returnedAt: null, returnedSeq: null, endedBy: null, open: true, returnConfirmed: { by: 'op-suzuki', byName: '鈴木 一郎', at: '2026-11-25T08:00:00.000Z', note: '=金庫に返却' },
      },
    ]);
    const back = decodeCsv(encodeCsv(ledger.header, ledger.rows));
    expect(back[0]).toEqual(ledger.header);
    expect(back[1]).toContain('=金庫に返却');
    expect(back[1]).toContain('山田 花子');
    const findings = findingsCsv([
      { id: 'f1', rule: 'relation.self', severity: 'high', explanation: '本人の記録を検索しました。', firstAt: '2026-11-25T00:00:00.000Z', lastAt: '2026-11-25T00:00:00.000Z', operatorIds: ['op-a'], terminalIds: ['t'], residentIds: ['R-1'], rows: [{ terminalId: 't', seq: 3 }], rowCount: 1 },
    ]);
    expect(decodeCsv(encodeCsv(findings.header, findings.rows))[1]).toContain('本人の記録を検索しました。');
    const sample = sampleCsv({
      items: [
        { position: 1, terminalId: 't', seq: 3, at: '2026-11-25T00:00:00.000Z', type: 'resident.search', operatorId: 'op-a', operatorName: null, purposeCategory: 'moving-in', purposeLabel: '転入届', hasCaseNumber: false, weight: 10, findings: [{ findingId: 'f1', rule: 'relation.self', severity: 'high', explanation: 'x' }], verdict: { verdict: 'inappropriate', comment: '私的な検索', by: 'op-suzuki', byName: '鈴木 一郎', at: '2026-11-26T00:00:00.000Z' }, verdictCount: 2 },
      ],
    });
    expect(decodeCsv(encodeCsv(sample.header, sample.rows))[1]).toEqual(expect.arrayContaining(['不適正', '私的な検索', 'relation.self']));
    const explorer = auditLogCsv([{ terminalId: 't', seq: 1, at: '2026-11-25T00:00:00.000Z', type: 'resident.search', outcome: 'success', operatorId: null, operatorName: null, cardKeyId: null, purposeCategory: null, hasCaseNumber: null }]);
    expect(decodeCsv(encodeCsv(explorer.header, explorer.rows))).toHaveLength(2);
    const who = residentAccessesCsv([{ at: '2026-11-25T00:00:00.000Z', kind: 'view', type: 'resident.viewed', outcome: 'success', terminalId: 't', seq: 5, operatorId: 'op-a', operatorName: '山田 花子', purposeCategory: 'moving-in', purposeLabel: '転入届', hasCaseNumber: true }]);
    const whoBack = decodeCsv(encodeCsv(who.header, who.rows));
    expect(whoBack[1]).toEqual(expect.arrayContaining(['閲覧', '転入届', 'あり']));
    expect(whoBack[1]!.some((c) => c.startsWith('令和8年11月25日'))).toBe(true);
  });
});
