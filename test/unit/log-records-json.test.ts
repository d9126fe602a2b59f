// What main accepts from the renderer as a batch's records in JSON text (contract pushLogBatch): one
// JSON array of record objects, nothing that could change the request body main splices it into.
import { describe, expect, it } from 'vitest';
import { terminalMethods } from '../../src/shared/contract';
import { MAX_BATCH_RECORDS } from '../../src/shared/log-api';

const accepts = (recordsJson: string) => terminalMethods.pushLogBatch.safeParse({ recordsJson }).success;

describe('pushLogBatch recordsJson', () => {
  it('accepts one array of objects', () => {
    expect(accepts('[{"seq":1}]')).toBe(true);
    expect(accepts(' [{"seq":1},{"seq":2}] '.trim())).toBe(true);
  });

  it('refuses text that is not exactly one array of record objects', () => {
    for (const bad of [
      '[],"batchId":"chosen","records":[]',
      '[{"seq":1}],"batchId":"x","records":[{"seq":1}]',
      '[]',
      '[1]',
      '[null]',
      '[[]]',
      '["x"]',
      '[{"seq":1}',
      '{"seq":1}',
      '[{"seq":1}]]',
      '',
    ]) {
      expect(accepts(bad), bad).toBe(false);
    }
  });

  it('refuses more records than a batch may hold', () => {
    expect(accepts(`[${Array.from({ length: MAX_BATCH_RECORDS }, () => '{}').join(',')}]`)).toBe(true);
    expect(accepts(`[${Array.from({ length: MAX_BATCH_RECORDS + 1 }, () => '{}').join(',')}]`)).toBe(false);
  });

  it('refuses extra fields beside recordsJson', () => {
    expect(terminalMethods.pushLogBatch.safeParse({ recordsJson: '[{}]', batchId: 'x' }).success).toBe(false);
  });
});
