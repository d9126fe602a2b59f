// The Japanese font of the PDF reports. PDF viewers have no Japanese glyphs of their own that a
// report may rely on, so the report embeds (a subset of) a CJK font found on the server:
// KUMIYAMA_REPORT_FONT (a .ttf/.otf/.ttc path; for a collection add "#PostScriptName", e.g.
// /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#NotoSansCJKjp-Regular), optionally
// KUMIYAMA_REPORT_FONT_BOLD the same way; otherwise the first of the usual places: Debian
// fonts-noto-cjk and fonts-ipaexfont / fonts-ipafont, Windows (Yu Gothic, MS Gothic, Meiryo), macOS
// (Hiragino). None found: a clear Japanese error (503 report-font-missing), no PDF with empty boxes.
import { existsSync, readFileSync } from 'node:fs';
import { ApiError } from '../http/errors';

export interface FontFace {
  path: string;
  /** The face inside a collection (.ttc), by PostScript name. */
  postscriptName?: string;
}

export interface ReportFonts {
  regular: FontFace;
  bold: FontFace;
}

const WINDOWS_FONTS = `${process.env.WINDIR ?? 'C:\\Windows'}\\Fonts`;

/** Regular and bold candidates, in order of preference. */
const CANDIDATES: readonly { regular: FontFace; bold?: FontFace }[] = [
  {
    regular: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKjp-Regular' },
    bold: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', postscriptName: 'NotoSansCJKjp-Bold' },
  },
  {
    regular: { path: '/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKjp-Regular' },
    bold: { path: '/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc', postscriptName: 'NotoSansCJKjp-Bold' },
  },
  { regular: { path: '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf' } },
  { regular: { path: '/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf' } },
  { regular: { path: '/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf' } },
  { regular: { path: '/usr/share/fonts/truetype/fonts-japanese-gothic.ttf' } },
  { regular: { path: `${WINDOWS_FONTS}\\YuGothM.ttc`, postscriptName: 'YuGothic-Medium' }, bold: { path: `${WINDOWS_FONTS}\\YuGothB.ttc`, postscriptName: 'YuGothic-Bold' } },
  { regular: { path: `${WINDOWS_FONTS}\\msgothic.ttc`, postscriptName: 'MS-Gothic' } },
  { regular: { path: `${WINDOWS_FONTS}\\meiryo.ttc`, postscriptName: 'Meiryo' }, bold: { path: `${WINDOWS_FONTS}\\meiryob.ttc`, postscriptName: 'Meiryo-Bold' } },
  { regular: { path: '/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc', postscriptName: 'HiraginoSans-W3' }, bold: { path: '/System/Library/Fonts/ヒラギノ角ゴシック W6.ttc', postscriptName: 'HiraginoSans-W6' } },
];

function parseFace(value: string): FontFace {
  const hash = value.lastIndexOf('#');
  return hash > 0 ? { path: value.slice(0, hash), postscriptName: value.slice(hash + 1) } : { path: value };
}

const missing = (detail: string) =>
  new ApiError(
    503,
    'report-font-missing',
    `PDF の作成に必要な日本語フォントが見つかりません（${detail}）。サーバーに日本語フォント（Debian: fonts-noto-cjk または fonts-ipaexfont、Windows: 游ゴシック・MS ゴシック）を入れるか、環境変数 KUMIYAMA_REPORT_FONT にフォントファイルのパスを指定してください。`,
  );

/** Where the report fonts are; throws ApiError 503 report-font-missing when there is none. */
export function findReportFonts(env: Record<string, string | undefined> = process.env, exists: (path: string) => boolean = existsSync): ReportFonts {
  const configured = env.KUMIYAMA_REPORT_FONT;
  if (configured !== undefined && configured !== '') {
    const regular = parseFace(configured);
    if (!exists(regular.path)) throw missing(`KUMIYAMA_REPORT_FONT のファイル ${regular.path} がありません`);
    const boldValue = env.KUMIYAMA_REPORT_FONT_BOLD;
    const bold = boldValue ? parseFace(boldValue) : regular;
    return { regular, bold: exists(bold.path) ? bold : regular };
  }
  for (const c of CANDIDATES) {
    if (!exists(c.regular.path)) continue;
    return { regular: c.regular, bold: c.bold && exists(c.bold.path) ? c.bold : c.regular };
  }
  throw missing('探した場所: Debian・Windows・macOS の標準の場所');
}

const cache = new Map<string, Buffer>();

/** The font file's bytes (kept in memory: a CJK collection is large and read once). */
export function fontBytes(face: FontFace): Buffer {
  let bytes = cache.get(face.path);
  if (!bytes) {
    try {
      bytes = readFileSync(face.path);
    } catch {
      throw missing(`${face.path} を読めません`);
    }
    cache.set(face.path, bytes);
  }
  return bytes;
}
