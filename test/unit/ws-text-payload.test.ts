// The second host's binary call message (src/shared/ws-protocol.ts): a head line, then the payload
// text. The head may carry pushLogBatch's `follows` (a batch handed while the one before travels);
// anything else in the head is refused, as before.
import { describe, expect, it } from 'vitest';
import { encodeTextPayloadMessage, parseTextPayloadMessage } from '../../src/shared/ws-protocol';

const bytes = (head: string, text: string): Uint8Array => new TextEncoder().encode(`${head}\n${text}`);

describe('text payload messages', () => {
  it('round-trips a call with and without follows', () => {
    const text = '[{"hash":"ab","seq":1,"detail":{"purpose":"住民票の写しの交付"}}]';
    expect(parseTextPayloadMessage(encodeTextPayloadMessage(7, 'pushLogBatch', text))).toEqual({ id: 7, method: 'pushLogBatch', payload: { recordsJson: text } });
    expect(parseTextPayloadMessage(encodeTextPayloadMessage(8, 'pushLogBatch', text, 5000))).toEqual({ id: 8, method: 'pushLogBatch', payload: { recordsJson: text, follows: 5000 } });
  });

  it('refuses a head with another field or a follows that is not a positive safe integer', () => {
    for (const head of [
      '{"id":1,"method":"pushLogBatch","batchId":"x"}',
      '{"id":1,"method":"pushLogBatch","follows":0}',
      '{"id":1,"method":"pushLogBatch","follows":-1}',
      '{"id":1,"method":"pushLogBatch","follows":1.5}',
      '{"id":1,"method":"pushLogBatch","follows":"5"}',
      '{"id":1,"method":"pushLogBatch","follows":null}',
      '{"id":1,"method":"pushLogBatch","follows":9007199254740992}',
      '{"id":1,"method":"getLogCursor","follows":5}',
    ]) {
      expect(parseTextPayloadMessage(bytes(head, '[{}]')), head).toBeNull();
    }
  });
});
