import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, reportFailure, skipWithoutChromium } from './browser.js';
import { demoToken, startWithDemo, until } from './demoProgram.js';
import { gql, publish, stopProgram, tempDir, type RunningProgram } from './harness.js';

/**
 * The console's daily work (issue 17) in a real browser against the real program with the demo city 云岭市: a clerk
 * corrects and resends a rejected event (补正) and sees its publishStatus, replies to a suggestion, acknowledges a
 * copy notice; the 临期 list; an auditor's access log; the dossier downloaded as a Word document.
 *
 * The demo city is generated around today's date, so every test picks its agency, suggestion, notice and meeting
 * from what the API says, and checks the console against the API rather than fixed numbers.
 * `LIANDONG_SCREENSHOTS=docs/screenshots` also saves rejections.png, access-log.png and due-soon.png.
 */

const SCREENSHOTS = process.env.LIANDONG_SCREENSHOTS;

describe('web console (e2e): 补正, replies, copy notices, 临期, access log and the Word dossier', function () {
  this.timeout(180_000);
  let program: RunningProgram;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const dir = tempDir('ld-console-work-');
  const api = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const answer = await gql(program.base, token, query, variables);
    expect(answer.json?.errors, JSON.stringify(answer.json?.errors)).to.equal(undefined);
    return answer.json!.data!;
  };

  /** an agency with two suggestions to answer: one to reply to, one whose reply is rejected and corrected */
  let clerk: { agency: string; token: string; principal: string; suggestions: { id: string; caseId: string; summary: string }[] };

  before(async function () {
    skipWithoutChromium(this, 'console work');
    const build = spawnSync(process.execPath, ['web/build.mjs'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(build.status, build.stderr + build.stdout).to.equal(0);
    program = await startWithDemo(join(dir, 'data'));
    ({ browser, page } = await launchChromium(dir, { defaultTimeout: 20_000, pageErrors, acceptDownloads: true, timezoneId: 'Asia/Shanghai' }));
    const { suggestions } = await api('demo-organizer', '{ suggestions { id caseId summary to { id } repliedAt } }');
    const open = (suggestions as { id: string; caseId: string; summary: string; to: { id: string }; repliedAt: string | null }[]).filter((s) => !s.repliedAt);
    const agency = [...new Set(open.map((s) => s.to.id))].find((a) => open.filter((s) => s.to.id === a).length >= 2);
    expect(agency, 'the demo city has an agency with two suggestions to answer').to.be.a('string');
    const token = demoToken(agency!);
    const { me } = await api(token, '{ me { name } }');
    clerk = { agency: agency!, token, principal: me.name as string, suggestions: open.filter((s) => s.to.id === agency) };
  });

  after(async () => {
    await browser?.close();
    if (program) await stopProgram(program);
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async function () {
    await reportFailure(this, page, program, 'ld-console-work-failed-');
    expect(pageErrors, 'uncaught errors in the page').to.deep.equal([]);
  });

  async function shot(name: string) {
    if (!SCREENSHOTS) return;
    mkdirSync(resolve(SCREENSHOTS), { recursive: true });
    await page.waitForTimeout(300);
    const height = Math.min(Number(await page.evaluate('document.documentElement.scrollHeight')), 1600);
    await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), clip: { x: 0, y: 0, width: 1366, height }, fullPage: true });
  }

  async function signIn(token: string) {
    await page.goto(`${program.base}/`);
    const signOut = page.getByRole('button', { name: '退出' });
    const tokenField = page.getByLabel('访问令牌', { exact: true });
    await tokenField.or(signOut).first().waitFor();
    if (await signOut.isVisible()) await signOut.click();
    await tokenField.fill(token);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('navigation', { name: '主导航' }).waitFor();
  }

  const suggestionState = async (id: string) => {
    const { suggestions } = await api('demo-organizer', '{ suggestions { id repliedAt adopted } }');
    return (suggestions as { id: string; repliedAt: string | null; adopted: boolean | null }[]).find((s) => s.id === id)!;
  };

  it('补正: a rejected reply is corrected in the console, resent, accepted, and its publishStatus shown', async () => {
    const suggestion = clerk.suggestions[0]!;
    const eventId = `console-correction-${Date.now()}`;
    // as an agency system might send it: `adopted` as a word instead of a boolean
    const wrong = {
      specversion: '1.0',
      id: eventId,
      source: clerk.agency,
      type: 'suggestion.replied',
      subject: suggestion.caseId,
      time: new Date(Date.now() - 60_000).toISOString(),
      data: { suggestionId: suggestion.id, adopted: '是', summary: '已按建议开展专项检查并整改。' },
    };
    const sent = await publish(program.base, clerk.token, wrong, 'application/cloudevents+json');
    expect(sent.json?.results?.[0]).to.include({ status: 'rejected', code: 'invalid_data' });
    const statusQuery = 'query($s: String!, $id: String!) { publishStatus(source: $s, id: $id) { status position code } }';
    expect((await api(clerk.token, statusQuery, { s: clerk.agency, id: eventId })).publishStatus).to.deep.equal({ status: 'REJECTED', position: null, code: 'invalid_data' });
    // another agency's clerk is told nothing about it
    const other = clerk.agency === 'yl-court' ? 'demo-proc' : 'demo-court';
    expect((await api(other, statusQuery, { s: clerk.agency, id: eventId })).publishStatus.status).to.equal('UNKNOWN');

    await signIn(clerk.token);
    await page.getByRole('link', { name: '退回 / 补正' }).click();
    await page.getByRole('heading', { name: '退回事件与补正' }).waitFor();
    const item = page.locator('li.rejection').filter({ hasText: eventId });
    expect(await item.getByRole('heading').textContent()).to.contain('invalid_data');
    expect(await item.getByRole('heading').textContent()).to.contain('data 内容不符合该事件类型的格式');
    await item.getByText('原始报文').click();
    expect(await item.locator('pre.raw').textContent()).to.contain('"adopted":"是"');

    await item.getByRole('button', { name: '补正' }).click();
    const editor = item.getByLabel('修改后的报文（JSON）');
    const text = await editor.inputValue();
    expect(text).to.contain('"adopted": "是"');
    await editor.fill(text.replace('"adopted": "是"', '"adopted": true'));
    await item.getByRole('button', { name: '重新发送' }).click();
    const answer = item.locator('.resend-result');
    await answer.locator('.publish-status').waitFor();
    expect(await answer.textContent()).to.contain('平台答复：已接收').and.to.contain('处理状态：已接收入库');

    // what the page says is what the platform says
    const { publishStatus } = await api(clerk.token, 'query($s: String!, $id: String!) { publishStatus(source: $s, id: $id) { status position } }', { s: clerk.agency, id: eventId });
    expect(publishStatus.status).to.equal('ACCEPTED');
    expect(await answer.textContent()).to.contain(`位置 ${publishStatus.position}`);
    const replied = await suggestionState(suggestion.id);
    expect(replied.repliedAt).to.be.a('string');
    expect(replied.adopted).to.equal(true);
    await shot('rejections');
  });

  it('replying to a suggestion from the to-do page', async () => {
    const suggestion = clerk.suggestions[1]!;
    await signIn(clerk.token);
    await page.getByRole('link', { name: '待办 / 逾期' }).click();
    const row = page.locator(`tr[data-suggestion="${suggestion.id}"]`);
    await row.getByRole('button', { name: '回复' }).click();
    const form = page.getByRole('form', { name: `回复：${suggestion.summary}` });
    await form.getByLabel('答复内容').fill('已采纳，已建立线索移送机制并开展专项巡查。');
    await form.getByLabel('是否采纳').selectOption({ label: '不采纳' });
    await form.getByRole('button', { name: '发送答复' }).click();
    // an answered suggestion leaves the to-do list
    await row.waitFor({ state: 'detached' });
    const replied = await suggestionState(suggestion.id);
    expect(replied.repliedAt).to.be.a('string');
    expect(replied.adopted).to.equal(false);
  });

  it('acknowledging a copy notice from the to-do page', async () => {
    const { copyNotices } = await api('demo-organizer', '{ copyNotices(acknowledged: false) { id recipients { id } acknowledgedBy { id } } }');
    const pending = (copyNotices as { id: string; recipients: { id: string }[]; acknowledgedBy: { id: string }[] }[]).flatMap((n) =>
      n.recipients.filter((r) => !n.acknowledgedBy.some((a) => a.id === r.id)).map((r) => ({ notice: n.id, agency: r.id })),
    );
    expect(pending, 'the demo city has a copy notice to acknowledge').to.not.be.empty;
    const { notice, agency } = pending[0]!;
    await signIn(demoToken(agency));
    await page.getByRole('link', { name: '待办 / 逾期' }).click();
    const row = page.locator(`tr[data-notice="${notice}"]`);
    await row.getByRole('button', { name: '确认收悉' }).click();
    await row.waitFor({ state: 'detached' });
    const after = await api('demo-organizer', '{ copyNotices { id acknowledgedBy { id } } }');
    const acknowledged = (after.copyNotices as { id: string; acknowledgedBy: { id: string }[] }[]).find((n) => n.id === notice)!;
    expect(acknowledged.acknowledgedBy.map((a) => a.id)).to.include(agency);
  });

  it('临期: the clocks due within the chosen working days, soonest first, as the API lists them', async () => {
    await signIn('demo-organizer');
    await page.getByRole('link', { name: '临期', exact: true }).click();
    await page.getByRole('heading', { name: '临期提醒' }).waitFor();
    await page.getByLabel('到期范围').selectOption({ label: '10 个工作日内' });
    const { clocks } = await api('demo-organizer', '{ clocks(dueWithinDays: 10, first: 100) { totalCount nodes { id daysLeft case { title } } } }');
    expect(clocks.totalCount, 'the demo city has clocks due within 10 working days').to.be.greaterThan(0);
    const rows = page.locator('table.due-soon tbody tr');
    await until('the list shows every clock the API lists', async () => (await rows.count()) === clocks.totalCount);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-clock')))).to.deep.equal(clocks.nodes.map((c: { id: string }) => c.id));
    const first = clocks.nodes[0] as { daysLeft: number; case: { title: string } | null };
    if (first.case) expect(await rows.first().textContent()).to.contain(first.case.title);
    expect(await rows.first().locator('td.num').textContent()).to.equal(first.daysLeft === 0 ? '今日到期' : String(first.daysLeft));
    await shot('due-soon');
  });

  it("an auditor's access log shows who asked what, filtered by principal", async () => {
    await signIn('demo-auditor');
    await page.getByRole('link', { name: '访问日志' }).click();
    await page.getByRole('heading', { name: '访问日志' }).waitFor();
    await page.locator('table.access-log tbody tr').first().waitFor();
    await page.getByLabel('操作主体').fill(clerk.principal);
    await page.getByRole('button', { name: '筛选', exact: true }).click();
    const rows = page.locator('table.access-log tbody tr');
    const { accessLog } = await api('demo-auditor', 'query($p: String) { accessLog(principal: $p, first: 5) { totalCount nodes { fields } } }', { p: clerk.principal });
    expect(accessLog.totalCount, 'the clerk asked the platform something').to.be.greaterThan(0);
    await until('only the clerk’s requests are listed', async () => {
      const principals = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[1]!.textContent ?? ''));
      return principals.length > 0 && principals.every((p) => p.startsWith(clerk.principal));
    });
    // the clerk's sign-in asked for `me`: the fields column says so
    expect(await page.locator('table.access-log').textContent()).to.contain('me');
    await shot('access-log');
    // a clerk has no access-log page
    await signIn(clerk.token);
    expect(await page.getByRole('link', { name: '访问日志' }).count()).to.equal(0);
  });

  it('the dossier downloads as a Word document (会议材料 .docx) with the meeting title', async () => {
    const { meetings } = await api('demo-organizer', '{ meetings { id title status } }');
    const meeting = (meetings as { id: string; title: string; status: string }[]).find((m) => m.status === 'HELD')!;
    await signIn('demo-organizer');
    await page.goto(`${program.base}/#/meetings/${encodeURIComponent(meeting.id)}`);
    await page.getByRole('heading', { name: meeting.title, level: 1 }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载会议材料（Word）' }).click()]);
    expect(download.suggestedFilename()).to.equal(`${meeting.title}-会议材料.docx`);
    const file = join(dir, 'dossier.docx');
    await download.saveAs(file);
    const documentXml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' });
    expect(documentXml).to.contain(meeting.title);
    const footer = execFileSync('unzip', ['-p', file, 'word/footer1.xml'], { encoding: 'utf8' });
    expect(footer, 'page numbers in the footer').to.contain('PAGE');
  });

  it('prints the scorecard with the quarter in the title and no chart across pages, the dossier with page numbers and the print date', async () => {
    await signIn('demo-organizer');
    await page.getByRole('link', { name: '季通报' }).click();
    await page.locator('figure.chart').first().waitFor();
    const quarter = await page.getByLabel('季度').inputValue();
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.locator('.scorecard-print-title').innerText()).to.equal(`${quarter} 季度通报（行政机关）`);
      expect(await page.locator('.page-head h1').isVisible()).to.equal(false);
      const breaks = await page.locator('figure.chart').evaluateAll((figures: any[]) => figures.map((f) => (globalThis as any).getComputedStyle(f).breakInside as string));
      expect(breaks).to.have.length.greaterThan(0);
      expect(breaks.every((b) => b === 'avoid')).to.equal(true);

      const { meetings } = await api('demo-organizer', '{ meetings { id title status } }');
      const meeting = (meetings as { id: string; title: string; status: string }[]).find((m) => m.status === 'HELD')!;
      await page.goto(`${program.base}/#/meetings/${encodeURIComponent(meeting.id)}`);
      await page.locator('h1', { hasText: meeting.title }).waitFor();
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
      expect(await page.locator('.print-date').innerText()).to.equal(`打印日期：${today}`);
      // the page's @page rule: the page counter in the footer, the print date beside it
      const rules = (await page.evaluate('[...document.styleSheets].flatMap((sheet) => [...sheet.cssRules].map((rule) => rule.cssText))')) as string[];
      const pageRules = rules.filter((text) => text.includes('@page') && text.includes('counter(page)'));
      expect(pageRules.join('\n')).to.contain('counter(pages)').and.to.contain(`打印日期 ${today}`);
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });
});
