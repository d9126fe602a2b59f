// The search purpose categories (第22条6項, issue 4 item 2) on the central server: the list the
// information-protection manager maintains, sent to terminals with the roster. Set and retire by the
// manager only (not the system administrator, not an operator), checked content, at least one left,
// every change in server_events; a hand-written bad row never breaks the roster.
// Real SQLite in a temp dir, real HTTP on 127.0.0.1, and the CLI as a process on the same database.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminError } from '../support/admin-error';
import { listPurposeCategoriesForAdmin, retirePurposeCategory, setPurposeCategory } from '../../src/server/admin/purpose-categories';
import { listEvents } from '../../src/server/store/events';
import { RosterResponseSchema, type RosterResponse } from '../../src/shared/server-api';
import { startDemoServer, type DemoServer } from '../support/demo-server';

const START = Date.parse('2026-11-25T10:00:00+09:00'); // a Wednesday
const clock = { t: START, now(): number { return this.t; } };

// Migration 5's list (DEFAULT_PURPOSE_CATEGORIES of src/domain/resident/purpose.ts when it was written).
const DEFAULTS = [
  { id: 'juminhyo-copy', label: '住民票の写し等の交付', needsCaseNumber: true },
  { id: 'moving-in', label: '転入届', needsCaseNumber: true },
  { id: 'moving-out', label: '転出届', needsCaseNumber: true },
  { id: 'moving-within', label: '転居届', needsCaseNumber: true },
  { id: 'household-change', label: '世帯変更届', needsCaseNumber: true },
  { id: 'seal-registration', label: '印鑑登録・印鑑登録証明書の交付', needsCaseNumber: true },
  { id: 'my-number-card', label: 'マイナンバーカードの交付・更新', needsCaseNumber: true },
  { id: 'identity-check', label: '本人確認（窓口）', needsCaseNumber: false },
  { id: 'family-register-inquiry', label: '戸籍関連の照会', needsCaseNumber: false },
  { id: 'other-section-inquiry', label: '税・保険の照会（他課からの依頼）', needsCaseNumber: false },
];

let demo: DemoServer;

beforeAll(async () => {
  demo = await startDemoServer(clock, 'kumiyama-server-purposes-');
});

afterAll(async () => {
  await demo?.close();
});

// Rows are never deleted (a trigger refuses): the defaults are restored and every other row retired.
beforeEach(() => {
  clock.t = START;
  const db = demo.server.db;
  db.prepare('UPDATE purpose_categories SET active = 0').run();
  const restore = db.prepare('UPDATE purpose_categories SET label = ?, needs_case_number = ?, active = 1 WHERE id = ?');
  for (const c of DEFAULTS) restore.run(c.label, c.needsCaseNumber ? 1 : 0, c.id);
});

async function fetchRoster(): Promise<RosterResponse> {
  const { credential } = demo;
  const response = await fetch(`${demo.server.url}/api/v1/roster`, { headers: { authorization: `Terminal ${credential.terminalId}:${credential.secret}` } });
  expect(response.status).toBe(200);
  return RosterResponseSchema.parse(await response.json());
}


const changeEvents = () => [...listEvents(demo.server.db, { kind: 'purpose-category-set' }), ...listEvents(demo.server.db, { kind: 'purpose-category-retired' })];

describe('the roster', () => {
  it('carries the ten default categories in order, and roster-fetched counts them', async () => {
    const roster = await fetchRoster();
    expect(roster.purposeCategories).toEqual(DEFAULTS);
    expect(listEvents(demo.server.db, { kind: 'roster-fetched' }).at(-1)?.detail).toMatchObject({ purposeCategories: 10 });
  });

  it('still parses when cached before the field existed (default [])', async () => {
    const { purposeCategories: _dropped, ...old } = await fetchRoster();
    expect(RosterResponseSchema.parse(JSON.parse(JSON.stringify(old))).purposeCategories).toEqual([]);
  });

  it('is documented with the field in /openapi.json', async () => {
    const text = await (await fetch(`${demo.server.url}/openapi.json`)).text();
    expect(text).toContain('purposeCategories');
    expect(text).toContain('needsCaseNumber');
  });
});

describe('set-purpose-category', () => {
  it('adds a category at the end; the roster carries it; the event says who, what and why', async () => {
    const result = setPurposeCategory(demo.server.db, { id: 'passport-inquiry', label: ' 旅券申請の住所確認 ', needsCaseNumber: true, by: 'op-suzuki', reason: '旅券窓口からの依頼', clock });
    expect(result.action).toBe('added');
    expect(result.category).toMatchObject({ id: 'passport-inquiry', label: '旅券申請の住所確認', needsCaseNumber: true, active: true, changedBy: 'op-suzuki', changedAt: START });
    expect(result.category.sortOrder).toBeGreaterThan(100);

    expect((await fetchRoster()).purposeCategories).toEqual([...DEFAULTS, { id: 'passport-inquiry', label: '旅券申請の住所確認', needsCaseNumber: true }]);
    expect(listEvents(demo.server.db, { kind: 'purpose-category-set' }).at(-1)).toMatchObject({
      at: START,
      operatorId: 'op-suzuki',
      terminalId: null,
      detail: {
        categoryId: 'passport-inquiry',
        action: 'added',
        label: '旅券申請の住所確認',
        needsCaseNumber: true,
        before: null,
        reason: '旅券窓口からの依頼',
        by: 'op-suzuki',
        byName: '鈴木 一郎',
        byRole: 'manager',
      },
    });
  });

  it('changes the label and the flag of a category in place, NFC; the event keeps the old values; a set that changes nothing writes nothing', async () => {
    clock.t += 60_000;
    const decomposed = 'マイナンバーカードの交付・更新・返納'.normalize('NFD');
    expect(decomposed).not.toBe(decomposed.normalize('NFC'));
    const result = setPurposeCategory(demo.server.db, { id: 'my-number-card', label: decomposed, needsCaseNumber: false, by: 'op-suzuki', clock });
    expect(result.action).toBe('changed');
    expect(result.category.label).toBe('マイナンバーカードの交付・更新・返納'.normalize('NFC'));
    const roster = await fetchRoster();
    expect(roster.purposeCategories[6]).toEqual({ id: 'my-number-card', label: 'マイナンバーカードの交付・更新・返納', needsCaseNumber: false });
    expect(roster.purposeCategories).toHaveLength(10);
    expect(listEvents(demo.server.db, { kind: 'purpose-category-set' }).at(-1)?.detail).toMatchObject({
      categoryId: 'my-number-card',
      action: 'changed',
      needsCaseNumber: false,
      before: { label: 'マイナンバーカードの交付・更新', needsCaseNumber: true, active: true, sortOrder: 70, changedBy: 'migration-5' },
      reason: null,
    });

    const before = changeEvents().length;
    const again = setPurposeCategory(demo.server.db, { id: 'moving-in', label: '転入届', needsCaseNumber: true, by: 'op-suzuki', clock });
    expect(again.action).toBe('unchanged');
    expect(changeEvents()).toHaveLength(before);
  });

  it('refuses bad ids, labels, control characters and a label another active category has; nothing is written', async () => {
    const before = changeEvents().length;
    const set = (id: string, label: string) => adminError(() => setPurposeCategory(demo.server.db, { id, label, needsCaseNumber: false, by: 'op-suzuki', clock }));
    for (const id of ['', '-x', 'Moving-in', 'a_b', 'a b', '転入', 'a'.repeat(41), 'a\nb']) {
      const error = set(id, '区分');
      expect(error.code, JSON.stringify(id)).toBe('bad-purpose-category-id');
      expect(error.japanese).toContain('英小文字・数字・ハイフンで40文字以内');
    }
    expect(set('a\nb', '区分').japanese).toContain('a\\u000ab'); // shown, not printed raw

    expect(set('new-one', '').japanese).toBe('区分名を入力してください。');
    expect(set('new-one', '　 ').japanese).toBe('区分名を入力してください。');
    expect(set('new-one', 'あ'.repeat(61)).japanese).toBe('区分名は60文字以内にしてください（61文字）。');
    for (const label of ['転入\n届', '転入\t届', '転入\r届', '転入\u0000届', '転入\u007f届', '転入\u200b届', '転入\u2028届', '転入\u202e届', '転入\ud800届', '転入届\n']) {
      const error = set('new-one', label);
      expect(error.code, JSON.stringify(label)).toBe('bad-purpose-category-label');
      expect(error.japanese).toBe('区分名に改行・タブや制御文字は使えません。');
    }
    const duplicate = set('new-one', '転入届');
    expect(duplicate.code).toBe('duplicate-purpose-category-label');
    expect(duplicate.japanese).toContain('区分名「転入届」は有効な区分 moving-in と同じです');
    expect(adminError(() => setPurposeCategory(demo.server.db, { id: 'new-one', label: '区分', needsCaseNumber: false, by: 'op-suzuki', reason: '理由\n二行目', clock })).code).toBe('bad-reason');

    expect(changeEvents()).toHaveLength(before);
    expect((await fetchRoster()).purposeCategories).toEqual(DEFAULTS);
    expect(listPurposeCategoriesForAdmin(demo.server.db).some((l) => l.row.id === 'new-one')).toBe(false);

    // 60 characters is the limit, not beyond it.
    expect(setPurposeCategory(demo.server.db, { id: 'sixty', label: 'あ'.repeat(60), needsCaseNumber: false, by: 'op-suzuki', clock }).action).toBe('added');
  });

  it('keeps at most 100 categories active (the contract carries no more)', async () => {
    for (let i = 11; i <= 100; i++) setPurposeCategory(demo.server.db, { id: `extra-${i}`, label: `追加区分${i}`, needsCaseNumber: false, by: 'op-suzuki', clock });
    const error = adminError(() => setPurposeCategory(demo.server.db, { id: 'extra-101', label: '追加区分101', needsCaseNumber: false, by: 'op-suzuki', clock }));
    expect(error.code).toBe('too-many-purpose-categories');
    expect(error.japanese).toContain('有効な区分は100件までです');
    expect((await fetchRoster()).purposeCategories).toHaveLength(100);
    // Changing one of the hundred is still fine.
    expect(setPurposeCategory(demo.server.db, { id: 'extra-100', label: '追加区分百', needsCaseNumber: true, by: 'op-suzuki', clock }).action).toBe('changed');
  });
});

describe('who may change the list', () => {
  it('only an active information-protection manager: a counter operator or the system administrator is refused in Japanese', async () => {
    const before = changeEvents().length;
    const attempts = [
      () => setPurposeCategory(demo.server.db, { id: 'x-new', label: '新しい区分', needsCaseNumber: false, by: 'op-yamada', clock }),
      () => retirePurposeCategory(demo.server.db, { id: 'moving-within', reason: '統合', by: 'op-yamada', clock }),
    ];
    for (const attempt of attempts) {
      const error = adminError(attempt);
      expect(error.code).toBe('not-manager');
      expect(error.japanese).toBe(
        '操作者 山田 花子 (op-yamada) には検索目的の区分を変更する権限がありません。検索目的の区分を変更できるのは情報保護管理者だけです。--by に情報保護管理者を指定してください',
      );
      expect(error.english).toContain('only the information-protection manager');
    }
    const sysadmin = adminError(() => setPurposeCategory(demo.server.db, { id: 'x-new', label: '新しい区分', needsCaseNumber: false, by: 'op-takahashi', clock }));
    expect(sysadmin.code).toBe('not-manager');
    expect(sysadmin.japanese).toContain('システム管理者 高橋 美咲 (op-takahashi) には検索目的の区分を変更する権限がありません');
    expect(adminError(() => retirePurposeCategory(demo.server.db, { id: 'moving-within', reason: '統合', by: 'op-takahashi', clock })).code).toBe('not-manager');
    expect(adminError(() => setPurposeCategory(demo.server.db, { id: 'x-new', label: '新しい区分', needsCaseNumber: false, by: 'op-retired', clock })).code).toBe('admin-retired');
    expect(adminError(() => setPurposeCategory(demo.server.db, { id: 'x-new', label: '新しい区分', needsCaseNumber: false, by: 'op-nobody', clock })).code).toBe('unknown-admin');

    // A manager who has left is refused too.
    demo.server.db.prepare("UPDATE operators SET status = 'retired' WHERE id = 'op-suzuki'").run();
    try {
      expect(adminError(() => retirePurposeCategory(demo.server.db, { id: 'moving-within', reason: '統合', by: 'op-suzuki', clock })).japanese).toBe('--by の op-suzuki は退職(無効)です');
    } finally {
      demo.server.db.prepare("UPDATE operators SET status = 'active' WHERE id = 'op-suzuki'").run();
    }
    expect(changeEvents()).toHaveLength(before);
    expect((await fetchRoster()).purposeCategories).toEqual(DEFAULTS);
  });
});

describe('retire-purpose-category', () => {
  it('retires a category: the roster leaves it out, the row and id stay, the event says why; setting it again brings it back in its place', async () => {
    clock.t += 120_000;
    const { category, activeRemaining } = retirePurposeCategory(demo.server.db, { id: 'moving-within', reason: ' 転入届・転出届の区分で扱うため ', by: 'op-suzuki', clock });
    expect(category).toMatchObject({ id: 'moving-within', label: '転居届', active: false, changedBy: 'op-suzuki', changedAt: clock.t });
    expect(activeRemaining).toBe(9);
    expect((await fetchRoster()).purposeCategories).toEqual(DEFAULTS.filter((c) => c.id !== 'moving-within'));
    expect(listPurposeCategoriesForAdmin(demo.server.db).find((l) => l.row.id === 'moving-within')?.row).toMatchObject({ active: false, label: '転居届' });
    expect(listEvents(demo.server.db, { kind: 'purpose-category-retired' }).at(-1)).toMatchObject({
      at: clock.t,
      operatorId: 'op-suzuki',
      detail: {
        categoryId: 'moving-within',
        label: '転居届',
        needsCaseNumber: true,
        reason: '転入届・転出届の区分で扱うため',
        activeRemaining: 9,
        before: { active: true, changedBy: 'migration-5' },
        by: 'op-suzuki',
        byName: '鈴木 一郎',
        byRole: 'manager',
      },
    });

    const again = adminError(() => retirePurposeCategory(demo.server.db, { id: 'moving-within', reason: '再度', by: 'op-suzuki', clock }));
    expect(again.code).toBe('purpose-category-retired');
    expect(again.japanese).toBe('区分 moving-within（転居届）は既に廃止されています');
    expect(adminError(() => retirePurposeCategory(demo.server.db, { id: 'no-such', reason: '不要', by: 'op-suzuki', clock })).code).toBe('unknown-purpose-category');
    for (const reason of ['', '  ', '理由\n二行目', 'あ'.repeat(201)]) {
      expect(adminError(() => retirePurposeCategory(demo.server.db, { id: 'moving-in', reason, by: 'op-suzuki', clock })).code, JSON.stringify(reason)).toBe('bad-reason');
    }
    expect(adminError(() => retirePurposeCategory(demo.server.db, { id: 'moving-in', reason: '', by: 'op-suzuki', clock })).japanese).toBe('廃止の理由を記入してください。');

    const back = setPurposeCategory(demo.server.db, { id: 'moving-within', label: '転居届', needsCaseNumber: true, by: 'op-suzuki', reason: '区分を戻す', clock });
    expect(back.action).toBe('reactivated');
    expect((await fetchRoster()).purposeCategories).toEqual(DEFAULTS);
    expect(listEvents(demo.server.db, { kind: 'purpose-category-set' }).at(-1)?.detail).toMatchObject({ action: 'reactivated', before: { active: false } });
  });

  it('refuses to retire the last active category', async () => {
    for (const c of DEFAULTS.slice(1)) retirePurposeCategory(demo.server.db, { id: c.id, reason: '整理', by: 'op-suzuki', clock });
    const before = changeEvents().length;
    const error = adminError(() => retirePurposeCategory(demo.server.db, { id: 'juminhyo-copy', reason: '整理', by: 'op-suzuki', clock }));
    expect(error.code).toBe('last-purpose-category');
    expect(error.japanese).toBe(
      '区分 juminhyo-copy（住民票の写し等の交付）は最後の有効な区分のため廃止できません。検索には目的の区分が必要です。先に別の区分を set-purpose-category で追加してください',
    );
    expect(changeEvents()).toHaveLength(before);
    expect((await fetchRoster()).purposeCategories).toEqual([DEFAULTS[0]]);
  });
});

describe('a row written by hand', () => {
  it('that breaks the contract is left out of the roster (which still downloads) and reported once', async () => {
    const db = demo.server.db;
    db.prepare("INSERT INTO purpose_categories (id, label, needs_case_number, active, sort_order, changed_by, changed_at) VALUES ('by-hand', ?, 0, 1, 5, 'sqlite3', 0)").run('手入力\n区分');
    const problemsBefore = listEvents(db, { kind: 'integrity-problem' }).length;
    expect((await fetchRoster()).purposeCategories).toEqual(DEFAULTS);
    expect((await fetchRoster()).purposeCategories).toEqual(DEFAULTS);
    const problems = listEvents(db, { kind: 'integrity-problem' }).slice(problemsBefore);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.detail).toMatchObject({ table: 'purpose_categories', categoryId: 'by-hand', action: 'left out of the roster' });
    expect(listPurposeCategoriesForAdmin(db).find((l) => l.row.id === 'by-hand')?.problems).toEqual(['区分「by-hand」: 区分名に改行・タブや制御文字が含まれています。']);

    // The manager rewrites it; then it is sent, in its place (sort order 5: first).
    setPurposeCategory(db, { id: 'by-hand', label: '手入力区分', needsCaseNumber: false, by: 'op-suzuki', clock });
    expect((await fetchRoster()).purposeCategories[0]).toEqual({ id: 'by-hand', label: '手入力区分', needsCaseNumber: false });
  });
});

describe('the CLI on the running server database', () => {
  const cli = (...args: string[]) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args, '--data-dir', demo.dataDir], { encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('sets, lists and retires; the system administrator is refused with exit code 2', async () => {
    const refused = cli('set-purpose-category', '--id', 'passport', '--label', '旅券', '--by', 'op-takahashi');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('エラー: システム管理者 高橋 美咲 (op-takahashi) には検索目的の区分を変更する権限がありません');
    expect(refused.stderr).toContain('error: op-takahashi (sysadmin) may not change the search purpose categories');

    const set = cli('set-purpose-category', '--id', 'passport', '--label', '旅券申請の照会', '--needs-case-number', '--by', 'op-suzuki', '--reason', '旅券窓口の開設');
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toContain('検索目的の区分を追加しました (purpose category added): passport 旅券申請の照会 （受付番号: 必須）');
    expect(set.stdout).toContain('変更者 (by): 情報保護管理者 鈴木 一郎 (op-suzuki)');
    expect((await fetchRoster()).purposeCategories.at(-1)).toEqual({ id: 'passport', label: '旅券申請の照会', needsCaseNumber: true });

    const relabel = cli('set-purpose-category', '--id', 'passport', '--label', '旅券申請の照会', '--by', 'op-suzuki');
    expect(relabel.status, relabel.stderr).toBe(0);
    expect(relabel.stdout).toContain('検索目的の区分を変更しました');
    expect(relabel.stdout).toContain('注意: 受付番号が必須でなくなりました');

    const retire = cli('retire-purpose-category', '--id', 'passport', '--reason', '旅券窓口の閉鎖', '--by', 'op-suzuki');
    expect(retire.status, retire.stderr).toBe(0);
    expect(retire.stdout).toContain('検索目的の区分を廃止しました (purpose category retired): passport 旅券申請の照会');
    expect(retire.stdout).toContain('残り10件');

    const list = cli('list-purpose-categories');
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain('検索目的の区分 (purpose categories): 有効 10件');
    expect(list.stdout).toContain('[有効] moving-in 転入届 （受付番号: 必須）  順序: 20');
    expect(list.stdout).toMatch(/\[廃止\] passport 旅券申請の照会 （受付番号: 任意（なければ目的の内容））.* op-suzuki/);
    expect((await fetchRoster()).purposeCategories).toEqual(DEFAULTS);

    const badLabel = cli('set-purpose-category', '--id', 'x-1', '--label', '一行目\n二行目', '--by', 'op-suzuki');
    expect(badLabel.status).toBe(2);
    expect(badLabel.stderr).toContain('エラー: 区分名に改行・タブや制御文字は使えません。');
  });
});
