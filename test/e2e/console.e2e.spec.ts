import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, reportFailure, skipWithoutChromium } from './browser.js';
import { cloudEvent, exited, freePort, gql, publish, sleep, stopProgram, tempDir, type RunningProgram } from './harness.js';

/**
 * The web console in a real browser (Debian's chromium driven by playwright-core) against the real
 * program with the demo city 云岭市: an organizer opens a meeting dossier, nominates a case from the
 * attention list, records a resolution and assigns an action item; the owner agency signs in and
 * completes it; the scorecard is exported to CSV and Excel and the files say what the API says.
 *
 * The demo city is generated around today's date, so the test picks its meeting, case and quarter
 * from what the console shows and checks the exports against GraphQL rather than fixed numbers.
 * `LIANDONG_SCREENSHOTS=docs/screenshots npm run test:e2e` also saves a screenshot of every page.
 */

const SCREENSHOTS = process.env.LIANDONG_SCREENSHOTS;
const OWNER = { agency: 'yl-market', token: 'demo-market' };

const chinaToday = (): string => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const percent = (rate: number | null): string => (rate === null ? '' : `${(rate * 100).toFixed(1)}%`);

/** polls until `check` holds: the console answers asynchronously after every click (the page's own timeout) */
async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

/** `node bin/liandong.mjs start` with the demo city, as `npm start` runs it. */
async function startWithDemo(dataDir: string): Promise<RunningProgram> {
  const port = freePort();
  const child = spawn(process.execPath, ['bin/liandong.mjs', 'start', '--data-dir', dataDir, '--port', String(port)], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const program = { child, base: `http://127.0.0.1:${port}`, output: () => out };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`program exited early (${child.exitCode}):\n${out.slice(-3000)}`);
    // the program listens only once the demo city is loaded
    if (await fetch(`${program.base}/healthz`).then((r) => r.ok, () => false)) return program;
    await sleep(200);
  }
  await stopProgram(program, 'SIGKILL');
  throw new Error(`program not healthy within 60 s:\n${out.slice(-3000)}`);
}

describe('web console (e2e): organizer, owner agency and exports in a real browser', function () {
  this.timeout(120_000);
  let program: RunningProgram;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const dir = tempDir('ld-console-');

  before(async function () {
    skipWithoutChromium(this, 'console');
    // the console under test is the one in web/, built now (about a second)
    const build = spawnSync(process.execPath, ['web/build.mjs'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(build.status, build.stderr + build.stdout).to.equal(0);
    program = await startWithDemo(join(dir, 'data'));
    ({ browser, page } = await launchChromium(dir, { defaultTimeout: 15_000, pageErrors, acceptDownloads: true, timezoneId: 'Asia/Shanghai' }));
  });

  after(async () => {
    await browser?.close();
    if (program) await stopProgram(program);
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async function () {
    await reportFailure(this, page, program, 'ld-console-failed-');
  });

  /** a screenshot from `from` (default the top) down, cut at about two screens */
  async function shot(name: string, from?: ReturnType<Page['locator']>) {
    if (!SCREENSHOTS) return;
    mkdirSync(resolve(SCREENSHOTS), { recursive: true });
    await page.waitForTimeout(300); // charts and fonts settle
    const top = from ? Math.max(0, Math.floor((await from.boundingBox())!.y + Number(await page.evaluate('scrollY')) - 16)) : 0;
    const height = Math.min(Number(await page.evaluate('document.documentElement.scrollHeight')) - top, 1800);
    await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true, clip: { x: 0, y: top, width: 1366, height } });
  }

  async function signIn(token: string) {
    await page.goto(`${program.base}/`);
    const signOut = page.getByRole('button', { name: '退出' });
    const tokenField = page.getByLabel('访问令牌', { exact: true });
    await tokenField.or(signOut).first().waitFor(); // a signed-in tab restores its session first
    if (await signOut.isVisible()) await signOut.click();
    await tokenField.fill(token);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('navigation', { name: '主导航' }).waitFor();
  }

  /** every form control on the page has an accessible name (a label or aria-label) */
  async function expectLabelledControls() {
    const unlabelled = await page
      .locator('main input, main select, main textarea')
      .evaluateAll((controls: any[]) => controls.filter((c) => !(c.labels?.length > 0) && !c.getAttribute('aria-label')).map((c) => c.outerHTML));
    expect(unlabelled).to.deep.equal([]);
  }

  const section = (heading: string) => page.locator('section').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });

  let meetingUrl = '';
  let caseId = '';
  // each run has a fresh data directory, so these texts are unique in it
  const resolution = '会议要求相关单位于两周内办结并书面报告超期原因，市司法局跟踪督办。';
  const action = '书面报告超期原因及整改措施';

  it('serves the built console at / and signs in with a token kept in sessionStorage', async () => {
    await page.goto(`${program.base}/`);
    await shot('sign-in');
    await page.getByLabel('访问令牌', { exact: true }).fill('not-a-token');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('alert').filter({ hasText: '令牌无效' }).waitFor();

    await signIn('demo-organizer');
    expect(await page.evaluate('sessionStorage.getItem("liandong.token")')).to.equal('demo-organizer');
    await page.reload();
    await page.getByRole('navigation', { name: '主导航' }).waitFor(); // the tab keeps its session
    // an organizer has no audit page; an auditor does (below)
    expect(await page.getByRole('link', { name: '审计' }).count()).to.equal(0);
    // who is signed in, in words: the role by its Chinese name, never the API code
    const who = (await page.locator('.who').textContent()) ?? '';
    expect(who).to.contain('组织推进').and.not.match(/organizer|publisher|viewer|\+/);
  });

  it('待办/逾期: overdue handoffs first, with counts by agency and working filters', async () => {
    await page.goto(`${program.base}/#/todo`);
    const board = section('移送');
    const rows = board.locator('tbody tr');
    await rows.first().waitFor();
    const flags: boolean[] = await rows.evaluateAll((trs: any[]) => trs.map((tr) => tr.classList.contains('row-overdue')));
    expect(flags[0], 'an overdue handoff on top').to.equal(true);
    const firstOther = flags.indexOf(false);
    expect(firstOther === -1 || flags.slice(firstOther).every((f) => !f), 'overdue rows before the others').to.equal(true);
    await section('各单位移送统计').locator('tbody tr').first().waitFor();
    await expectLabelledControls();
    await shot('todo');

    await page.getByLabel('只看逾期').check();
    await until('only overdue handoffs are listed', async () => (await rows.count()) > 0 && (await board.locator('tbody tr:not(.row-overdue)').count()) === 0);
    await page.getByLabel('只看逾期').uncheck();
  });

  it('opens a held meeting’s dossier and nominates a case from the attention list with one click', async () => {
    await page.getByRole('link', { name: '府院联动推进会' }).click();
    const held = page.locator('tbody tr').filter({ hasText: '已召开' }).first();
    await held.waitFor();
    await shot('meetings');
    await held.getByRole('link').click();
    await page.getByRole('heading', { name: '议程' }).waitFor();
    meetingUrl = page.url();

    const attention = section('需关注案件').locator('tbody tr').first();
    caseId = (await attention.getAttribute('data-attention-case'))!;
    expect(caseId).to.be.a('string').that.is.not.empty;
    expect(await page.locator(`[data-agenda-case="${caseId}"]`).count()).to.equal(0);
    await attention.getByRole('button', { name: /^列入议题/ }).click();
    await page.locator(`[data-agenda-case="${caseId}"]`).waitFor();
    expect(await page.locator(`[data-attention-case="${caseId}"]`).count()).to.equal(0);
  });

  it('records a resolution for the nominated case and assigns an action item to its owner agency', async () => {
    const item = page.locator(`[data-agenda-case="${caseId}"]`);
    await item.getByLabel('记录决议').fill(resolution);
    await item.getByRole('button', { name: '记录决议' }).click();
    await item.getByText(resolution).waitFor();

    const form = page.locator('form').filter({ has: page.getByRole('heading', { name: '交办督办事项' }) });
    await form.getByLabel('事项内容').fill(action);
    await form.getByLabel('关联案件').selectOption(caseId);
    await form.getByLabel('责任单位').selectOption(OWNER.agency);
    await form.getByLabel('期限').fill(addDays(chinaToday(), 14));
    await form.getByRole('button', { name: '交办' }).click();
    const row = section('督办事项').locator('tbody tr').filter({ hasText: action });
    await row.waitFor();
    expect(await row.textContent()).to.contain('云岭市市场监督管理局').and.contain(addDays(chinaToday(), 14)).and.contain('未办结');
    await expectLabelledControls();
    await item.locator('summary').click(); // show one case timeline in the screenshot
    await shot('dossier');
    await shot('dossier-actions', section('督办事项'));

    // the dossier prints on A4 as the meeting table: no navigation, forms or attention list
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation').isVisible()).to.equal(false);
    expect(await section('需关注案件').isVisible()).to.equal(false);
    expect(await page.getByRole('button', { name: '交办' }).isVisible()).to.equal(false);
    expect(await page.getByText(resolution).isVisible()).to.equal(true);
    await shot('dossier-print');
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    await page.emulateMedia({ media: 'screen' });
  });

  it('the owner agency signs in, sees the action item among its to-dos and completes it', async () => {
    await signIn(OWNER.token);
    expect(await page.getByRole('link', { name: '审计' }).count()).to.equal(0);
    const row = section('督办事项').locator('tbody tr').filter({ hasText: action });
    await row.waitFor();
    await row.getByLabel('办结说明（可选）').fill('已报送整改报告');
    await row.getByRole('button', { name: '办结' }).click();
    await section('督办事项').locator('tbody tr').filter({ hasText: action }).waitFor({ state: 'detached' }); // no longer open
    await shot('todo-agency');

    await page.goto(meetingUrl);
    const done = section('督办事项').locator('tbody tr').filter({ hasText: action });
    await done.getByText('已完成').waitFor();
    // a clerk reads the dossier but neither nominates nor assigns
    expect(await page.getByRole('heading', { name: '交办督办事项' }).count()).to.equal(0);
    expect(await page.getByRole('heading', { name: '需关注案件' }).count()).to.equal(0);

    const api = await gql(program.base, 'demo-organizer', `query($id: ID!) { meeting(id: $id) { agenda { case { id } resolution } actionItems { text owner { id } completedAt } } }`, {
      id: decodeURIComponent(meetingUrl.split('/').pop()!),
    });
    const meeting = api.json!.data!['meeting'];
    expect(meeting.agenda.find((a: { case: { id: string } }) => a.case.id === caseId).resolution).to.equal(resolution);
    const assigned = meeting.actionItems.find((a: { text: string }) => a.text === action);
    expect(assigned.owner.id).to.equal(OWNER.agency);
    expect(assigned.completedAt).to.be.a('string');
  });

  it('季通报: charts and the change on the previous quarter; CSV and Excel say what the API says', async () => {
    await signIn('demo-organizer');
    await page.getByRole('link', { name: '季通报' }).click();
    await page.locator('table.scorecard tbody tr').first().waitFor();
    expect(await page.locator('canvas[role="img"]').count()).to.equal(4);
    const quarter = await page.getByLabel('季度').inputValue();
    await shot('scorecard');

    const api = await gql(program.base, 'demo-organizer', `query($q: String!) { scorecard(quarter: $q) { agency { name } lossRate headAppearanceRate correctionRate suggestionsReceived suggestionsRepliedOnTime litigationConcluded handoffsOverdue } }`, { q: quarter });
    const rows = api.json!.data!['scorecard'] as { agency: { name: string }; lossRate: number | null; headAppearanceRate: number | null; correctionRate: number | null; suggestionsReceived: number; suggestionsRepliedOnTime: number; litigationConcluded: number; handoffsOverdue: number }[];
    expect(rows.length).to.be.greaterThan(0);

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
    expect(csvDownload.suggestedFilename()).to.equal(`scorecard-${quarter}.csv`);
    const csv = readFileSync((await csvDownload.path())!, 'utf8');
    expect(csv.charCodeAt(0), 'UTF-8 byte-order mark for Excel').to.equal(0xfeff);
    const [header, ...lines] = csv.slice(1).trim().split('\r\n').map((l) => l.split(','));
    const column = (name: string) => header!.indexOf(name);
    for (const name of ['单位', '季度', '败诉率', '负责人出庭应诉率', '复议纠错率', '建议按期回复率', '行政诉讼审结', '逾期移送']) expect(column(name), name).to.be.at.least(0);
    expect(lines.map((l) => l[column('单位')])).to.deep.equal(rows.map((r) => r.agency.name));
    rows.forEach((r, i) => {
      const line = lines[i]!;
      expect(line[column('季度')]).to.equal(quarter);
      expect(line[column('败诉率')]).to.equal(percent(r.lossRate));
      expect(line[column('负责人出庭应诉率')]).to.equal(percent(r.headAppearanceRate));
      expect(line[column('复议纠错率')]).to.equal(percent(r.correctionRate));
      expect(line[column('建议按期回复率')]).to.equal(percent(r.suggestionsReceived ? r.suggestionsRepliedOnTime / r.suggestionsReceived : null));
      expect(line[column('行政诉讼审结')]).to.equal(String(r.litigationConcluded));
      expect(line[column('逾期移送')]).to.equal(String(r.handoffsOverdue));
    });

    const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel' }).click()]);
    expect(xlsxDownload.suggestedFilename()).to.equal(`scorecard-${quarter}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync((await xlsxDownload.path())!) as never);
    const sheet = workbook.worksheets[0]!;
    const headerRow = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headerRow).to.deep.equal(header);
    rows.forEach((r, i) => {
      const cells = sheet.getRow(i + 2);
      const cell = (name: string) => cells.getCell(headerRow.indexOf(name) + 1);
      expect(cell('单位').value).to.equal(r.agency.name);
      expect(cell('败诉率').value).to.equal(r.lossRate);
      if (r.lossRate !== null) expect(cell('败诉率').numFmt).to.equal('0.0%');
      expect(cell('负责人出庭应诉率').value).to.equal(r.headAppearanceRate);
      expect(cell('复议纠错率').value).to.equal(r.correctionRate);
      expect(cell('行政诉讼审结').value).to.equal(r.litigationConcluded);
    });
  });

  it('案件: search narrows the list on the server (party names too); a case page shows its deadlines, handoffs, documents and timeline', async () => {
    // a case only the server can find by its party: the list never loads party names
    const searched = 'SEARCH-E2E-1';
    const published = await publish(program.base, 'demo-court', [
      cloudEvent('yl-court', 'search-e2e-1', 'case.registered', searched, new Date(Date.now() - 60_000).toISOString(), {
        kind: 'civil_dispute',
        title: '水库承包合同纠纷',
        caseNumber: '（2026）云0102民初9917号',
        parties: [{ name: '欧阳翠花', role: 'plaintiff', type: 'person' }, { name: '石桥镇水务站', role: 'defendant', type: 'enterprise' }],
      }),
    ]);
    expect(published.json!.results![0]!.status, JSON.stringify(published.json)).to.equal('accepted');
    await page.getByRole('link', { name: '案件', exact: true }).click();
    await page.getByLabel('状态').selectOption('');
    const searchBox = page.getByLabel('搜索（案号、标题、当事人）');
    const rowOf = (id: string) => page.locator('tbody tr').filter({ has: page.locator(`a[href="#/cases/${encodeURIComponent(id)}"]`) });
    const onlyRow = async (text: string, id: string) => {
      await searchBox.fill(text);
      await rowOf(id).waitFor();
      await until(`the search for ${text} leaves one case`, async () => (await page.locator('tbody tr').count()) === 1);
    };
    // each search shows another case than the one before, so a list not yet replaced cannot pass for the answer
    await onlyRow('欧阳翠花', searched); // a party's whole name
    await onlyRow(caseId, caseId); // the case id, as before
    await expectLabelledControls();
    // two characters: as many rows as the server finds for the organizer (other parties of the demo city may share them)
    const total = ((await gql(program.base, 'demo-organizer', 'query($t: String!) { search(text: $t, first: 500) { totalCount } }', { t: '翠花' })).json!.data as { search: { totalCount: number } }).search.totalCount;
    expect(total).to.be.greaterThan(0);
    await searchBox.fill('翠花');
    await rowOf(searched).waitFor();
    await until('the two-character search shows what the server found', async () => (await page.locator('tbody tr').count()) === Math.min(total, 200));
    await onlyRow(caseId, caseId);
    await onlyRow('0102民初9917', searched); // part of the 案号
    await searchBox.fill('');
    await shot('cases');

    await page.goto(`${program.base}/#/cases/${encodeURIComponent(caseId)}`);
    for (const heading of ['法定期限', '移送', '移送材料', '案件经过']) await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    expect(await page.locator('ol.timeline li').count()).to.be.greaterThan(0);
    await shot('case');
  });

  it('审计 (auditor): history of a stream, the asOf slider and the verification status', async () => {
    await signIn('demo-auditor');
    await page.getByRole('link', { name: '审计' }).click();
    await page.getByLabel('事件流').fill(`case-${caseId}`);
    await page.getByRole('button', { name: '查看历史' }).click();
    const events = page.locator('table.history tbody tr');
    await events.first().waitFor();
    const count = await events.count();
    expect(count).to.be.greaterThan(0);
    // verification: the embedded program verifies its own store (a key of its own), and nothing was altered
    await page.locator('#verify-title ~ [role="status"] .badge').waitFor();
    expect(await page.locator('#verify-title ~ [role="status"]').textContent()).to.contain('校验通过');

    // the slider steps by revision (case(id, atRevision)): events of one batch share their recordedAt, and a
    // point in time could not show the case between them. The card says which revision its answer is for
    // (data-revision, aria-busy while the next one is on its way), so each step waits for exactly its own answer.
    const revisions = (await events.locator('td:first-child').allTextContents()).map(Number);
    expect(revisions).to.deep.equal([...Array(count).keys()]);
    const asOf = page.locator('section').filter({ has: page.locator('#asof-title') });
    const caseAfter = (revision: number) => asOf.locator(`[data-revision="${revision}"][aria-busy="false"]`);
    const timelineAfter = (revision: number) => caseAfter(revision).locator('ol.timeline li');
    await caseAfter(count - 1).waitFor(); // it opens at the last event
    expect(await timelineAfter(count - 1).count()).to.equal(count);

    const slider = page.getByRole('slider');
    await slider.focus();
    await page.keyboard.press('Home'); // the keyboard moves it: the first event only
    await asOf.getByText(new RegExp(`（1 / ${count}）`)).waitFor();
    await caseAfter(0).waitFor();
    expect(await timelineAfter(0).count(), 'the case as it was after its first event').to.equal(1);
    if (count > 1) {
      await page.keyboard.press('ArrowRight'); // the second event, often recorded in the same batch as the first
      await caseAfter(1).waitFor();
      expect(await timelineAfter(1).count(), 'the case as it was after its second event').to.equal(2);
    }
    await page.keyboard.press('End');
    await asOf.getByText(new RegExp(`（${count} / ${count}）`)).waitFor();
    await caseAfter(count - 1).waitFor();
    expect(await timelineAfter(count - 1).count()).to.equal(count);
    await shot('audit');
  });

  it('switches to English and back', async () => {
    await page.getByRole('button', { name: '切换为英文界面' }).click();
    await page.getByRole('link', { name: 'Quarterly scorecard' }).click();
    await page.getByRole('heading', { name: 'Quarterly scorecard (administrative agencies)' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).to.equal('en');
    await shot('scorecard-en');
    await page.getByRole('button', { name: 'Switch to Chinese' }).click();
    await page.getByRole('link', { name: '季通报' }).waitFor();
    expect(pageErrors).to.deep.equal([]);
  });
});
