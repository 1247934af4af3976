import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, reportFailure, skipWithoutChromium } from './browser.js';
import { exited, freePort, gql, sleep, stopProgram, tempDir, type RunningProgram } from './harness.js';

/**
 * The console's revision-2 views in a real browser against the program with the demo city 云岭市 (issue 16): the
 * 法律纠纷台账, the 社区矫正 monitoring list (脱管 and 报到逾期 first), the 诉源治理 view by quarter with its charts, and
 * the scorecard for each kind of agency. The demo is generated around today, so every assertion compares what the page
 * shows with what GraphQL answers the same principal. `LIANDONG_SCREENSHOTS=docs/screenshots` saves the pages.
 */

const SCREENSHOTS = process.env.LIANDONG_SCREENSHOTS;
const ORGANIZER = 'demo-organizer';
const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

/** `node bin/liandong.mjs start` with the demo city, as `npm start` runs it (as in console.e2e.spec.ts). */
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
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`program exited early (${child.exitCode}):\n${out.slice(-3000)}`);
    if (await fetch(`${program.base}/healthz`).then((r) => r.ok, () => false)) return program;
    await sleep(200);
  }
  await stopProgram(program, 'SIGKILL');
  throw new Error(`program not healthy within 90 s:\n${out.slice(-3000)}`);
}

describe('web console revision 2 (e2e): dispute ledger, community correction, litigation source, scorecard by kind', function () {
  this.timeout(150_000);
  let program: RunningProgram;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const dir = tempDir('ld-console-r2-');

  before(async function () {
    skipWithoutChromium(this, 'console revision 2');
    const build = spawnSync(process.execPath, ['web/build.mjs'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(build.status, build.stderr + build.stdout).to.equal(0);
    program = await startWithDemo(join(dir, 'data'));
    ({ browser, page } = await launchChromium(dir, { defaultTimeout: 20_000, pageErrors, timezoneId: 'Asia/Shanghai' }));
  });
  after(async () => {
    await browser?.close();
    if (program) await stopProgram(program);
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async function () {
    await reportFailure(this, page, program, 'ld-console-r2-failed-');
    expect(pageErrors, 'uncaught errors in the page').to.deep.equal([]);
  });

  async function shot(name: string) {
    if (!SCREENSHOTS) return;
    mkdirSync(resolve(SCREENSHOTS), { recursive: true });
    await page.waitForTimeout(300); // charts and fonts settle
    const height = Math.min(Number(await page.evaluate('document.documentElement.scrollHeight')), 1800);
    await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width: 1366, height } });
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

  async function api<T = any>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const r = await gql(program.base, token, query, variables);
    expect(r.json!.errors, JSON.stringify(r.json!.errors)).to.equal(undefined);
    return r.json!.data as T;
  }
  const nav = (name: string) => page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name, exact: true });
  const attr = (rows: ReturnType<Page['locator']>, name: string) => rows.evaluateAll((trs: any[], n) => trs.map((tr) => tr.getAttribute(n) as string), name);

  interface DisputeRow {
    id: string;
    dispute: { filedLate: boolean | null; outcome: string | null; lossAmount: number | null; responsibleAgency: { id: string } } | null;
    accountabilityReviews: { finding: string }[];
    rectifications: { id: string; completedAt: string | null; overdue: boolean }[];
  }
  const DISPUTES = `{ cases(kind: "government_dispute", first: 100) { nodes { id dispute { filedLate outcome lossAmount responsibleAgency { id } }
    accountabilityReviews { finding } rectifications { id completedAt overdue } } } }`;

  it('法律纠纷台账: the disputes the server lets each principal see, with filing, outcome, loss, 责任倒查 and rectifications', async () => {
    await signIn(ORGANIZER);
    await nav('法律纠纷台账').click();
    const rows = page.locator('table.disputes tbody tr');
    await rows.first().waitFor();
    const all = (await api<{ cases: { nodes: DisputeRow[] } }>(ORGANIZER, DISPUTES)).cases.nodes.filter((c) => c.dispute !== null);
    expect(all.length, 'the demo publishes government disputes').to.be.at.least(3);
    expect(await attr(rows, 'data-case')).to.deep.equal(all.map((c) => c.id));

    // the demo's lost dispute: its loss, the review that found fault, one rectification done and one running
    const lost = all.find((c) => c.dispute!.outcome === 'partially_lost' || c.dispute!.outcome === 'lost');
    expect(lost, 'a lost dispute in the demo').to.not.equal(undefined);
    expect(lost!.dispute!.lossAmount).to.be.greaterThan(0);
    const row = page.locator(`tr[data-case="${lost!.id}"]`);
    expect(await row.textContent()).to.contain(lost!.dispute!.lossAmount!.toLocaleString('zh-CN')).and.contain(lost!.dispute!.outcome === 'lost' ? '败诉' : '部分败诉').and.contain('发现过错');
    expect(lost!.accountabilityReviews.map((r) => r.finding)).to.deep.equal(['fault_found']);
    expect(lost!.rectifications.filter((r) => r.completedAt !== null)).to.have.length(1);
    expect(lost!.rectifications.filter((r) => r.completedAt === null)).to.have.length(1);
    for (const r of lost!.rectifications) expect(await row.locator(`[data-rectification="${r.id}"]`).textContent()).to.contain(r.completedAt ? '已完成' : '未办结');

    const count = async (label: string) => (await page.locator(`[data-count="${label}"] dd`).textContent())!.trim();
    expect(await count('法律纠纷备案')).to.equal(String(all.length));
    expect(await count('逾期备案')).to.equal(String(all.filter((c) => c.dispute!.filedLate).length));
    expect(await count('整改逾期')).to.equal(String(all.flatMap((c) => c.rectifications).filter((r) => r.overdue).length));
    await shot('disputes');

    // the responsible department sees its own disputes only — the server decides, the page shows what it answers
    await signIn('demo-housing');
    await nav('法律纠纷台账').click();
    const own = (await api<{ cases: { nodes: DisputeRow[] } }>('demo-housing', DISPUTES)).cases.nodes.filter((c) => c.dispute !== null);
    expect(own.length).to.be.at.least(1).and.below(all.length);
    await rows.first().waitFor();
    expect(await attr(rows, 'data-case')).to.deep.equal(own.map((c) => c.id));
    // a police branch has no ledger in its navigation
    await signIn('demo-qs-police');
    expect(await nav('法律纠纷台账').count()).to.equal(0);
  });

  it('社区矫正: 脱管 and 报到逾期 (漏管风险) first, counts by state, each justice bureau its own', async () => {
    const QUERY = '{ communityCorrections { status case { id } agency { id } } }';
    await signIn(ORGANIZER);
    await nav('社区矫正').click();
    const rows = page.locator('table.corrections tbody tr');
    await rows.first().waitFor();
    const list = (await api<{ communityCorrections: { status: string; case: { id: string }; agency: { id: string } }[] }>(ORGANIZER, QUERY)).communityCorrections;
    const statuses = list.map((c) => c.status);
    expect(statuses, 'the demo has a person out of contact and one who never reported').to.include.members(['ABSCONDED', 'UNREPORTED']);
    // the order: absconded, unreported, then the others
    const rank = (s: string) => ['ABSCONDED', 'UNREPORTED', 'AWAITING_REPORT', 'SUPERVISED'].indexOf(s);
    expect(statuses.map(rank)).to.deep.equal([...statuses.map(rank)].sort((a, b) => a - b));
    expect(await attr(rows, 'data-status')).to.deep.equal(statuses);
    expect(await attr(rows, 'data-case')).to.deep.equal(list.map((c) => c.case.id));
    expect(await rows.first().textContent()).to.contain('脱管');
    for (const s of ['ABSCONDED', 'UNREPORTED', 'SUPERVISED']) expect((await page.locator(`dl.counts [data-status="${s}"] dd`).textContent())!.trim()).to.equal(String(statuses.filter((x) => x === s).length));
    await shot('correction');

    // the district justice bureau where the absconded person lives sees that case, first
    const absconded = list.find((c) => c.status === 'ABSCONDED')!;
    const token = absconded.agency.id === 'yl-qs-justice' ? 'demo-qs-justice' : 'demo-lj-justice';
    const own = (await api<{ communityCorrections: { status: string; case: { id: string } }[] }>(token, QUERY)).communityCorrections;
    expect(own.length).to.be.at.least(1).and.at.most(list.length);
    expect(own[0]!.status).to.equal('ABSCONDED');
    await signIn(token);
    await nav('社区矫正').click();
    await rows.first().waitFor();
    expect(await attr(rows, 'data-case')).to.deep.equal(own.map((c) => c.case.id));
  });

  it('诉源治理: quarters of a basic-level court with charts, and the townships’ referrals by unit', async () => {
    await signIn(ORGANIZER);
    await nav('诉源治理').click();
    const quarters = page.locator('table.quarters tbody tr');
    await quarters.first().waitFor();
    const court = await page.getByLabel('法院').inputValue();
    expect(court).to.equal('yl-qs-court'); // the first basic-level court
    const shown = await attr(quarters, 'data-quarter');
    expect(shown).to.have.length(4);
    for (const q of shown) {
      const [r] = (await api<{ scorecard: { preLitigationMediations: number; mediationsSucceeded: number; diversionRate: number | null; filingsPer10k: number | null }[] }>(ORGANIZER, `query($q: String!) { scorecard(quarter: $q, agency: "yl-qs-court") { preLitigationMediations mediationsSucceeded diversionRate filingsPer10k } }`, { q })).scorecard;
      const cells = await page.locator(`tr[data-quarter="${q}"] td`).allTextContents();
      expect(cells, q).to.deep.equal([String(r!.preLitigationMediations), String(r!.mediationsSucceeded), cells[2]!, percent(r!.diversionRate), r!.filingsPer10k === null ? '—' : r!.filingsPer10k.toFixed(2)]);
    }
    expect(await page.locator('section[aria-labelledby="by-quarter"] canvas[role="img"]').count()).to.equal(2);

    const handoffs = await api<{ a: { nodes: any[] }; b: { nodes: any[] } }>(
      ORGANIZER,
      '{ a: handoffs(purpose: "dispute_referral", first: 500) { nodes { from { id level } outcome } } b: handoffs(purpose: "entrusted_mediation", first: 500) { nodes { from { id level } outcome } } }',
    );
    const township = [...handoffs.a.nodes, ...handoffs.b.nodes].filter((h) => h.from.level === 'township');
    const units = [...new Set(township.map((h) => h.from.id as string))];
    expect(units.length, 'the demo’s 派出所 and 人民法庭 refer disputes').to.be.at.least(3);
    const unitRows = page.locator('table.referral-units tbody tr');
    expect((await attr(unitRows, 'data-unit')).sort()).to.deep.equal([...units].sort());
    for (const unit of units) {
      const cells = await page.locator(`tr[data-unit="${unit}"] td`).allTextContents();
      const of = township.filter((h) => h.from.id === unit);
      expect(cells.slice(0, 2), unit).to.deep.equal([String(of.length), String(of.filter((h) => h.outcome === 'mediated').length)]);
    }
    await shot('litigation-source');
  });

  it('季通报 by agency kind: courts and justice bureaus, each row as scorecard(quarter, agency) answers it', async () => {
    await signIn(ORGANIZER);
    await nav('季通报').click();
    await page.locator('table.scorecard tbody tr').first().waitFor();
    const quarter = await page.getByLabel('季度').inputValue();
    const agencies = (await api<{ agencies: { id: string; kind: string; name: string }[] }>(ORGANIZER, '{ agencies { id kind name } }')).agencies;

    await page.getByLabel('单位类别').selectOption('JUSTICE');
    const table = page.locator('table[data-kind="JUSTICE"]');
    await table.locator('tbody tr').first().waitFor();
    const justice = agencies.filter((a) => a.kind === 'JUSTICE');
    expect(await attr(table.locator('tbody tr'), 'data-agency')).to.deep.equal(justice.map((a) => a.id));
    for (const a of justice) {
      const [r] = (await api(ORGANIZER, `query($q: String!, $a: ID) { scorecard(quarter: $q, agency: $a) { correctionsUnreported correctionsAbsconded handoffsReceived } }`, { q: quarter, a: a.id })).scorecard;
      const cells = (await table.locator(`tr[data-agency="${a.id}"] td`).allTextContents()).map((c: string) => c.trim());
      expect(cells.slice(0, 3), a.name).to.deep.equal([String(r.correctionsUnreported), String(r.correctionsAbsconded), String(r.handoffsReceived)]);
    }

    await page.getByLabel('单位类别').selectOption('COURT');
    const courts = page.locator('table[data-kind="COURT"]');
    await courts.locator('tbody tr').first().waitFor();
    const courtIds = agencies.filter((a) => a.kind === 'COURT').map((a) => a.id);
    expect(await attr(courts.locator('tbody tr'), 'data-agency')).to.deep.equal(courtIds);
    const [qs] = (await api(ORGANIZER, `query($q: String!) { scorecard(quarter: $q, agency: "yl-qs-court") { preLitigationMediations diversionRate } }`, { q: quarter })).scorecard;
    const qsCells = await courts.locator('tr[data-agency="yl-qs-court"] td').allTextContents();
    expect([qsCells[0], qsCells[3]]).to.deep.equal([String(qs.preLitigationMediations), percent(qs.diversionRate)]);
    // one chart per rate column: mediation success, diversion, handoffs on time
    expect(await page.locator('canvas[role="img"]').count()).to.equal(3);
    await shot('scorecard-kinds');
  });
  it('says the same in English: names of states, kinds and columns come from i18n', async () => {
    await signIn(ORGANIZER);
    await page.getByRole('button', { name: '切换为英文界面' }).click();
    await page.getByRole('link', { name: 'Community correction', exact: true }).click();
    await page.getByRole('heading', { name: 'Community correction monitoring' }).waitFor();
    await page.locator('table.corrections tbody tr').first().waitFor();
    expect(await page.locator('table.corrections tbody tr').first().locator('td').first().textContent()).to.equal('Absconded');
    await page.getByRole('link', { name: 'Dispute ledger', exact: true }).click();
    await page.locator('table.disputes tbody tr').first().waitFor();
    expect(await page.locator('table.disputes').textContent()).to.contain('Partially lost').and.contain('Fault found');
    await page.getByRole('link', { name: 'Litigation source', exact: true }).click();
    await page.getByRole('heading', { name: 'Referrals from township units' }).waitFor();
    await page.getByRole('button', { name: 'Switch to Chinese' }).click();
    await nav('诉源治理').waitFor();
  });
});
