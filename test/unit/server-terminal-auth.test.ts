import { describe, expect, it } from 'vitest';
import { parseTerminalAuthorization } from '../../src/server/http/terminal-auth';
import { generateTerminalSecret, hashTerminalSecret } from '../../src/server/store/terminals';

describe('parseTerminalAuthorization', () => {
  const secret = generateTerminalSecret();

  it('reads `Terminal <id>:<secret>`', () => {
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(parseTerminalAuthorization(`Terminal term-demo-01:${secret}`)).toEqual({ terminalId: 'term-demo-01', secret });
    expect(parseTerminalAuthorization(`terminal term-demo-01:${secret}`)).toEqual({ terminalId: 'term-demo-01', secret });
  });

  it('refuses anything else', () => {
    for (const header of [
      undefined,
      '',
      'Terminal',
      `Bearer term-demo-01:${secret}`,
      `Terminal term-demo-01${secret}`,
      `Terminal term-demo-01:${secret}x`,
      `Terminal term-demo-01:${secret.slice(1)}`,
      `Terminal TERM:${secret}`,
      `Terminal :${secret}`,
      `Terminal  term-demo-01:${secret}`,
      `Terminal term-demo-01:${secret} extra`,
      `Terminal term-demo-01:${'x'.repeat(400)}`,
    ]) {
      expect(parseTerminalAuthorization(header), String(header)).toBeNull();
    }
  });

  it('stores secrets as SHA-256 hex', () => {
    expect(hashTerminalSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
