// A synthetic town for the demo, the tests and the benchmarks (issue 4 item 5): 組山町 (Kumiyama-chō,
// fictional), its ten districts, and households of residents with names in kanji and kana (variant
// kanji included: 髙橋/高橋, 山﨑/山崎, 渡邊/渡邉/渡辺, 齋藤/齊藤/斎藤/斉藤, 澤田/沢田, 國分/国分, 濱田/浜田 …),
// birth dates from 大正 to 令和, addresses with 番地/丁目, valid and unique 住民票コード, and a change
// history consistent with the rest of the record.
//
// NO REAL PERSONAL DATA: every person is an invented combination of common family names, common
// given names of their generation, a made-up town and random dates. The only real names are
// municipalities (in "moved from / moved to" notes), never a person's address.
//
// Deterministic: the same options give the same residents, on every platform (its own PRNG,
// mulberry32, never Math.random; integer day arithmetic, never the local time zone). Streaming:
// `syntheticResidents` yields one resident at a time, so 1,000,000 can be produced without holding
// them; each household is generated from (seed, the number of its first member) alone, so a shorter
// run is a prefix of a longer one (its last household may be cut short). Pure: no Node or DOM APIs.
import { withCheckDigit } from './resident-code';

export type SyntheticSex = 'male' | 'female';
export type SyntheticStatus = 'resident' | 'moved-out' | 'deceased';
export type SyntheticHistoryKind = 'birth' | 'moved-in' | 'moved-within' | 'name-changed' | 'code-changed' | 'moved-out' | 'deceased' | 'corrected';

export interface SyntheticHistoryEntry {
  /** YYYY-MM-DD. */
  date: string;
  kind: SyntheticHistoryKind;
  /** Short Japanese description (≤ 200 characters). */
  note: string;
}

/**
 * One resident: the fields of the wire `Resident` (src/shared/resident-api.ts) without `version`,
 * which the server's directory assigns. Defined here because the domain may not import src/shared.
 */
export interface SyntheticResident {
  /** `R` + the resident number, 8 digits or more: R00000001. */
  id: string;
  /** 住民票コード: 10 digits + check digit, unique per seed. */
  code: string;
  /** Family and given name separated by one full-width space (U+3000). */
  name: string;
  /** Katakana, separated like `name`. */
  kana: string;
  birthDate: string;
  sex: SyntheticSex;
  address: string;
  householdId: string;
  status: SyntheticStatus;
  /** Oldest first; the first entry is how the person came onto the register (birth or moved-in). */
  history: SyntheticHistoryEntry[];
}

/** 続柄, relative to the head of the household (世帯主). */
export type SyntheticRelation = 'head' | 'spouse' | 'child' | 'parent';

export interface SyntheticMember {
  relation: SyntheticRelation;
  resident: SyntheticResident;
}

export interface SyntheticHousehold {
  /** `H` + the resident number of its first member. */
  id: string;
  address: string;
  familyName: string;
  familyKana: string;
  /** Head first, then spouse, children, the head's parents. */
  members: SyntheticMember[];
}

export interface SyntheticTownOptions {
  /** Any integer; taken modulo 2^32. */
  seed: number;
  /** The first resident number (default 1): ids and codes follow from it, so batches with different ranges never collide. */
  startId?: number;
  /** The day the register is drawn up (YYYY-MM-DD, default SYNTHETIC_TOWN_AS_OF): nobody is born or moves after it. */
  asOf?: string;
}

export const SYNTHETIC_TOWN_NAME = '組山町';
export const SYNTHETIC_TOWN_KANA = 'クミヤマチョウ';
/** A fixed default, so that the same seed gives the same town whenever it is generated. */
export const SYNTHETIC_TOWN_AS_OF = '2026-04-01';
/** Separator of family and given name in `name` and `kana`. */
export const NAME_SEPARATOR = '\u3000';
export const MAX_AGE = 105;
/** Resident numbers must stay below this (the code permutes 10 digits). */
export const MAX_RESIDENT_NUMBER = 9_999_999_999;

// ---------------------------------------------------------------------------------------------
// Random numbers: mulberry32 (32-bit state, fast, good enough for test data) and an integer mixer
// to derive independent streams from (seed, number).

/** mulberry32: a deterministic generator of floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit hash of two 32-bit values (murmur3's finaliser over a combination). */
function mix32(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x85ebca6b) ^ Math.imul((b >>> 0) ^ 0x9e3779b9, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stream seed for (seed, n) where n may exceed 2^32. */
function streamSeed(seed: number, salt: number, n: number): number {
  const low = n % 4294967296;
  const high = Math.floor(n / 4294967296);
  return mix32(mix32(mix32(seed, salt), low), high);
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** A table of weighted choices, picked by binary search over cumulative weights. */
class Weighted<T> {
  private readonly items: T[] = [];
  private readonly cumulative: number[] = [];
  private total = 0;
  constructor(entries: readonly (readonly [T, number])[]) {
    for (const [item, weight] of entries) {
      if (!(weight > 0)) continue;
      this.total += weight;
      this.items.push(item);
      this.cumulative.push(this.total);
    }
  }
  pick(rng: Rng): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Dates as day numbers (days since 1970-01-01), proleptic Gregorian; no Date, no time zone.

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

function isoDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

function parseIsoDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${text}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const days = daysFromCivil(y, m, d);
  if (isoDate(days) !== text) throw new RangeError(`not a real date: ${text}`);
  return days;
}

/** The same calendar day `years` later (earlier when negative); 29 February → 28 February. */
function addYears(days: number, years: number): number {
  const [y, m, d] = civilFromDays(days);
  const target = y + years;
  const leap = (target % 4 === 0 && target % 100 !== 0) || target % 400 === 0;
  return daysFromCivil(target, m, m === 2 && d === 29 && !leap ? 28 : d);
}

/** Full years from `birth` to `on`. */
function ageOn(birth: number, on: number): number {
  const [by, bm, bd] = civilFromDays(birth);
  const [y, m, d] = civilFromDays(on);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

function yearOf(days: number): number {
  return civilFromDays(days)[0];
}

/** Birth days for an age in [ageLo, ageHi] on day t. */
function birthForAge(rng: Rng, t: number, ageLo: number, ageHi: number): number {
  const earliest = addYears(t, -(ageHi + 1)) + 1;
  const latest = addYears(t, -ageLo);
  return rng.int(earliest, latest);
}

// Era boundaries and leap days: a few births fall on them on purpose (search and display edge cases).
const NOTABLE_BIRTHS = ['1926-12-24', '1926-12-25', '1964-02-29', '1989-01-07', '1989-01-08', '2000-02-29', '2019-04-30', '2019-05-01'].map(parseIsoDate);
const NOTABLE_SHARE = 0.004;

/** Sometimes replaces a birth day by a notable day that also lies in [lo, hi]. */
function maybeNotable(rng: Rng, birth: number, lo: number, hi: number): number {
  if (!rng.chance(NOTABLE_SHARE)) return birth;
  const fitting = NOTABLE_BIRTHS.filter((day) => day >= lo && day <= hi);
  return fitting.length > 0 ? rng.pick(fitting) : birth;
}

// ---------------------------------------------------------------------------------------------
// Names. Weights are rough national frequencies (per 10,000 people, rounded): common names are
// common here too. Old and variant kanji share the kana of their standard form.

type NameEntry = readonly [kanji: string, kana: string, weight: number];

const FAMILY_NAMES: readonly NameEntry[] = [
  ['佐藤', 'サトウ', 185], ['鈴木', 'スズキ', 178], ['高橋', 'タカハシ', 136], ['髙橋', 'タカハシ', 6], ['田中', 'タナカ', 140],
  ['伊藤', 'イトウ', 107], ['渡辺', 'ワタナベ', 94], ['渡邊', 'ワタナベ', 5], ['渡邉', 'ワタナベ', 5], ['渡部', 'ワタナベ', 5],
  ['山本', 'ヤマモト', 110], ['中村', 'ナカムラ', 108], ['小林', 'コバヤシ', 101], ['加藤', 'カトウ', 89], ['吉田', 'ヨシダ', 83],
  ['𠮷田', 'ヨシダ', 1], ['山田', 'ヤマダ', 81], ['佐々木', 'ササキ', 68], ['山口', 'ヤマグチ', 64], ['松本', 'マツモト', 62],
  ['井上', 'イノウエ', 64], ['木村', 'キムラ', 57], ['林', 'ハヤシ', 53], ['斎藤', 'サイトウ', 40], ['斉藤', 'サイトウ', 33],
  ['齋藤', 'サイトウ', 9], ['齊藤', 'サイトウ', 4], ['清水', 'シミズ', 52], ['山崎', 'ヤマザキ', 45], ['山﨑', 'ヤマザキ', 4],
  ['森', 'モリ', 46], ['池田', 'イケダ', 45], ['橋本', 'ハシモト', 45], ['阿部', 'アベ', 45], ['石川', 'イシカワ', 43],
  ['山下', 'ヤマシタ', 42], ['中島', 'ナカジマ', 35], ['中島', 'ナカシマ', 6], ['石井', 'イシイ', 41], ['小川', 'オガワ', 40],
  ['前田', 'マエダ', 42], ['岡田', 'オカダ', 39], ['長谷川', 'ハセガワ', 39], ['藤田', 'フジタ', 38], ['後藤', 'ゴトウ', 38],
  ['近藤', 'コンドウ', 37], ['村上', 'ムラカミ', 36], ['遠藤', 'エンドウ', 34], ['青木', 'アオキ', 34], ['坂本', 'サカモト', 33],
  ['福田', 'フクダ', 32], ['太田', 'オオタ', 32], ['西村', 'ニシムラ', 33], ['藤井', 'フジイ', 32], ['金子', 'カネコ', 30],
  ['岡本', 'オカモト', 32], ['藤原', 'フジワラ', 31], ['中野', 'ナカノ', 30], ['三浦', 'ミウラ', 29], ['原田', 'ハラダ', 29],
  ['中川', 'ナカガワ', 29], ['松田', 'マツダ', 29], ['竹内', 'タケウチ', 29], ['小野', 'オノ', 28], ['田村', 'タムラ', 28],
  ['中山', 'ナカヤマ', 27], ['和田', 'ワダ', 27], ['石田', 'イシダ', 27], ['森田', 'モリタ', 26], ['上田', 'ウエダ', 28],
  ['原', 'ハラ', 26], ['内田', 'ウチダ', 26], ['柴田', 'シバタ', 26], ['酒井', 'サカイ', 25], ['宮崎', 'ミヤザキ', 25],
  ['横山', 'ヨコヤマ', 25], ['高木', 'タカギ', 23], ['髙木', 'タカギ', 2], ['安藤', 'アンドウ', 24], ['宮本', 'ミヤモト', 24],
  ['大野', 'オオノ', 24], ['小島', 'コジマ', 23], ['谷口', 'タニグチ', 25], ['今井', 'イマイ', 23], ['高田', 'タカダ', 23],
  ['丸山', 'マルヤマ', 22], ['増田', 'マスダ', 22], ['杉山', 'スギヤマ', 22], ['村田', 'ムラタ', 22], ['大塚', 'オオツカ', 22],
  ['小山', 'コヤマ', 22], ['平野', 'ヒラノ', 22], ['藤本', 'フジモト', 21], ['久保', 'クボ', 21], ['松井', 'マツイ', 21],
  ['岩崎', 'イワサキ', 20], ['桜井', 'サクライ', 17], ['櫻井', 'サクライ', 5], ['木下', 'キノシタ', 20], ['野口', 'ノグチ', 20],
  ['松尾', 'マツオ', 20], ['菊地', 'キクチ', 20], ['菊池', 'キクチ', 22], ['野村', 'ノムラ', 20], ['新井', 'アライ', 20],
  ['沢田', 'サワダ', 12], ['澤田', 'サワダ', 8], ['浜田', 'ハマダ', 15], ['濱田', 'ハマダ', 5], ['国分', 'コクブ', 4],
  ['國分', 'コクブ', 1], ['広瀬', 'ヒロセ', 12], ['廣瀬', 'ヒロセ', 3], ['島田', 'シマダ', 17], ['嶋田', 'シマダ', 5],
  ['大沢', 'オオサワ', 6], ['大澤', 'オオサワ', 5], ['藤沢', 'フジサワ', 7], ['藤澤', 'フジサワ', 4], ['河野', 'コウノ', 8],
  ['河野', 'カワノ', 4], ['川崎', 'カワサキ', 12], ['川﨑', 'カワサキ', 1], ['西田', 'ニシダ', 18], ['北村', 'キタムラ', 18],
  ['奥田', 'オクダ', 14], ['辻', 'ツジ', 14], ['吉川', 'ヨシカワ', 16], ['寺田', 'テラダ', 13], ['堀', 'ホリ', 12],
  ['上野', 'ウエノ', 16], ['関', 'セキ', 14], ['東', 'ヒガシ', 10], ['小西', 'コニシ', 10], ['服部', 'ハットリ', 13],
  ['八木', 'ヤギ', 8], ['中西', 'ナカニシ', 14], ['岸本', 'キシモト', 9], ['福井', 'フクイ', 8], ['大西', 'オオニシ', 13],
  ['今村', 'イマムラ', 12], ['堀田', 'ホッタ', 6], ['別所', 'ベッショ', 2], ['一色', 'イッシキ', 1], ['富田', 'トミタ', 10],
  ['冨田', 'トミタ', 3], ['長田', 'ナガタ', 6], ['長田', 'オサダ', 3], ['荻野', 'オギノ', 5], ['萩野', 'ハギノ', 3],
];

/** Given names by generation (the last birth year of the band) and sex. */
const GIVEN_NAMES: readonly { until: number; male: readonly NameEntry[]; female: readonly NameEntry[] }[] = [
  {
    until: 1935,
    male: [
      ['清', 'キヨシ', 9], ['茂', 'シゲル', 8], ['勇', 'イサム', 7], ['正雄', 'マサオ', 7], ['博', 'ヒロシ', 6], ['実', 'ミノル', 6],
      ['武', 'タケシ', 5], ['三郎', 'サブロウ', 5], ['正', 'タダシ', 5], ['進', 'ススム', 5], ['弘', 'ヒロシ', 4], ['稔', 'ミノル', 4],
      ['義雄', 'ヨシオ', 4], ['一郎', 'イチロウ', 4], ['次郎', 'ジロウ', 4], ['勝', 'マサル', 4], ['久雄', 'ヒサオ', 3], ['正一', 'ショウイチ', 3],
      ['幸雄', 'ユキオ', 3], ['庄吉', 'ショウキチ', 2], ['源治', 'ゲンジ', 2], ['寅雄', 'トラオ', 2],
    ],
    female: [
      ['和子', 'カズコ', 8], ['幸子', 'サチコ', 7], ['節子', 'セツコ', 7], ['久子', 'ヒサコ', 5], ['文子', 'フミコ', 5], ['静子', 'シズコ', 5],
      ['千代子', 'チヨコ', 5], ['春子', 'ハルコ', 4], ['キヨ', 'キヨ', 4], ['ハル', 'ハル', 4], ['秋子', 'アキコ', 3], ['トシ', 'トシ', 3],
      ['正子', 'マサコ', 4], ['美代子', 'ミヨコ', 4], ['芳子', 'ヨシコ', 4], ['八重子', 'ヤエコ', 3], ['照子', 'テルコ', 3], ['光子', 'ミツコ', 3],
      ['清子', 'キヨコ', 3], ['初江', 'ハツエ', 2], ['澄子', 'スミコ', 3], ['キョウ', 'キョウ', 1], ['シヅ', 'シヅ', 1],
    ],
  },
  {
    until: 1955,
    male: [
      ['博', 'ヒロシ', 8], ['隆', 'タカシ', 7], ['茂', 'シゲル', 4], ['誠', 'マコト', 5], ['修', 'オサム', 6], ['豊', 'ユタカ', 5],
      ['明', 'アキラ', 5], ['和夫', 'カズオ', 6], ['功', 'イサオ', 4], ['進', 'ススム', 4], ['正和', 'マサカズ', 3], ['昭二', 'ショウジ', 4],
      ['健二', 'ケンジ', 4], ['孝', 'タカシ', 4], ['忠', 'タダシ', 3], ['洋一', 'ヨウイチ', 4], ['秀雄', 'ヒデオ', 3], ['純一', 'ジュンイチ', 3],
      ['俊夫', 'トシオ', 4], ['勝利', 'カツトシ', 2], ['譲', 'ユズル', 2], ['征四郎', 'セイシロウ', 1],
    ],
    female: [
      ['恵子', 'ケイコ', 8], ['京子', 'キョウコ', 6], ['洋子', 'ヨウコ', 7], ['幸子', 'サチコ', 5], ['和子', 'カズコ', 5], ['節子', 'セツコ', 3],
      ['悦子', 'エツコ', 5], ['美智子', 'ミチコ', 6], ['弘子', 'ヒロコ', 5], ['良子', 'ヨシコ', 3], ['良子', 'リョウコ', 1], ['順子', 'ジュンコ', 5],
      ['信子', 'ノブコ', 4], ['昌子', 'マサコ', 4], ['礼子', 'レイコ', 3], ['祥子', 'ショウコ', 2], ['紀子', 'ノリコ', 4], ['早苗', 'サナエ', 3],
      ['啓子', 'ケイコ', 3], ['久美子', 'クミコ', 3],
    ],
  },
  {
    until: 1975,
    male: [
      ['誠', 'マコト', 8], ['浩', 'ヒロシ', 6], ['健一', 'ケンイチ', 5], ['哲也', 'テツヤ', 5], ['隆', 'タカシ', 4], ['博之', 'ヒロユキ', 5],
      ['和也', 'カズヤ', 5], ['秀樹', 'ヒデキ', 5], ['浩二', 'コウジ', 5], ['達也', 'タツヤ', 4], ['淳', 'ジュン', 3], ['俊介', 'シュンスケ', 2],
      ['亮', 'リョウ', 2], ['修', 'オサム', 3], ['健', 'ケン', 3], ['聡', 'サトシ', 4], ['剛', 'ツヨシ', 4], ['竜二', 'リュウジ', 2],
      ['恭介', 'キョウスケ', 2], ['真一', 'シンイチ', 4], ['伸一', 'シンイチ', 3], ['裕之', 'ヒロユキ', 4], ['正樹', 'マサキ', 3], ['英樹', 'ヒデキ', 3],
      ['康弘', 'ヤスヒロ', 3], ['勇次郎', 'ユウジロウ', 1],
    ],
    female: [
      ['由美子', 'ユミコ', 7], ['久美子', 'クミコ', 7], ['裕子', 'ユウコ', 7], ['恵美', 'エミ', 4], ['真由美', 'マユミ', 6], ['智子', 'トモコ', 7],
      ['京子', 'キョウコ', 3], ['陽子', 'ヨウコ', 5], ['直美', 'ナオミ', 6], ['明美', 'アケミ', 5], ['美香', 'ミカ', 4], ['香織', 'カオリ', 4],
      ['由紀', 'ユキ', 3], ['理恵', 'リエ', 4], ['純子', 'ジュンコ', 4], ['典子', 'ノリコ', 4], ['祥子', 'ショウコ', 3], ['淳子', 'ジュンコ', 3],
      ['恭子', 'キョウコ', 4], ['涼子', 'リョウコ', 2], ['千尋', 'チヒロ', 2], ['めぐみ', 'メグミ', 2],
    ],
  },
  {
    until: 1995,
    male: [
      ['大輔', 'ダイスケ', 7], ['翔太', 'ショウタ', 5], ['拓也', 'タクヤ', 7], ['健太', 'ケンタ', 6], ['達也', 'タツヤ', 5], ['直樹', 'ナオキ', 5],
      ['和也', 'カズヤ', 5], ['亮', 'リョウ', 4], ['涼', 'リョウ', 2], ['翔', 'ショウ', 3], ['雄太', 'ユウタ', 4], ['祐介', 'ユウスケ', 4],
      ['大介', 'ダイスケ', 4], ['誠', 'マコト', 3], ['剛', 'ツヨシ', 3], ['隼人', 'ハヤト', 3], ['俊', 'シュン', 2], ['勇気', 'ユウキ', 3],
      ['雄一', 'ユウイチ', 3], ['匠', 'タクミ', 2], ['慎吾', 'シンゴ', 3], ['純平', 'ジュンペイ', 3], ['恭平', 'キョウヘイ', 3], ['亮太', 'リョウタ', 4],
    ],
    female: [
      ['愛', 'アイ', 6], ['彩', 'アヤ', 4], ['舞', 'マイ', 4], ['美穂', 'ミホ', 5], ['智美', 'トモミ', 4], ['真由美', 'マユミ', 2],
      ['恵', 'メグミ', 5], ['麻衣', 'マイ', 4], ['沙織', 'サオリ', 5], ['友美', 'トモミ', 3], ['優子', 'ユウコ', 4], ['由佳', 'ユカ', 5],
      ['裕美', 'ヒロミ', 3], ['彩香', 'アヤカ', 4], ['千尋', 'チヒロ', 3], ['早紀', 'サキ', 3], ['美紀', 'ミキ', 4], ['綾', 'アヤ', 3],
      ['絵美', 'エミ', 3], ['瞳', 'ヒトミ', 4], ['京香', 'キョウカ', 2], ['麻美', 'アサミ', 3], ['奈津子', 'ナツコ', 2],
    ],
  },
  {
    until: 2012,
    male: [
      ['翔太', 'ショウタ', 6], ['大翔', 'ヒロト', 5], ['蓮', 'レン', 5], ['拓海', 'タクミ', 5], ['悠斗', 'ユウト', 5], ['優', 'ユウ', 3],
      ['陸', 'リク', 4], ['颯太', 'ソウタ', 5], ['優希', 'ユウキ', 4], ['大輝', 'ダイキ', 5], ['翔', 'ショウ', 4], ['健太', 'ケンタ', 3],
      ['悠真', 'ユウマ', 4], ['陽斗', 'ハルト', 3], ['海斗', 'カイト', 4], ['涼太', 'リョウタ', 4], ['駿', 'シュン', 3], ['拓真', 'タクマ', 3],
      ['翼', 'ツバサ', 3], ['瑛太', 'エイタ', 3], ['雄大', 'ユウダイ', 2], ['龍之介', 'リュウノスケ', 2], ['恭平', 'キョウヘイ', 1],
    ],
    female: [
      ['美咲', 'ミサキ', 6], ['葵', 'アオイ', 5], ['結衣', 'ユイ', 5], ['陽菜', 'ヒナ', 5], ['さくら', 'サクラ', 4], ['七海', 'ナナミ', 4],
      ['優花', 'ユウカ', 4], ['美羽', 'ミウ', 4], ['彩花', 'アヤカ', 4], ['莉子', 'リコ', 4], ['愛美', 'マナミ', 3], ['真央', 'マオ', 3],
      ['遥', 'ハルカ', 4], ['萌', 'モエ', 3], ['千尋', 'チヒロ', 2], ['杏奈', 'アンナ', 2], ['優奈', 'ユウナ', 4], ['菜々子', 'ナナコ', 2],
      ['琴音', 'コトネ', 2], ['珠希', 'タマキ', 1], ['綾乃', 'アヤノ', 2], ['亜美', 'アミ', 2], ['京華', 'キョウカ', 1],
    ],
  },
  {
    until: 9999,
    male: [
      ['陽翔', 'ハルト', 6], ['蓮', 'レン', 6], ['湊', 'ミナト', 6], ['蒼', 'アオイ', 5], ['悠真', 'ユウマ', 4], ['律', 'リツ', 4],
      ['樹', 'イツキ', 4], ['大和', 'ヤマト', 4], ['朝陽', 'アサヒ', 4], ['悠人', 'ユウト', 4], ['碧', 'アオイ', 3], ['陽向', 'ヒナタ', 3],
      ['颯真', 'ソウマ', 3], ['新', 'アラタ', 3], ['凪', 'ナギ', 2], ['奏太', 'ソウタ', 3], ['蒼空', 'ソラ', 3], ['旭', 'アサヒ', 2],
      ['伊吹', 'イブキ', 2], ['隼', 'ジュン', 2], ['柊', 'シュウ', 3], ['龍', 'リュウ', 2], ['翔', 'ショウ', 1], ['湧', 'ユウ', 1],
    ],
    female: [
      ['紬', 'ツムギ', 6], ['陽葵', 'ヒマリ', 6], ['凛', 'リン', 5], ['凜', 'リン', 2], ['芽依', 'メイ', 5], ['翠', 'スイ', 3],
      ['杏', 'アン', 4], ['結菜', 'ユイナ', 4], ['澪', 'ミオ', 4], ['葵', 'アオイ', 4], ['咲良', 'サクラ', 3], ['詩', 'ウタ', 2],
      ['心春', 'コハル', 4], ['結月', 'ユヅキ', 3], ['美月', 'ミツキ', 3], ['ひなた', 'ヒナタ', 2], ['莉子', 'リコ', 3], ['彩葉', 'イロハ', 3],
      ['千紘', 'チヒロ', 2], ['柚希', 'ユズキ', 2], ['ゆい', 'ユイ', 2], ['杏樹', 'アンジュ', 1],
    ],
  },
];

/**
 * 外国人住民 (registered since 2012): names as registered (alphabet, or kanji for some Chinese and
 * Korean names) with the kana the town keeps for them — long vowel marks included.
 */
const FOREIGN_FAMILIES: readonly { family: NameEntry; male: readonly NameEntry[]; female: readonly NameEntry[] }[] = [
  {
    family: ['NGUYEN', 'グエン', 5],
    male: [['VAN MINH', 'ヴァン・ミン', 1], ['DUC', 'ドゥック', 1], ['QUANG', 'クアン', 1], ['HOANG', 'ホアン', 1]],
    female: [['THI LAN', 'ティ・ラン', 1], ['HOA', 'ホア', 1], ['LINH', 'リン', 1], ['NGOC ANH', 'ゴック・アイン', 1]],
  },
  {
    family: ['TRAN', 'チャン', 2],
    male: [['VAN HUNG', 'ヴァン・フン', 1], ['BAO', 'バオ', 1], ['KHANH', 'カイン', 1], ['TUAN', 'トゥアン', 1]],
    female: [['THI THAO', 'ティ・タオ', 1], ['MAI', 'マイ', 1], ['HUONG', 'フオン', 1], ['TRANG', 'チャン', 1]],
  },
  {
    family: ['SILVA', 'シルバ', 2],
    male: [['LUCAS', 'ルーカス', 1], ['GABRIEL', 'ガブリエル', 1], ['RAFAEL', 'ハファエル', 1], ['THIAGO', 'チアゴ', 1]],
    female: [['MARIA', 'マリア', 1], ['ANA', 'アナ', 1], ['JULIA', 'ジュリア', 1], ['CAMILA', 'カミラ', 1]],
  },
  {
    family: ['SANTOS', 'サントス', 1],
    male: [['PEDRO', 'ペドロ', 1], ['MATEUS', 'マテウス', 1], ['BRUNO', 'ブルーノ', 1], ['DIEGO', 'ジエゴ', 1]],
    female: [['BEATRIZ', 'ベアトリス', 1], ['LARISSA', 'ラリッサ', 1], ['FERNANDA', 'フェルナンダ', 1], ['LUANA', 'ルアナ', 1]],
  },
  {
    family: ['王', 'ワン', 2],
    male: [['偉', 'ウェイ', 1], ['浩宇', 'ハオユー', 1], ['俊傑', 'ジュンジエ', 1], ['子軒', 'ズーシュエン', 1]],
    female: [['静', 'ジン', 1], ['芳', 'ファン', 1], ['雨桐', 'ユートン', 1], ['欣怡', 'シンイー', 1]],
  },
  {
    family: ['陳', 'チェン', 1],
    male: [['磊', 'レイ', 1], ['志強', 'ジーチャン', 1], ['明', 'ミン', 1], ['宇航', 'ユーハン', 1]],
    female: [['麗', 'リー', 1], ['雪', 'シュエ', 1], ['婷', 'ティン', 1], ['佳琪', 'ジアチー', 1]],
  },
  {
    family: ['金', 'キム', 2],
    male: [['民俊', 'ミンジュン', 1], ['賢宇', 'ヒョヌ', 1], ['智勲', 'ジフン', 1], ['在賢', 'ジェヒョン', 1]],
    female: [['智恩', 'ジウン', 1], ['秀妍', 'スヨン', 1], ['瑞賢', 'ソヒョン', 1], ['恩静', 'ウンジョン', 1]],
  },
  {
    family: ['SMITH', 'スミス', 1],
    male: [['THOMAS', 'トーマス', 1], ['GEORGE', 'ジョージ', 1], ['JAMES', 'ジェームズ', 1], ['HENRY', 'ヘンリー', 1]],
    female: [['EMILY', 'エミリー', 1], ['SOPHIE', 'ソフィー', 1], ['GRACE', 'グレース', 1], ['ALICE', 'アリス', 1]],
  },
  {
    family: ['MILLER', 'ミラー', 1],
    male: [['DANIEL', 'ダニエル', 1], ['OLIVER', 'オリバー', 1], ['SAMUEL', 'サミュエル', 1], ['NOAH', 'ノア', 1]],
    female: [['CHLOE', 'クロエ', 1], ['LUCY', 'ルーシー', 1], ['HANNAH', 'ハンナ', 1], ['OLIVIA', 'オリビア', 1]],
  },
];

const familyTable = new Weighted(FAMILY_NAMES.map((entry) => [entry, entry[2]] as const));
const givenTables = GIVEN_NAMES.map((band) => ({
  until: band.until,
  male: { table: new Weighted(band.male.map((entry) => [entry, entry[2]] as const)), entries: band.male },
  female: { table: new Weighted(band.female.map((entry) => [entry, entry[2]] as const)), entries: band.female },
}));
const foreignTable = new Weighted(FOREIGN_FAMILIES.map((family) => [family, family.family[2]] as const));

function givenTableFor(birth: number, sex: SyntheticSex): { table: Weighted<NameEntry>; entries: readonly NameEntry[] } {
  const year = yearOf(birth);
  const band = givenTables.find((b) => year <= b.until) ?? givenTables[givenTables.length - 1]!;
  return band[sex];
}

// ---------------------------------------------------------------------------------------------
// The town: ten districts, six 大字 (番地 addresses) and four 丁目 areas (番・号 addresses).

interface District {
  name: string;
  kind: 'oaza' | 'chome';
  /** 丁目 count (chome) or highest 番地 (oaza). */
  size: number;
  weight: number;
  apartments: readonly string[];
}

export const SYNTHETIC_DISTRICTS: readonly District[] = [
  { name: '大字北島', kind: 'oaza', size: 1800, weight: 12, apartments: ['コーポ北島', 'ハイツ北島'] },
  { name: '大字南野', kind: 'oaza', size: 1500, weight: 10, apartments: ['南野荘'] },
  { name: '大字東田', kind: 'oaza', size: 1200, weight: 8, apartments: ['メゾン東田'] },
  { name: '大字西川', kind: 'oaza', size: 1400, weight: 9, apartments: ['西川マンション', 'レジデンス西川'] },
  { name: '大字森山', kind: 'oaza', size: 900, weight: 6, apartments: [] },
  { name: '大字佐古田', kind: 'oaza', size: 700, weight: 5, apartments: ['佐古田団地'] },
  { name: '中央', kind: 'chome', size: 3, weight: 15, apartments: ['グランドール中央', 'サンハイツ組山', '組山中央ビル'] },
  { name: '駅前', kind: 'chome', size: 2, weight: 10, apartments: ['ステーションコート組山', 'アーバンライフ駅前'] },
  { name: '緑ケ丘', kind: 'chome', size: 4, weight: 14, apartments: ['緑ケ丘住宅'] },
  { name: '桜台', kind: 'chome', size: 3, weight: 11, apartments: ['パークサイド桜台'] },
];

const districtTable = new Weighted(SYNTHETIC_DISTRICTS.map((d) => [d, d.weight] as const));
const KANJI_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

function address(rng: Rng): string {
  const district = districtTable.pick(rng);
  let text: string;
  if (district.kind === 'oaza') {
    text = `${SYNTHETIC_TOWN_NAME}${district.name}${rng.int(1, district.size)}番地`;
    if (rng.chance(0.3)) text += `の${rng.int(1, 12)}`;
  } else {
    text = `${SYNTHETIC_TOWN_NAME}${district.name}${KANJI_DIGITS[rng.int(1, district.size)]}丁目${rng.int(1, 28)}番${rng.int(1, 30)}号`;
  }
  if (district.apartments.length > 0 && rng.chance(district.kind === 'chome' ? 0.25 : 0.1)) {
    const building = rng.pick(district.apartments);
    const room = `${rng.int(1, building.includes('団地') || building.includes('住宅') ? 5 : 8)}${pad2(rng.int(1, 12))}`;
    text += building.includes('団地') || building.includes('住宅') ? `　${building}${rng.pick(['A', 'B', 'C'])}棟${room}号室` : `　${building}${room}号室`;
  }
  return text;
}

// Municipalities people move in from and out to (real place names, never a person's address).
const ELSEWHERE: readonly (readonly [string, number])[] = [
  ['京都府宇治市', 12], ['京都府城陽市', 8], ['京都府京都市伏見区', 12], ['京都府京都市南区', 5], ['京都府八幡市', 7],
  ['京都府長岡京市', 4], ['大阪府枚方市', 6], ['大阪府大阪市北区', 4], ['大阪府高槻市', 4], ['大阪府吹田市', 3],
  ['奈良県奈良市', 4], ['滋賀県大津市', 4], ['兵庫県神戸市灘区', 3], ['兵庫県西宮市', 2], ['東京都世田谷区', 3],
  ['東京都練馬区', 2], ['神奈川県横浜市港北区', 2], ['愛知県名古屋市昭和区', 2], ['福岡県福岡市中央区', 2], ['北海道札幌市北区', 1],
  ['広島県広島市中区', 1], ['宮城県仙台市青葉区', 1], ['石川県金沢市', 1], ['三重県津市', 1], ['和歌山県和歌山市', 1],
];
const elsewhereTable = new Weighted(ELSEWHERE);
const ABROAD: readonly string[] = ['国外（ベトナム）', '国外（ブラジル）', '国外（中国）', '国外（韓国）', '国外（アメリカ合衆国）', '国外（英国）'];

// ---------------------------------------------------------------------------------------------
// 住民票コード: the resident number through a 4-round Feistel permutation of [0, 10^10) keyed by
// the seed (unique per seed, random-looking), then the check digit.

const HALF = 100_000;

function feistelRound(half: number, key: number): number {
  let h = Math.imul(half ^ key, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) % HALF;
}

function permuteTenDigits(n: number, keys: readonly number[]): number {
  let left = Math.floor(n / HALF);
  let right = n % HALF;
  for (const key of keys) {
    const next = (left + feistelRound(right, key)) % HALF;
    left = right;
    right = next;
  }
  return left * HALF + right;
}

let cachedSeed = -1;
let cachedKeys: readonly number[] = [];

function feistelKeys(seed: number): readonly number[] {
  if (seed !== cachedSeed) {
    cachedKeys = [0, 1, 2, 3].map((round) => mix32(mix32(seed, 0x5eed), round));
    cachedSeed = seed;
  }
  return cachedKeys;
}

/** The 住民票コード of resident number `n` in the town of `seed` (valid check digit). */
export function syntheticResidentCode(seed: number, n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > MAX_RESIDENT_NUMBER) throw new RangeError(`resident number out of range: ${n}`);
  const permuted = permuteTenDigits(n, feistelKeys(seed >>> 0));
  return withCheckDigit(String(permuted).padStart(10, '0'));
}

export function syntheticResidentId(n: number): string {
  return `R${String(n).padStart(8, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Households.

interface Draft {
  relation: SyntheticRelation;
  sex: SyntheticSex;
  birth: number;
  given: NameEntry;
  /** Where the record starts (birth or moving in) and its other events, unsorted. */
  events: { day: number; kind: SyntheticHistoryKind; note: string }[];
  status: SyntheticStatus;
}

type HouseholdKind = 'single' | 'couple' | 'nuclear' | 'single-parent' | 'three-generation';

const childCounts = new Weighted<number>([[1, 40], [2, 45], [3, 15]]);

const householdKinds = new Weighted<HouseholdKind>([
  ['single', 24],
  ['couple', 22],
  ['nuclear', 36],
  ['single-parent', 7],
  ['three-generation', 11],
]);

/** Age of a person living alone: young singles, and many elderly people on their own. */
const singleAgeBands = new Weighted<readonly [number, number]>([
  [[18, 29], 25],
  [[30, 49], 20],
  [[50, 64], 15],
  [[65, 84], 28],
  [[85, MAX_AGE], 12],
]);

function drawSingleAge(rng: Rng): [number, number] {
  const [lo, hi] = singleAgeBands.pick(rng);
  if (lo < 85) return [lo, hi];
  // Fewer and fewer people the older: 85 + 20·r^2.5.
  const age = 85 + Math.floor((hi - 85 + 1) * Math.pow(rng.next(), 2.5));
  return [age, age];
}

class HouseholdBuilder {
  readonly drafts: Draft[] = [];
  private readonly used = new Set<string>();
  constructor(
    readonly rng: Rng,
    readonly foreign: (typeof FOREIGN_FAMILIES)[number] | null,
  ) {}

  person(relation: SyntheticRelation, sex: SyntheticSex, birth: number): Draft {
    const table = this.foreign ? null : givenTableFor(birth, sex);
    let given: NameEntry = this.foreign ? this.rng.pick(this.foreign[sex]) : table!.table.pick(this.rng);
    // Nobody in a household shares a given name (a father and son both called 誠 would be odd).
    for (let tries = 0; tries < 8 && this.used.has(given[1]); tries++) given = this.foreign ? this.rng.pick(this.foreign[sex]) : table!.table.pick(this.rng);
    if (this.used.has(given[1])) given = (this.foreign ? this.foreign[sex] : table!.entries).find((entry) => !this.used.has(entry[1])) ?? given;
    this.used.add(given[1]);
    const draft: Draft = { relation, sex, birth, given, events: [], status: 'resident' };
    this.drafts.push(draft);
    return draft;
  }
}

/** A previous municipality for a moving-in note. */
function cameFrom(rng: Rng, foreign: boolean): string {
  return foreign && rng.chance(0.6) ? rng.pick(ABROAD) : elsewhereTable.pick(rng);
}

function entryDay(draft: Draft): number {
  let min = Number.POSITIVE_INFINITY;
  for (const e of draft.events) if (e.day < min) min = e.day;
  return min;
}

function lastDay(draft: Draft): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const e of draft.events) if (e.day > max) max = e.day;
  return max;
}

function lastDayOfAll(drafts: readonly Draft[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const d of drafts) max = Math.max(max, lastDay(d));
  return max;
}

/** A stable insertion sort by day (histories are a handful of entries, mostly in order already). */
function sortedByDay<T extends { day: number }>(events: T[]): T[] {
  for (let i = 1; i < events.length; i++) {
    const item = events[i]!;
    let j = i - 1;
    while (j >= 0 && events[j]!.day > item.day) {
      events[j + 1] = events[j]!;
      j--;
    }
    events[j + 1] = item;
  }
  return events;
}

function buildHousehold(seed: number, firstNumber: number, t: number): SyntheticHousehold {
  const rng = new Rng(streamSeed(seed, 0x686f7573, firstNumber));
  const kind = householdKinds.pick(rng);
  const foreign = rng.chance(0.02) ? foreignTable.pick(rng) : null;
  const family: NameEntry = foreign ? foreign.family : familyTable.pick(rng);
  const home = address(rng);
  const b = new HouseholdBuilder(rng, foreign);
  const minBirth = addYears(t, -(MAX_AGE + 1)) + 1;

  // -- who lives here, born when
  let head: Draft;
  let spouse: Draft | null = null;
  const children: Draft[] = [];
  const parents: Draft[] = [];
  const addChildren = (parent: Draft, max: number): void => {
    // The eldest is born when the parent is 20–40 and is at most 35 now; then gaps of 1–5 years, the parent ≤ 45.
    const lo = Math.max(addYears(parent.birth, 20), addYears(t, -35));
    const hi = Math.min(addYears(parent.birth, 40), t);
    if (lo > hi) return;
    let birth = maybeNotable(rng, rng.int(lo, hi), lo, hi);
    for (let i = 0; i < max; i++) {
      if (birth > t || birth > addYears(parent.birth, 45)) break;
      children.push(b.person('child', rng.chance(0.512) ? 'male' : 'female', birth));
      birth += rng.int(365, 1826);
    }
  };
  const partnerBirth = (of: number, olderBy: [number, number]): number => {
    const birth = of - rng.int(olderBy[0] * 365, olderBy[1] * 365);
    return Math.min(Math.max(birth, minBirth), addYears(t, -20));
  };

  switch (kind) {
    case 'single': {
      const [lo, hi] = drawSingleAge(rng);
      const earliest = Math.max(minBirth, addYears(t, -(hi + 1)) + 1);
      const latest = addYears(t, -lo);
      const sex: SyntheticSex = rng.chance(lo >= 65 ? 0.35 : 0.55) ? 'male' : 'female';
      head = b.person('head', sex, maybeNotable(rng, rng.int(earliest, latest), earliest, latest));
      break;
    }
    case 'couple': {
      const band = rng.next();
      const [lo, hi] = band < 0.2 ? [25, 39] : band < 0.5 ? [40, 64] : [65, 95];
      head = b.person('head', 'male', Math.max(minBirth, birthForAge(rng, t, lo, hi)));
      spouse = b.person('spouse', 'female', partnerBirth(head.birth, [-8, 3]));
      break;
    }
    case 'nuclear':
    case 'three-generation': {
      const [lo, hi] = kind === 'nuclear' ? [27, 62] : [30, 60];
      head = b.person('head', 'male', birthForAge(rng, t, lo, hi));
      spouse = b.person('spouse', 'female', partnerBirth(head.birth, [-6, 2]));
      const mother = spouse;
      if (kind === 'three-generation') {
        // The head's parents (both, or the one still living with them).
        const which = rng.next();
        const latest = addYears(head.birth, -20);
        const gm = Math.max(minBirth, addYears(head.birth, -rng.int(20, 38)) - rng.int(0, 364));
        if (which < 0.55 || which >= 0.85) parents.push(b.person('parent', 'female', Math.min(gm, latest)));
        if (which < 0.85) parents.push(b.person('parent', 'male', Math.min(latest, Math.max(minBirth, gm - rng.int(0, 6 * 365)))));
        addChildren(mother, 5 - 2 - parents.length);
      } else {
        addChildren(mother, childCounts.pick(rng));
      }
      break;
    }
    case 'single-parent': {
      const sex: SyntheticSex = rng.chance(0.82) ? 'female' : 'male';
      head = b.person('head', sex, birthForAge(rng, t, 25, 55));
      addChildren(head, rng.chance(0.6) ? 1 : 2);
      break;
    }
  }

  // -- how each came onto the register
  const native = !foreign && rng.chance(kind === 'three-generation' ? 0.75 : 0.4);
  const adult = (d: Draft): number => addYears(d.birth, 18);
  const enter = (d: Draft, day: number, from: string): void => {
    if (day <= d.birth) d.events.push({ day: d.birth, kind: 'birth', note: '出生' });
    else d.events.push({ day, kind: 'moved-in', note: `転入（前住所: ${from}）` });
  };
  const arrivalFrom = cameFrom(rng, foreign !== null);
  if (spouse) {
    // The marriage: both 18 or older, by the first child's birth (children are born when the mother
    // is 20 or older and the father at most 2 years younger, so the range is never empty).
    const firstChild = children.length > 0 ? children[0]!.birth : Number.POSITIVE_INFINITY;
    const lo = Math.max(addYears(head.birth, 18), addYears(spouse.birth, 18));
    const hi = Math.min(t, firstChild, lo + 15 * 365);
    const married = lo <= hi ? rng.int(lo, hi) : Math.min(lo, t);
    // Who took the other's family name (almost always the wife); foreigners keep theirs.
    const changed = foreign ? null : rng.chance(0.95) ? spouse : head;
    let maiden: NameEntry = familyTable.pick(rng);
    for (let tries = 0; tries < 8 && maiden[1] === family[1]; tries++) maiden = familyTable.pick(rng);
    if (native) {
      // The head grew up here; the head's parents were born here or came before the head was born.
      for (const p of parents) enter(p, rng.chance(0.5) ? p.birth : rng.int(adult(p), Math.max(adult(p), head.birth)), cameFrom(rng, false));
      enter(head, head.birth, '');
      if (rng.chance(0.25)) {
        // Both grew up in the town: the spouse moved into the household at the marriage.
        enter(spouse, spouse.birth, '');
        spouse.events.push({ day: married, kind: 'moved-within', note: `転居（旧住所: ${address(rng)}）` });
      } else {
        spouse.events.push({ day: married, kind: 'moved-in', note: `転入（前住所: ${elsewhereTable.pick(rng)}）` });
      }
      if (changed) changed.events.push({ day: married, kind: 'name-changed', note: `婚姻により氏を変更（旧氏: ${maiden[0]}）` });
    } else if (rng.chance(0.3) && married > adult(head)) {
      // The head came alone, married here later.
      const arrived = rng.int(adult(head), married);
      enter(head, arrived, arrivalFrom);
      spouse.events.push({ day: married, kind: 'moved-in', note: `転入（前住所: ${elsewhereTable.pick(rng)}）` });
      if (changed) changed.events.push({ day: married, kind: 'name-changed', note: `婚姻により氏を変更（旧氏: ${maiden[0]}）` });
      for (const p of parents) enter(p, arrived, arrivalFrom);
    } else {
      // Married elsewhere, moved in together (with the children born by then).
      const arrived = rng.int(Math.min(married, t), t);
      enter(head, arrived, arrivalFrom);
      enter(spouse, arrived, arrivalFrom);
      for (const p of parents) enter(p, arrived, arrivalFrom);
    }
    const householdArrived = Math.max(entryDay(head), entryDay(spouse));
    for (const c of children) enter(c, Math.max(householdArrived, married), arrivalFrom);
  } else {
    if (native) enter(head, head.birth, '');
    else enter(head, rng.int(Math.min(adult(head), t), t), arrivalFrom);
    for (const c of children) enter(c, entryDay(head), arrivalFrom);
  }
  // Head, spouse, children, then the head's parents (a household cut short keeps its head).
  const drafts = parents.length > 0 ? [...b.drafts.filter((d) => d.relation !== 'parent'), ...parents] : b.drafts;

  // -- a move within the town after everyone joined
  const joined = lastDayOfAll(drafts);
  let settled = joined;
  if (rng.chance(0.22) && joined + 30 <= t) {
    const day = rng.int(joined + 30, t);
    const from = address(rng);
    for (const d of drafts) d.events.push({ day, kind: 'moved-within', note: `転居（旧住所: ${from}）` });
    settled = day;
  }
  // -- rare corrections
  for (const d of drafts) {
    const from = entryDay(d);
    if (rng.chance(0.003) && from < t) d.events.push({ day: rng.int(from + 1, t), kind: 'corrected', note: '職権による記載の修正（氏名の振り仮名）' });
    if (rng.chance(0.002) && from < t) d.events.push({ day: rng.int(from + 1, t), kind: 'code-changed', note: '住民票コードの変更（本人の請求による）' });
  }
  const busy = Math.max(settled, lastDayOfAll(drafts));
  // -- the end of some records: the whole household moving away, a grown-up child leaving, deaths
  if (rng.chance(0.03) && busy < t) {
    const day = rng.int(busy + 1, t);
    const to = cameFrom(rng, foreign !== null);
    for (const d of drafts) {
      d.events.push({ day, kind: 'moved-out', note: `転出（転出先: ${to}）` });
      d.status = 'moved-out';
    }
  } else {
    for (const c of children) {
      const lo = Math.max(addYears(c.birth, 18), busy + 1);
      if (lo <= t && rng.chance(0.3)) {
        c.events.push({ day: rng.int(lo, t), kind: 'moved-out', note: `転出（転出先: ${cameFrom(rng, foreign !== null)}）` });
        c.status = 'moved-out';
      }
    }
    for (const d of drafts) {
      if (d.status !== 'resident') continue;
      const age = ageOn(d.birth, t);
      const p = age >= 95 ? 0.3 : age >= 90 ? 0.2 : age >= 80 ? 0.08 : age >= 70 ? 0.03 : age >= 60 ? 0.01 : age >= 18 ? 0.001 : 0;
      const lo = Math.max(busy + 1, addYears(t, -8));
      if (lo <= t && rng.chance(p)) {
        d.events.push({ day: rng.int(lo, t), kind: 'deceased', note: '死亡' });
        d.status = 'deceased';
      }
    }
  }

  // -- the records
  const householdId = `H${String(firstNumber).padStart(8, '0')}`;
  const members: SyntheticMember[] = drafts.map((d, i) => {
    const n = firstNumber + i;
    const history = sortedByDay(d.events).map((e) => ({ date: isoDate(e.day), kind: e.kind, note: e.note }));
    return {
      relation: d.relation,
      resident: {
        id: syntheticResidentId(n),
        code: syntheticResidentCode(seed, n),
        name: `${family[0]}${NAME_SEPARATOR}${d.given[0]}`,
        kana: `${family[1]}${NAME_SEPARATOR}${d.given[1]}`,
        birthDate: isoDate(d.birth),
        sex: d.sex,
        address: home,
        householdId,
        status: d.status,
        history,
      },
    };
  });
  return { id: householdId, address: home, familyName: family[0], familyKana: family[1], members };
}

// ---------------------------------------------------------------------------------------------
// The public API.

function checkedOptions(options: SyntheticTownOptions): { seed: number; start: number; t: number } {
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer: ${options.seed}`);
  const start = options.startId ?? 1;
  if (!Number.isSafeInteger(start) || start < 0 || start > MAX_RESIDENT_NUMBER) throw new RangeError(`startId out of range: ${start}`);
  const t = parseIsoDate(options.asOf ?? SYNTHETIC_TOWN_AS_OF);
  return { seed: options.seed >>> 0, start, t };
}

/** Households one after another, for ever (stop when you have enough). */
export function* syntheticHouseholds(options: SyntheticTownOptions): Generator<SyntheticHousehold, never, undefined> {
  const { seed, start, t } = checkedOptions(options);
  let next = start;
  for (;;) {
    if (next + 6 > MAX_RESIDENT_NUMBER) throw new RangeError('resident numbers exhausted');
    const household = buildHousehold(seed, next, t);
    next += household.members.length;
    yield household;
  }
}

/** Exactly `count` residents, household by household (the last household may be cut short). */
export function* syntheticResidents(options: SyntheticTownOptions & { count: number }): Generator<SyntheticResident, void, undefined> {
  if (!Number.isSafeInteger(options.count) || options.count < 0) throw new RangeError(`count must be a non-negative integer: ${options.count}`);
  let left = options.count;
  if (left === 0) return;
  for (const household of syntheticHouseholds(options)) {
    for (const member of household.members) {
      yield member.resident;
      if (--left === 0) return;
    }
  }
}

/** A whole town of `households` households, held in memory (for tests and small demos). */
export function generateTown(options: SyntheticTownOptions & { households: number }): { households: SyntheticHousehold[]; residents: SyntheticResident[] } {
  if (!Number.isSafeInteger(options.households) || options.households < 0) throw new RangeError(`households must be a non-negative integer: ${options.households}`);
  const households: SyntheticHousehold[] = [];
  if (options.households > 0) {
    for (const household of syntheticHouseholds(options)) {
      households.push(household);
      if (households.length === options.households) break;
    }
  }
  return { households, residents: households.flatMap((h) => h.members.map((m) => m.resident)) };
}

/** Keeps a history within the contract's 50 entries: the first (how the record began) and the latest. */
const MAX_HISTORY = 50;

/**
 * A move within the town (転居) on `date`: a new address in another (or the same) district, a new
 * one-person household `HS<number>` (the person leaves their household: 世帯分離), and a history
 * entry with the old address. Only a current resident moves. Deterministic in (seed, id, date).
 */
export function moveWithinTown(resident: SyntheticResident, options: { seed: number; date: string }): SyntheticResident {
  if (resident.status !== 'resident') throw new RangeError(`only a current resident moves (status ${resident.status})`);
  const requested = parseIsoDate(options.date);
  const last = resident.history.length > 0 ? parseIsoDate(resident.history[resident.history.length - 1]!.date) : parseIsoDate(resident.birthDate);
  const day = Math.max(requested, last);
  const number = Number(resident.id.replace(/\D/g, '')) || 0;
  const rng = new Rng(streamSeed(mix32(options.seed >>> 0, day), 0x6d6f7665, number));
  let next = address(rng);
  for (let tries = 0; tries < 8 && next === resident.address; tries++) next = address(rng);
  const entry: SyntheticHistoryEntry = { date: isoDate(day), kind: 'moved-within', note: `転居（旧住所: ${resident.address}）` };
  const history = [...resident.history, entry];
  const kept = history.length > MAX_HISTORY ? [history[0]!, ...history.slice(history.length - (MAX_HISTORY - 1))] : history;
  return { ...resident, address: next, householdId: `HS${String(number).padStart(8, '0')}`, history: kept };
}

/** The 元号 of a birth date (for tests and statistics): 明治 before 大正, then 大正, 昭和, 平成, 令和. */
export function eraOfIsoDate(date: string): '明治' | '大正' | '昭和' | '平成' | '令和' {
  const day = parseIsoDate(date);
  if (day >= daysFromCivil(2019, 5, 1)) return '令和';
  if (day >= daysFromCivil(1989, 1, 8)) return '平成';
  if (day >= daysFromCivil(1926, 12, 25)) return '昭和';
  if (day >= daysFromCivil(1912, 7, 30)) return '大正';
  return '明治';
}

/** Full years of age on `on` (YYYY-MM-DD). */
export function ageOnIsoDate(birthDate: string, on: string): number {
  return ageOn(parseIsoDate(birthDate), parseIsoDate(on));
}
