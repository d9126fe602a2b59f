// The counter's resident search as the operator lives it (issue 4, 第22条): real central server
// (SQLite, the demo town's synthetic residents) on 127.0.0.1, the second host, real pcscd with a
// virtual card, Chromium. Purpose first; the search runs on the terminal's replica and is logged
// with its purpose before results show; the code is masked until revealed (logged); results go
// after the idle time and on card removal; with the server stopped the replica still answers and
// the log keeps the searches for later.
import { expect, test, type Page } from '@playwright/test';
import { Stack } from '../support/stack';
import { DEMO_OPERATORS } from '../../src/server/demo/demo-town';
import { logRecordsAfter } from '../../src/server/store/log-records';
import { retireTerminal } from '../../src/server/admin/register-terminal';
import { setPurposeCategory } from '../../src/server/admin/purpose-categories';
import { eraOf } from '../../src/domain/resident/era';
import { maskResidentCode, residentCodeCheckDigit } from '../../src/domain/resident/resident-code';
import type { LogRecord } from '../../src/domain/log/log-record';
import { shoot } from './screens';
import { closeStack } from './stack-teardown';

const yamada = DEMO_OPERATORS.find((o) => o.id === 'op-yamada')!;
const RESULTS_CLEAR_SECONDS = 6;

let stack: Stack | null = null;
test.afterEach(async ({ page }, testInfo) => {
  await closeStack(stack, page, testInfo);
  stack = null;
});

interface Row {
  id: string;
  code: string;
  name: string;
  kana: string;
  birth_date: string;
  address: string;
}

function serverRecords(s: Stack): LogRecord[] {
  return logRecordsAfter(s.server!.db, 'term-demo-01', 0, 1_000_000).map(({ atMs: _a, receivedAt: _r, ...record }) => record);
}

/** S45.3.1 style, as counter staff type it. */
function eraShort(iso: string): string {
  const { era, year } = eraOf(iso);
  const letter = { 明治: 'M', 大正: 'T', 昭和: 'S', 平成: 'H', 令和: 'R' }[era] ?? '';
  const [, m, d] = iso.split('-').map(Number);
  return `${letter}${year}.${m}.${d}`;
}

/** Katakana → hiragana (the operator types the kana the way it comes). */
const hiragana = (kana: string) => kana.replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));

async function signIn(page: Page, s: Stack) {
  await page.goto(s.url);
  const card = await s.card(yamada.id);
  await card.insert();
  await expect(page.getByTestId('screen-password')).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('password-input').fill(yamada.password);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('screen-working')).toBeVisible();
  return card;
}

async function statePurpose(page: Page, category: string, caseNumber: string) {
  await page.getByTestId('purpose-category').selectOption(category);
  await page.getByTestId('purpose-case').fill(caseNumber);
  await page.getByTestId('purpose-submit').click();
  await expect(page.getByTestId('purpose-current')).toContainText(caseNumber);
}

async function searchFor(page: Page, fields: Partial<Record<'kana' | 'name' | 'birth' | 'address' | 'code', string>>) {
  for (const [key, value] of Object.entries(fields)) await page.getByTestId(`search-${key}`).fill(value);
  await page.getByTestId('search-submit').click();
}

test('purpose first; the search and its purpose logged together; code reveal logged; results cleared when idle and on card removal; the replica answers offline', async ({ page }) => {
  test.setTimeout(120_000);
  stack = await new Stack({ resultsClearSeconds: RESULTS_CLEAR_SECONDS }).start();
  const total = stack.server!.db.prepare('SELECT count(*) FROM residents').pluck().get() as number;
  expect(total).toBeGreaterThan(100);
  // Someone with a unique kana + birth date in the town.
  const person = stack.server!.db
    .prepare(
      `SELECT id, code, name, kana, birth_date, address FROM residents r WHERE status = 'resident'
       AND (SELECT count(*) FROM residents o WHERE o.kana = r.kana AND o.birth_date = r.birth_date) = 1 ORDER BY version LIMIT 1 OFFSET 7`,
    )
    .get() as Row;

  const card = await signIn(page, stack);
  // No purpose, no search: only the purpose form is there.
  await expect(page.getByTestId('purpose-form')).toBeVisible();
  await expect(page.getByTestId('search-form')).toHaveCount(0);
  // The replica loads from the server while the operator works.
  await expect(page.getByTestId('replica-status')).toHaveAttribute('data-count', String(total), { timeout: 30_000 });
  // The information-protection manager adds a category on the server; the terminal offers it after its next sync.
  setPurposeCategory(stack.server!.db, { id: 'welfare-inquiry', label: '福祉課からの照会（生活保護）', needsCaseNumber: true, by: 'op-suzuki', clock: stack.clock });
  await stack.service!.sync();
  await expect(page.getByTestId('purpose-category').locator('option', { hasText: '福祉課からの照会（生活保護）' })).toHaveCount(1);
  // A vague purpose is refused; a receipt-numbered one is taken.
  await page.getByTestId('purpose-category').selectOption('identity-check');
  await page.getByTestId('purpose-note').fill('確認');
  await page.getByTestId('purpose-submit').click();
  await expect(page.getByTestId('purpose-error-note')).toBeVisible();
  await expect(page.getByTestId('search-form')).toHaveCount(0);
  await page.getByTestId('purpose-note').fill('');
  await shoot(page, '17-purpose-first');
  await statePurpose(page, 'juminhyo-copy', 'R8-1234');

  // Kana typed in hiragana, the family name only, and the date of birth in the era form.
  const family = person.kana.split(/[\s\u3000]/)[0]!;
  await searchFor(page, { kana: hiragana(family), birth: eraShort(person.birth_date) });
  const rows = page.getByTestId('result-row');
  await expect(rows.first()).toContainText(person.name);
  // The code is masked in the list and in the record until revealed.
  await expect(page.getByTestId('results')).toContainText(maskResidentCode(person.code));
  expect(await page.locator('body').innerText()).not.toContain(person.code);
  await shoot(page, '18-search-results');
  // At rest (replica schema version 2: key blocks + sealed chunks, docs/architecture.md "Resident
  // replica at rest"), the resident's line in the key blocks holds only the index keys search needs
  // (id, kana, folded name, date of birth, a 32-bit HMAC of the code) — no code, no address — and
  // every chunk of records is sealed: no code or name in clear.
  const raw = await page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('kumiyama-replica-term-demo-01');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['keys', 'chunks']);
      const keys = tx.objectStore('keys').getAll();
      const chunks = tx.objectStore('chunks').getAll();
      tx.oncomplete = () => {
        db.close();
        const decode = (bytes) => new TextDecoder('utf-8', { fatal: false }).decode(bytes);
        resolve({
          stores: [...db.objectStoreNames].sort(),
          lines: keys.result.flatMap((k) => k.entries.split('\\n')),
          chunks: chunks.result.map((c) => ({ keys: Object.keys(c).sort(), bytes: c.sealed.byteLength, text: decode(c.sealed) })),
        });
      };
    };
  })`);
  const rest = raw as { stores: string[]; lines: string[]; chunks: { keys: string[]; bytes: number; text: string }[] };
  expect(rest.stores).toEqual(['chunks', 'keys', 'state']);
  expect(rest.lines).toHaveLength(total);
  const line = rest.lines.find((l) => l.startsWith(`${person.id}\t`))!.split('\t');
  expect(line).toHaveLength(5);
  expect(line[3]).toBe(person.birth_date);
  expect(line[4]).toMatch(/^[0-9a-f]{8}$/);
  const keyText = rest.lines.join('\n');
  expect(keyText).not.toContain(person.code);
  expect(keyText).not.toContain(person.address);
  expect(rest.chunks.length).toBeGreaterThan(0);
  for (const chunk of rest.chunks) {
    expect(chunk.keys).toEqual(['chunk', 'sealed']);
    expect(chunk.bytes).toBeGreaterThan(100);
    expect(chunk.text).not.toContain(person.code);
    expect(chunk.text).not.toContain(person.name);
  }
  // A resident leans over the counter: F9 covers everything at once, F9 again shows it.
  await page.keyboard.press('F9');
  await expect(page.getByTestId('privacy-cover')).toBeVisible();
  await shoot(page, '20-screen-hidden');
  await page.keyboard.press('F9');
  await expect(page.getByTestId('privacy-cover')).toHaveCount(0);
  await rows.first().click();
  await expect(page.getByTestId('record')).toContainText(person.kana);
  await expect(page.getByTestId('record-code')).not.toContainText(person.code);
  await page.getByTestId('reveal-code').click();
  await expect(page.getByTestId('record-code')).toContainText(person.code);
  await shoot(page, '19-record-code-revealed');

  // Printing asks for a reason first, and the printout is logged with what it holds.
  await page.getByTestId('print-record').click();
  await page.getByTestId('print-confirm').click();
  await expect(page.getByTestId('print-dialog')).toContainText('理由を選んでください');
  await page.getByTestId('print-reason').selectOption('approval');
  await shoot(page, '21-print-confirm');
  await page.getByTestId('print-confirm').click();
  await expect(page.getByTestId('print-dialog')).toHaveCount(0);
  await expect(page.getByTestId('print-area')).toHaveCount(0);

  // Bad input: a code with a wrong check digit is refused with a message, and the attempt logged.
  await page.getByTestId('record-close').click();
  const wrong = `${person.code.slice(0, 10)}${(residentCodeCheckDigit(person.code.slice(0, 10)) + 1) % 10}`;
  await page.getByTestId('search-kana').fill('');
  await page.getByTestId('search-birth').fill('');
  await searchFor(page, { code: wrong });
  await expect(page.getByTestId('search-error-code')).toContainText('検査数字');
  await searchFor(page, { code: '', birth: '平成31年5月1日' });
  await expect(page.getByTestId('search-error-birth')).toContainText('令和');
  // A control character pasted into a field.
  await searchFor(page, { birth: '', kana: 'やま\u0007だ' });
  await expect(page.getByTestId('search-error-kana')).toBeVisible();
  await page.getByTestId('search-kana').fill('');

  // Idle: the results go by themselves after the terminal's setting.
  await page.getByTestId('search-birth').fill('');
  await searchFor(page, { code: person.code });
  await expect(rows).toHaveCount(1);
  await expect(rows).toHaveCount(0, { timeout: (RESULTS_CLEAR_SECONDS + 5) * 1000 });

  // Card pulled: locked, and nothing of the case is left when the same card resumes.
  await searchFor(page, { code: person.code });
  await expect(rows).toHaveCount(1);
  await stack.removeCard(card);
  await expect(page.getByTestId('screen-locked')).toBeVisible();
  expect(await page.locator('body').innerText()).not.toContain(person.name);
  await card.insert();
  await page.getByTestId('unlock-password-input').fill(yamada.password);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('screen-working')).toBeVisible();
  await expect(page.getByTestId('purpose-form')).toBeVisible();
  await expect(rows).toHaveCount(0);

  // Server stopped: the replica still answers; the search is in the log, waiting to be sent.
  await stack.stopServer();
  await expect(page.getByTestId('connection-state')).toContainText('オフライン', { timeout: 10_000 });
  await statePurpose(page, 'juminhyo-copy', 'R8-5678');
  await searchFor(page, { code: person.code });
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId('log-backlog').first()).toContainText('未送信');
  await stack.startServer();
  await expect.poll(() => page.getByTestId('log-backlog').first().getAttribute('data-count').then(Number), { timeout: 30_000 }).toBe(0);

  // On the server: each search with its purpose, the record opened, the code revealed, the refusals.
  const records = serverRecords(stack);
  const searches = records.filter((r) => r.type === 'resident.search');
  expect(searches.map((r) => [r.detail.purposeCategory, r.detail.caseNumber, r.detail.criteria])).toEqual([
    ['juminhyo-copy', 'R8-1234', 'kana+birthDate'],
    ['juminhyo-copy', 'R8-1234', 'code'],
    ['juminhyo-copy', 'R8-1234', 'code'],
    ['juminhyo-copy', 'R8-5678', 'code'],
  ]);
  for (const s of searches) expect(s.operatorId).toBe(yamada.id);
  expect(searches[0]!.detail.shownIds).toContain(person.id);
  const purposes = records.filter((r) => r.type === 'purpose.stated');
  expect(purposes.map((r) => r.detail.caseNumber)).toEqual(['R8-1234', 'R8-5678']);
  // Each purpose is on record before the searches made under it.
  expect(purposes[0]!.seq).toBeLessThan(searches[0]!.seq);
  expect(records.filter((r) => r.type === 'resident.viewed').map((r) => r.detail.residentId)).toEqual([person.id]);
  expect(records.filter((r) => r.type === 'resident.code-revealed').map((r) => r.detail.residentId)).toEqual([person.id]);
  expect(records.filter((r) => r.type === 'resident.search-refused').map((r) => r.detail.fields)).toEqual(['code', 'birth', 'kana']);
  expect(records.filter((r) => r.type === 'resident.printed').map((r) => [r.detail.residentId, r.detail.reason, r.detail.caseNumber, r.detail.codeMasked])).toEqual([[person.id, 'approval', 'R8-1234', true]]);
  // No personal data in the log's text: not the name, the kana, nor the code.
  const text = JSON.stringify(records);
  expect(text).not.toContain(person.code);
  expect(text).not.toContain(person.name);
  expect(text).not.toContain(person.kana);

  // The terminal is retired on the server: at its next replica update (a new case) the resident data
  // on this terminal is wiped, and searches find nothing.
  // A broad search (the commonest first kana): every hit the count announces is on screen.
  const [initial, many] = stack.server!.db
    .prepare('SELECT substr(kana, 1, 1), count(*) FROM residents GROUP BY 1 ORDER BY 2 DESC LIMIT 1')
    .raw()
    .get() as [string, number];
  expect(many).toBeGreaterThan(15);
  await searchFor(page, { code: '', kana: initial });
  await expect(page.locator('[data-testid="results"] .results-count')).toHaveText(/^[0-9]{2,}件/);
  const announced = Number((await page.locator('[data-testid="results"] .results-count').textContent())!.match(/^[0-9]+/)![0]);
  expect(announced).toBe(Math.min(many, 50));
  await expect(page.getByTestId('result-row')).toHaveCount(announced);
  retireTerminal(stack.server!.db, { terminalId: 'term-demo-01', clock: stack.clock });
  await page.getByTestId('end-case').click();
  await statePurpose(page, 'juminhyo-copy', 'R8-9999');
  await expect(page.getByTestId('replica-status')).toHaveAttribute('data-count', '0', { timeout: 15_000 });
  await expect(page.getByTestId('replica-status')).toContainText('認証しませんでした');
  const left = await page.evaluate(`new Promise((resolve) => {
    const open = indexedDB.open('kumiyama-replica-term-demo-01');
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('keys')) { db.close(); resolve(0); return; }
      const count = db.transaction('keys').objectStore('keys').count();
      count.onsuccess = () => { db.close(); resolve(count.result); };
    };
  })`);
  expect(left).toBe(0);
  await searchFor(page, { code: person.code });
  await expect(page.getByTestId('resident-message')).toContainText('見つかりませんでした');
});
