// Typed failures of the card protocol layer (pure: no runtime APIs).
// Every failure raised by the TLV / APDU / PIV code is a CardFault; nothing untyped escapes.
// The main side maps a CardFault 1:1 onto its CardError (same codes, same Japanese message).

export type CardFaultCode =
  | 'no-card' // removed while reading
  | 'not-supported' // no supported application / object / algorithm on the card
  | 'bad-answer' // malformed, truncated, oversized or unexpected answer
  | 'status' // the card answered with an error status word
  | 'timeout' // no answer in time
  | 'signature' // the card could not prove it holds the key
  | 'reader'; // reader error / reader gone

/** Messages for the counter staff, one per situation. */
export const CARD_MESSAGES = {
  unreadable: 'カードを読み取れませんでした。カードを差し直してください。',
  notStaffCard: 'このカードは職員用ICカードとして使えません。',
  compressed: 'このカードの証明書は圧縮されており、職員用ICカードとして使えません。',
  wrongKeyType: 'このカードの鍵の種類は職員用ICカードとして使えません。',
  signature: 'カードの本人確認に失敗しました。このカードは使えません。',
  timeout: 'カードが応答しません。カードを差し直してください。',
  noCard: 'カードが抜かれました。カードを差し直してください。',
  noCardPresent: 'カードが置かれていません。カードをリーダーに置いてください。',
  reader: 'カードリーダーを使えません。リーダーの接続を確認してください。',
  readerMissing: 'カードリーダーが見つかりません。リーダーの接続を確認してください。',
  locked: 'このカードはロックされています。管理者に連絡してください。',
} as const;

const DEFAULT_MESSAGE: Record<CardFaultCode, string> = {
  'no-card': CARD_MESSAGES.noCard,
  'not-supported': CARD_MESSAGES.notStaffCard,
  'bad-answer': CARD_MESSAGES.unreadable,
  status: CARD_MESSAGES.unreadable,
  timeout: CARD_MESSAGES.timeout,
  signature: CARD_MESSAGES.signature,
  reader: CARD_MESSAGES.reader,
};

export class CardFault extends Error {
  readonly code: CardFaultCode;
  /** Japanese message for the counter staff. */
  readonly userMessage: string;
  /** Status word of the answer that caused it, when there was one. */
  readonly sw: number | undefined;

  constructor(code: CardFaultCode, detail: string, options: { userMessage?: string; sw?: number } = {}) {
    super(detail);
    this.name = 'CardFault';
    this.code = code;
    this.userMessage = options.userMessage ?? DEFAULT_MESSAGE[code];
    this.sw = options.sw;
  }
}

export function isCardFault(error: unknown): error is CardFault {
  return error instanceof CardFault;
}
