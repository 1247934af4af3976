import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { TEST_CITY } from './fixtures.js';
import { cloudEvent, gql, publish, sleep, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';

/**
 * Every query and mutation of graphql.md, over HTTP against the real program (`npm start -- --no-demo`):
 * agencies publish a quarter of realistic activity in 新津区, then organizers, viewers and auditors read it.
 * Expected numbers and dates are derived in comments from the events sent here and deadlines.md.
 */

const COURT = 'test-court-token';
const PROC = 'test-proc-token';
const POLICE = 'test-police-token';
const JUSTICE = 'test-justice-token';
const MARKET = 'test-market-token';
const GOV_VIEWER = 'test-gov-viewer';
const ORGANIZER = 'test-organizer-token';
const AUDITOR = 'test-auditor-token';

const at = (day: string, hm = '09:00'): string => `${day}T${hm}:00+08:00`;
const person = (name: string, role: string) => ({ name, role, type: 'person' });
const CHINESE = /[\u4e00-\u9fff]/;

/** today's date in China time, as the platform counts overdue */
const chinaToday = (): string => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
/** an instant `minutes` ago (events may not be more than 5 minutes ahead of the platform clock) */
const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

type Event = ReturnType<typeof cloudEvent>;
interface Node {
  id: string;
  [k: string]: unknown;
}
const ids = (nodes: readonly Node[]): string[] => nodes.map((n) => n.id);

describe('GraphQL contract (e2e): every query and mutation over HTTP', function () {
  this.timeout(240_000);
  const dir = tempDir('ld-graphql-');
  const config = writeConfig(dir, TEST_CITY);
  let program: RunningProgram;
  /** an instant between L1's registration and its judgment being recorded */
  let beforeJudgment: string;

  let n = 0;
  const ce = (source: string, type: string, subject: string, time: string, data: Record<string, unknown>): Event =>
    cloudEvent(source, `${source}-${type}-${++n}`, type, subject, time, data);

  async function send(token: string, events: Event[]): Promise<void> {
    const r = await publish(program.base, token, events);
    expect(r.status).to.equal(200);
    for (const result of r.json!.results!) expect(result.status, `${result.id}: ${result.message ?? ''}`).to.equal('accepted');
  }

  async function query(token: string, text: string, variables: Record<string, unknown> = {}) {
    const r = await gql(program.base, token, text, variables);
    expect(r.json!.errors, JSON.stringify(r.json!.errors)).to.equal(undefined);
    expect(r.status).to.equal(200);
    return r.json!.data!;
  }

  async function refused(token: string, text: string, variables: Record<string, unknown> = {}) {
    const r = await gql(program.base, token, text, variables);
    expect(r.json!.errors, `expected ${text} to be refused`).to.be.an('array').that.is.not.empty;
    return { code: r.json!.errors![0]!.extensions?.['code'] as string, message: r.json!.errors![0]!.message };
  }

  before(async () => {
    program = await startProgram({ config, dataDir: join(dir, 'data') });

    // ---- 行政诉讼 against 市场监管局 (xj-market) ----
    await send(COURT, [
      ce('xj-court', 'case.registered', 'L1', at('2024-07-01'), {
        kind: 'administrative_litigation',
        title: '某商贸公司诉区市场监管局行政处罚案',
        caseNumber: '(2024)川0132行初15号',
        parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }, { name: '新津区市场监督管理局', role: 'defendant', type: 'agency' }],
        defendantAgencyId: 'xj-market',
      }),
      ce('xj-court', 'hearing.scheduled', 'L1', at('2024-08-01'), { hearingId: 'hr1', at: at('2024-08-20', '09:30'), observers: ['xj-gov'] }),
      ce('xj-court', 'hearing.held', 'L1', at('2024-08-20', '11:30'), { hearingId: 'hr1', agencyHeadAppeared: true, observerAgencies: ['xj-gov'] }),
      ce('xj-court', 'suggestion.issued', 'L1', at('2024-07-31'), { suggestionId: 's1', to: 'xj-market', category: 'judicial', summary: '建议规范行政处罚裁量基准' }),
      ce('xj-court', 'suggestion.issued', 'L1', at('2024-09-02'), { suggestionId: 's3', to: 'xj-market', category: 'judicial', summary: '建议完善送达程序' }),
      ce('xj-court', 'case.registered', 'L2', at('2024-07-02'), {
        kind: 'administrative_litigation',
        title: '王某诉区市场监管局行政许可案',
        parties: [person('王某', 'plaintiff')],
        defendantAgencyId: 'xj-market',
      }),
      ce('xj-court', 'hearing.scheduled', 'L2', at('2024-07-03'), { hearingId: 'hr2', at: at('2024-07-15', '14:00') }),
      ce('xj-court', 'hearing.held', 'L2', at('2024-07-15', '16:00'), { hearingId: 'hr2', agencyHeadAppeared: false }),
      ce('xj-court', 'judgment.issued', 'L2', at('2024-09-20'), { judgmentId: 'j2', outcome: 'agency_won' }),
      ce('xj-court', 'case.registered', 'L3', at('2024-08-05'), {
        kind: 'administrative_litigation',
        title: '赵某诉区市场监管局行政强制案',
        parties: [person('赵某', 'plaintiff')],
        defendantAgencyId: 'xj-market',
      }),
      ce('xj-court', 'judgment.issued', 'L3', at('2024-10-08'), { judgmentId: 'j3', outcome: 'agency_lost' }),
    ]);
    // revision 2: the reply clocks run from the addressee's receipt, here on the day of issue
    await send(MARKET, [
      ce('xj-market', 'suggestion.received', 'L1', at('2024-07-31', '11:00'), { suggestionId: 's1' }),
      ce('xj-market', 'suggestion.received', 'L1', at('2024-09-02', '11:00'), { suggestionId: 's3' }),
    ]);
    await sleep(30);
    beforeJudgment = new Date().toISOString();
    await sleep(30);
    // 败诉 on 09-10: the platform copies it to 市场监管局 and 区政府 (copyNoticeRecipients)
    await send(COURT, [ce('xj-court', 'judgment.issued', 'L1', at('2024-09-10', '15:00'), { judgmentId: 'j1', outcome: 'agency_lost' })]);
    await send(MARKET, [ce('xj-market', 'suggestion.replied', 'L1', at('2024-09-20'), { suggestionId: 's1', adopted: true, summary: '已修订行政处罚裁量基准' })]);

    // ---- 公益诉讼 and 检察建议 ----
    await send(PROC, [
      ce('xj-proc', 'case.registered', 'P1', at('2024-08-01'), { kind: 'public_interest', title: '食品安全公益诉讼线索', parties: [{ name: '某食品厂', role: 'respondent', type: 'enterprise' }] }),
      ce('xj-proc', 'suggestion.issued', 'P1', at('2024-08-05'), { suggestionId: 's2', to: 'xj-market', category: 'procuratorial', summary: '建议加强食品生产环节监管' }),
      // served the same day (送达回证): the reply clock starts
      ce('xj-proc', 'suggestion.served', 'P1', at('2024-08-05', '10:00'), { suggestionId: 's2', servedAt: '2024-08-05' }),
      ce('xj-proc', 'handoff.requested', 'P1', at('2024-09-02'), { handoffId: 'H2', to: 'xj-market', purpose: 'information_notice' }),
    ]);
    await send(MARKET, [
      ce('xj-market', 'handoff.received', 'P1', at('2024-09-02', '10:00'), { handoffId: 'H2' }),
      ce('xj-market', 'handoff.completed', 'P1', at('2024-09-12'), { handoffId: 'H2', outcome: 'acknowledged' }),
      ce('xj-market', 'suggestion.replied', 'P1', at('2024-10-20'), { suggestionId: 's2', adopted: false, summary: '已开展专项检查' }),
    ]);

    // ---- 信息通报 to 市场监管局, a civil case closed afterwards ----
    await send(COURT, [
      ce('xj-court', 'case.registered', 'N1', at('2024-07-25'), { kind: 'civil_dispute', title: '食品买卖合同纠纷', parties: [person('消费者甲', 'plaintiff')] }),
      ce('xj-court', 'handoff.requested', 'N1', at('2024-08-01'), { handoffId: 'H1', to: 'xj-market', purpose: 'information_notice' }),
    ]);
    await send(MARKET, [
      ce('xj-market', 'handoff.received', 'N1', at('2024-08-01', '15:00'), { handoffId: 'H1' }),
      ce('xj-market', 'handoff.completed', 'N1', at('2024-08-06'), { handoffId: 'H1', outcome: 'acknowledged' }),
    ]);
    await send(COURT, [ce('xj-court', 'case.closed', 'N1', at('2024-08-10'), { outcome: 'resolved_substantively' })]);

    // ---- 刑事: 移送审查起诉 (late), and notices to 市场监管局 ----
    await send(POLICE, [
      ce('xj-police', 'case.registered', 'K1', at('2024-09-01'), { kind: 'criminal', title: '某食品厂生产不符合安全标准食品案', parties: [person('钱某', 'suspect')] }),
      ce('xj-police', 'handoff.requested', 'K1', at('2024-09-05'), { handoffId: 'h5', to: 'xj-proc', purpose: 'prosecution_review' }),
      ce('xj-police', 'handoff.requested', 'K1', at('2024-09-20'), { handoffId: 'H3', to: 'xj-market', purpose: 'information_notice' }),
      ce('xj-police', 'handoff.requested', 'K1', at('2024-09-25'), { handoffId: 'H4', to: 'xj-market', purpose: 'information_notice' }),
    ]);
    await send(PROC, [
      ce('xj-proc', 'handoff.received', 'K1', at('2024-09-06'), { handoffId: 'h5' }),
      ce('xj-proc', 'handoff.completed', 'K1', at('2024-10-15'), { handoffId: 'h5', outcome: 'prosecuted' }),
    ]);
    await send(MARKET, [ce('xj-market', 'handoff.received', 'K1', at('2024-09-20', '16:00'), { handoffId: 'H3' })]);

    // ---- 行政复议 (司法局) ----
    const reconsideration = (caseId: string, day: string, defendant: string, parties: unknown[]) =>
      ce('xj-justice', 'case.registered', caseId, at(day), { kind: 'administrative_reconsideration', title: `${caseId} 不服行政处罚申请复议案`, parties, defendantAgencyId: defendant });
    await send(JUSTICE, [
      reconsideration('R1', '2024-07-01', 'xj-market', [{ name: '某餐饮有限公司', role: 'applicant', type: 'private_enterprise' }]),
      reconsideration('R2', '2024-07-02', 'xj-market', [person('孙某', 'applicant')]),
      reconsideration('R3', '2024-07-10', 'xj-market', [person('周某', 'applicant')]),
      reconsideration('R4', '2024-07-11', 'xj-gov', [person('吴某', 'applicant')]),
      ce('xj-justice', 'reconsideration.decided', 'R1', at('2024-07-25'), { decision: 'revoked' }),
      ce('xj-justice', 'reconsideration.decided', 'R2', at('2024-08-30'), { decision: 'upheld' }),
      ce('xj-justice', 'reconsideration.decided', 'R3', at('2024-09-05'), { decision: 'ordered_performance', performanceDueAt: '2024-10-15' }),
      ce('xj-justice', 'reconsideration.decided', 'R4', at('2024-08-15'), { decision: 'revoked' }),
    ]);

    // ---- this week: a case whose clocks are still running ----
    await send(COURT, [
      ce('xj-court', 'case.registered', 'N3', minutesAgo(120), { kind: 'civil_dispute', title: '邻里相邻权纠纷', parties: [person('邻居丙', 'applicant')] }),
      ce('xj-court', 'handoff.requested', 'N3', minutesAgo(120), { handoffId: 'H6', to: 'xj-justice', purpose: 'entrusted_mediation' }),
      ce('xj-court', 'suggestion.issued', 'N3', minutesAgo(60), { suggestionId: 's4', to: 'xj-gov', category: 'judicial', summary: '建议完善基层调解网络' }),
      ce('xj-court', 'suggestion.served', 'N3', minutesAgo(59), {
        suggestionId: 's4',
        servedAt: new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 59 * 60_000)),
      }),
    ]);
    await send(JUSTICE, [ce('xj-justice', 'handoff.received', 'N3', minutesAgo(60), { handoffId: 'H6' })]);

    // ---- three rejected events from 市场监管局, one from 法院 ----
    const bad = await publish(program.base, MARKET, [
      // a 市场监管局 may not issue judgments (unauthorized); an unknown case would be parked first (events.md §5)
      ce('xj-market', 'judgment.issued', 'NO-SUCH-CASE', minutesAgo(5), { judgmentId: 'x', outcome: 'decided' }),
      ce('xj-market', 'handoff.completed', 'K1', minutesAgo(5), { handoffId: 'H3' }),
      ce('xj-market', 'case.renamed', 'K1', minutesAgo(5), {}),
    ]);
    expect(bad.json!.results!.map((r) => [r.status, r.code])).to.deep.equal([
      ['rejected', 'unauthorized'],
      ['rejected', 'invalid_data'],
      ['rejected', 'unknown_type'],
    ]);
    expect((await publish(program.base, COURT, [ce('xj-court', 'case.closed', 'L1', minutesAgo(5), { outcome: 'finished' })])).json!.results![0]!.status).to.equal('rejected');
  });

  after(async () => {
    if (program) await stopProgram(program);
  });

  it('agencies and me', async () => {
    const d = await query(MARKET, '{ agencies { id kind name } me { name roles agency { id } } }');
    expect(d.agencies).to.have.length(TEST_CITY.agencies.length);
    expect(d.agencies).to.deep.include({ id: 'xj-market', kind: 'GOVERNMENT', name: '新津区市场监督管理局' });
    expect(d.agencies).to.deep.include({ id: 'xj-court', kind: 'COURT', name: '新津区人民法院' });
    expect(d.me).to.deep.equal({ name: 'market-system', roles: ['publisher', 'viewer'], agency: { id: 'xj-market' } });
  });

  describe('handoffs: the board', () => {
    const FIELDS = 'totalCount pageInfo { endCursor hasNextPage } nodes { id caseId status purpose dueDate dueDateProvisional overdue from { id } to { id } receivedAt completedAt outcome }';

    it('to 市场监管局: overdue first, then open, then ended; dates from deadlines.md', async () => {
      const d = await query(ORGANIZER, `{ handoffs(toAgency: "xj-market") { ${FIELDS} } }`);
      expect(d.handoffs.totalCount).to.equal(4);
      // H3 received 09-20 (Fri) + 5 working days = 09-27, never completed → overdue; H4 never received: no clock;
      // H1 received 08-01 → 08-08, completed 08-06; H2 received 09-02 → 09-09, completed 09-12 (late)
      expect(d.handoffs.nodes.map((h: Node) => [h.id, h.status, h.dueDate, h.overdue])).to.deep.equal([
        ['H3', 'RECEIVED', '2024-09-27', true],
        ['H4', 'REQUESTED', null, false],
        ['H1', 'COMPLETED', '2024-08-08', false],
        ['H2', 'COMPLETED', '2024-09-09', false],
      ]);
      expect(d.handoffs.nodes[2]).to.include({ caseId: 'N1', purpose: 'information_notice', outcome: 'acknowledged', completedAt: at('2024-08-06'), dueDateProvisional: false });
      expect(d.handoffs.nodes[0].from).to.deep.equal({ id: 'xj-police' });
    });

    it('filters: overdue, status, purpose, fromAgency — each alone and combined', async () => {
      const d = await query(
        ORGANIZER,
        `{ overdue: handoffs(overdue: true) { nodes { id } }
           notOverdue: handoffs(overdue: false) { totalCount }
           completed: handoffs(status: COMPLETED) { nodes { id } }
           review: handoffs(purpose: "prosecution_review") { nodes { id dueDate overdue status } }
           police: handoffs(fromAgency: "xj-police") { nodes { id } }
           policeOpen: handoffs(fromAgency: "xj-police", toAgency: "xj-market", status: REQUESTED) { nodes { id } }
           mediation: handoffs(toAgency: "xj-justice") { nodes { id status dueDate overdue receivedAt } } }`,
      );
      expect(ids(d.overdue.nodes)).to.deep.equal(['H3']);
      expect(d.notOverdue.totalCount).to.equal(5);
      expect(ids(d.completed.nodes).sort()).to.deep.equal(['H1', 'H2', 'h5']);
      // prosecution_review received 09-06 + 1 month = 10-06, in the National Day holiday → 10-08; completed 10-15 (late, but no longer open)
      expect(d.review.nodes).to.deep.equal([{ id: 'h5', dueDate: '2024-10-08', overdue: false, status: 'COMPLETED' }]);
      expect(ids(d.police.nodes).sort()).to.deep.equal(['H3', 'H4', 'h5']);
      expect(ids(d.policeOpen.nodes)).to.deep.equal(['H4']);
      // received this week: 30 days from today's China date, moved past a rest day at most a week
      const h6 = d.mediation.nodes[0];
      expect(h6).to.include({ id: 'H6', status: 'RECEIVED', overdue: false });
      const start = chinaToday();
      expect(h6.dueDate >= addDays(start, 29) && h6.dueDate <= addDays(start, 38), `${h6.dueDate} from ${start}`).to.equal(true);
    });

    it('cursor pagination: totalCount, hasNextPage, every handoff once', async () => {
      const page = (after: string | null) => query(ORGANIZER, 'query($after: String) { handoffs(first: 2, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { id } } }', { after });
      const seen: string[] = [];
      let after: string | null = null;
      const pages: boolean[] = [];
      for (;;) {
        const d = await page(after);
        expect(d.handoffs.totalCount).to.equal(6);
        seen.push(...ids(d.handoffs.nodes));
        pages.push(d.handoffs.pageInfo.hasNextPage);
        if (!d.handoffs.pageInfo.hasNextPage) break;
        after = d.handoffs.pageInfo.endCursor;
      }
      expect(pages).to.deep.equal([true, true, false]);
      expect(seen.slice().sort()).to.deep.equal(['H1', 'H2', 'H3', 'H4', 'H6', 'h5']);
      expect(seen[0]).to.equal('H3'); // the only overdue one leads the board
      expect((await refused(ORGANIZER, '{ handoffs(after: "not-a-cursor") { totalCount } }')).code).to.equal('BAD_USER_INPUT');
    });

    it('Handoff.case resolves the case it belongs to', async () => {
      const d = await query(ORGANIZER, '{ handoffs(purpose: "prosecution_review") { nodes { case { id title kind } } } }');
      expect(d.handoffs.nodes[0].case).to.deep.equal({ id: 'K1', title: '某食品厂生产不符合安全标准食品案', kind: 'criminal' });
    });
  });

  describe('cases', () => {
    it('case(id): registration, agencies, handoffs, deadlines and a Chinese timeline', async () => {
      const d = await query(
        ORGANIZER,
        `{ case(id: "L1") { id kind title caseNumber status registeredBy { id } registeredAt defendantAgency { id name } privateEnterprise major
             agencies { id } judgmentOutcome reconsiderationDecision handoffs { id }
             deadlines { name dueDate dueDateProvisional overdue metAt }
             timeline { position type agency { id } time recordedAt summary } } }`,
      );
      const c = d.case;
      expect(c).to.include({
        id: 'L1',
        kind: 'administrative_litigation',
        caseNumber: '(2024)川0132行初15号',
        status: 'OPEN',
        registeredAt: at('2024-07-01'),
        privateEnterprise: true,
        major: false,
        judgmentOutcome: 'agency_lost',
        reconsiderationDecision: null,
      });
      expect(c.registeredBy).to.deep.equal({ id: 'xj-court' });
      expect(c.defendantAgency).to.deep.equal({ id: 'xj-market', name: '新津区市场监督管理局' });
      expect(ids(c.agencies)).to.have.members(['xj-court', 'xj-market', 'xj-gov']);
      expect(c.handoffs).to.deep.equal([]);
      // s1 received 07-31 → 09-30, replied 09-20; s3 received 09-02 → 11-02 (Sat) → 11-04, never replied;
      // copy notice issued 09-10 → 5 working days with the 09-14 make-up workday and the Mid-Autumn break → 09-18
      expect(c.deadlines).to.deep.equal([
        { name: 'suggestion_reply:s1', dueDate: '2024-09-30', dueDateProvisional: false, overdue: false, metAt: at('2024-09-20') },
        { name: 'suggestion_reply:s3', dueDate: '2024-11-04', dueDateProvisional: false, overdue: true, metAt: null },
        { name: 'notice_ack:L1/judgment/j1:xj-market', dueDate: '2024-09-18', dueDateProvisional: false, overdue: true, metAt: null },
        { name: 'notice_ack:L1/judgment/j1:xj-gov', dueDate: '2024-09-18', dueDateProvisional: false, overdue: true, metAt: null },
      ]);
      const timeline = c.timeline as { position: string; type: string; agency: { id: string } | null; time: string; recordedAt: string; summary: string }[];
      expect(timeline.map((t) => t.type)).to.deep.equal([
        'case.registered',
        'hearing.scheduled',
        'hearing.held',
        'suggestion.issued',
        'suggestion.issued',
        'suggestion.received',
        'suggestion.received',
        'judgment.issued',
        'notice.issued',
        'suggestion.replied',
      ]);
      const positions = timeline.map((t) => BigInt(t.position));
      for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).to.equal(true);
      expect(timeline[0]!.summary).to.equal(
        // the case number follows 案号, never inside a second pair of brackets (its own carry the year)
        '新津区人民法院 登记行政诉讼案件「某商贸公司诉区市场监管局行政处罚案」，案号 (2024)川0132行初15号，被告/被申请人 新津区市场监督管理局',
      );
      expect(timeline[2]!.summary).to.contain('行政机关负责人出庭应诉');
      expect(timeline[5]!.summary).to.equal('被建议单位 新津区市场监督管理局 签收建议（s1）');
      expect(timeline[7]!.summary).to.contain('行政机关败诉');
      const notice = timeline[8]!;
      expect(notice.agency).to.equal(null);
      expect(notice.summary).to.equal('平台 就「行政机关败诉」向 新津区市场监督管理局、新津区人民政府 抄告（L1/judgment/j1）');
      expect(timeline[9]!).to.deep.include({ agency: { id: 'xj-market' }, time: at('2024-09-20') });
      expect(timeline[9]!.summary).to.contain('采纳');
      for (const t of timeline) expect(t.summary).to.match(CHINESE);
    });

    it('case(id) of a reconsideration: the fast-track clock for a private enterprise, met by the decision', async () => {
      const d = await query(ORGANIZER, '{ case(id: "R1") { reconsiderationDecision deadlines { name dueDate overdue metAt } } missing: case(id: "NOPE") { id } }');
      expect(d.case.reconsiderationDecision).to.equal('revoked');
      // registered 07-01, private enterprise → 30 days → 07-31; decided 07-25
      expect(d.case.deadlines[0]).to.deep.equal({ name: 'reconsideration_decision', dueDate: '2024-07-31', overdue: false, metAt: at('2024-07-25') });
      expect(d.missing).to.equal(null);
    });

    it('case(id, asOf): what the platform knew before the judgment was recorded (auditor)', async () => {
      const d = await query(AUDITOR, 'query($asOf: DateTime) { then: case(id: "L1", asOf: $asOf) { judgmentOutcome deadlines { name } timeline { type } } }', { asOf: beforeJudgment });
      expect(d.then.judgmentOutcome).to.equal(null);
      expect(d.then.deadlines.map((x: { name: string }) => x.name)).to.deep.equal(['suggestion_reply:s1', 'suggestion_reply:s3']);
      expect(d.then.timeline.map((t: { type: string }) => t.type)).not.to.include('judgment.issued');
    });

    it('cases: filters by agency, kind, status, and pages with a cursor', async () => {
      const d = await query(
        ORGANIZER,
        `{ all: cases { totalCount }
           market: cases(agency: "xj-market") { nodes { id } }
           reconsiderations: cases(kind: "administrative_reconsideration") { nodes { id } }
           closed: cases(status: "CLOSED") { nodes { id status } }
           openLitigation: cases(kind: "administrative_litigation", status: "OPEN", agency: "xj-court") { totalCount } }`,
      );
      expect(d.all.totalCount).to.equal(11);
      // involved: defendant (L1–L3, R1–R3), suggestion to it (P1), handoff to it (N1, K1)
      expect(ids(d.market.nodes)).to.deep.equal(['K1', 'L1', 'L2', 'L3', 'N1', 'P1', 'R1', 'R2', 'R3']);
      expect(ids(d.reconsiderations.nodes)).to.deep.equal(['R1', 'R2', 'R3', 'R4']);
      expect(d.closed.nodes).to.deep.equal([{ id: 'N1', status: 'CLOSED' }]);
      expect(d.openLitigation.totalCount).to.equal(3);

      const first = await query(ORGANIZER, '{ cases(first: 4) { totalCount pageInfo { endCursor hasNextPage } nodes { id } } }');
      expect(first.cases.totalCount).to.equal(11);
      expect(first.cases.pageInfo.hasNextPage).to.equal(true);
      const rest = await query(ORGANIZER, 'query($after: String) { cases(first: 100, after: $after) { pageInfo { hasNextPage } nodes { id } } }', { after: first.cases.pageInfo.endCursor });
      expect(rest.cases.pageInfo.hasNextPage).to.equal(false);
      expect([...ids(first.cases.nodes), ...ids(rest.cases.nodes)]).to.deep.equal(['K1', 'L1', 'L2', 'L3', 'N1', 'N3', 'P1', 'R1', 'R2', 'R3', 'R4']);
      // graphql.md: first is at most 500 (refused by the guards before any resolver runs)
      const tooMany = await refused(ORGANIZER, '{ cases(first: 501) { totalCount } }');
      expect(tooMany.code).to.equal('QUERY_REFUSED');
      expect(tooMany.message).to.contain('500');
    });
  });

  describe('search (revision 2): titles, case numbers and party names, visibility as cases', () => {
    const SEARCH = 'query($text: String!, $first: Int, $after: String) { search(text: $text, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { id title } } }';
    const found = async (token: string, text: string): Promise<string[]> => {
      const d = await query(token, SEARCH, { text, first: 500 });
      expect(d.search.totalCount).to.equal(d.search.nodes.length);
      return ids(d.search.nodes);
    };

    it('finds by two Chinese characters and by three or more, in titles and party names', async () => {
      // 食品 in the titles of K1, N1 and P1; 某食品厂 is K1's title and P1's respondent
      expect(await found(ORGANIZER, '食品')).to.deep.equal(['K1', 'N1', 'P1']);
      expect(await found(ORGANIZER, '某食品厂')).to.deep.equal(['K1', 'P1']);
      expect(await found(ORGANIZER, '钱某')).to.deep.equal(['K1']);
      expect(await found(ORGANIZER, '消费者甲')).to.deep.equal(['N1']);
      expect(await found(ORGANIZER, '商标侵权')).to.deep.equal([]);
    });

    it('finds by 案号 with either kind of brackets, and by the case id', async () => {
      expect(await found(ORGANIZER, '川0132行初15')).to.deep.equal(['L1']);
      expect(await found(ORGANIZER, '（2024）川0132行初15号')).to.deep.equal(['L1']);
      expect(await found(ORGANIZER, 'r4')).to.deep.equal(['R4']);
    });

    it('a viewer finds only the cases its agency is involved in; another agency’s viewer finds nothing', async () => {
      expect(await found(POLICE, '食品')).to.deep.equal(['K1']); // the police are party to K1 only
      expect(await found(MARKET, '食品')).to.deep.equal(['K1', 'N1', 'P1']);
      expect(await found(GOV_VIEWER, '食品')).to.deep.equal([]); // 区政府 is party to none of them
      expect(await found(COURT, '钱某')).to.deep.equal([]); // K1: police, procuratorate, market
      expect(await found(GOV_VIEWER, '川0132')).to.deep.equal(['L1']); // an observer of L1's hearing, copied its judgment
      const d = await query(GOV_VIEWER, SEARCH, { text: '某食品厂', first: 10 });
      expect(d.search).to.deep.equal({ totalCount: 0, pageInfo: { endCursor: null, hasNextPage: false }, nodes: [] });
    });

    it('pages with the cursor of the page before, the total on every page', async () => {
      // 案 (one character) ends the titles of L1–L3, K1 and the four reconsiderations R1–R4
      const seen: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const d = await query(ORGANIZER, SEARCH, { text: '案', first: 3, after });
        expect(d.search.totalCount).to.equal(8);
        seen.push(...ids(d.search.nodes));
        if (!d.search.pageInfo.hasNextPage) break;
        after = d.search.pageInfo.endCursor;
      }
      expect(seen).to.deep.equal(['K1', 'L1', 'L2', 'L3', 'R1', 'R2', 'R3', 'R4']);
    });

    it('refuses an empty text and a cursor it did not make', async () => {
      expect((await refused(ORGANIZER, '{ search(text: "  ") { totalCount } }')).code).to.equal('BAD_USER_INPUT');
      expect((await refused(ORGANIZER, '{ search(text: "食品", after: "bm9wZQ") { totalCount } }')).code).to.equal('BAD_USER_INPUT');
    });
  });

  describe('suggestions and copy notices', () => {
    it('suggestions: due dates, replies and overdue; filters by addressee and overdue', async () => {
      const d = await query(
        ORGANIZER,
        `{ market: suggestions(toAgency: "xj-market") { id caseId category from { id } to { id } summary issuedAt dueDate overdue repliedAt adopted }
           overdue: suggestions(overdue: true) { id }
           current: suggestions(overdue: false) { id } }`,
      );
      expect(d.market.map((s: Node) => [s.id, s.caseId, s.category, s.dueDate, s.overdue, s.adopted])).to.deep.equal([
        ['s1', 'L1', 'judicial', '2024-09-30', false, true], // replied 09-20, on time
        ['s2', 'P1', 'procuratorial', '2024-10-08', false, false], // 08-05 + 2 months = 10-05 (holiday) → 10-08; replied late 10-20
        ['s3', 'L1', 'judicial', '2024-11-04', true, null], // never replied
      ]);
      expect(d.market[1]).to.deep.include({ from: { id: 'xj-proc' }, to: { id: 'xj-market' }, summary: '建议加强食品生产环节监管', issuedAt: at('2024-08-05'), repliedAt: at('2024-10-20') });
      expect(ids(d.overdue)).to.deep.equal(['s3']);
      expect(ids(d.current)).to.deep.equal(['s1', 's2', 's4']);
    });

    it('copyNotices: recipients, due dates, and filters by recipient and acknowledgement', async () => {
      const d = await query(
        ORGANIZER,
        `{ all: copyNotices { id caseId reason issuedAt recipients { id } acknowledgedBy { id } dueDate overdue }
           market: copyNotices(agency: "xj-market") { id } }`,
      );
      expect(d.all.map((x: Node) => [x.id, x.reason, ids(x.recipients as Node[]), x.dueDate, x.overdue])).to.deep.equal([
        ['R1/reconsideration', 'reconsideration_corrected', ['xj-market', 'xj-gov'], '2024-08-01', true],
        ['R4/reconsideration', 'reconsideration_corrected', ['xj-gov'], '2024-08-22', true],
        ['R3/reconsideration', 'reconsideration_corrected', ['xj-market', 'xj-gov'], '2024-09-12', true],
        ['L1/judgment/j1', 'agency_lost', ['xj-market', 'xj-gov'], '2024-09-18', true],
        ['L3/judgment/j3', 'agency_lost', ['xj-market', 'xj-gov'], '2024-10-14', true],
      ]);
      expect(ids(d.market)).to.deep.equal(['R1/reconsideration', 'R3/reconsideration', 'L1/judgment/j1', 'L3/judgment/j3']);
    });

    it('acknowledgeNotice: a recipient signs; read-after-write; filters follow', async () => {
      const market = await query(MARKET, 'mutation { acknowledgeNotice(id: "R1/reconsideration") { id acknowledgedBy { id } overdue } }');
      expect(market.acknowledgeNotice).to.deep.equal({ id: 'R1/reconsideration', acknowledgedBy: [{ id: 'xj-market' }], overdue: true }); // 区政府 still has not
      const after = await query(ORGANIZER, '{ case(id: "R1") { deadlines { name overdue metAt } } }');
      const marketClock = after.case.deadlines.find((x: { name: string }) => x.name === 'notice_ack:R1/reconsideration:xj-market');
      expect(marketClock.overdue).to.equal(false);
      expect(marketClock.metAt).to.match(/^\d{4}-/);

      const gov = await query(GOV_VIEWER, 'mutation { acknowledgeNotice(id: "R1/reconsideration") { acknowledgedBy { id } overdue } }');
      expect(gov.acknowledgeNotice).to.deep.equal({ acknowledgedBy: [{ id: 'xj-market' }, { id: 'xj-gov' }], overdue: false });
      const d = await query(ORGANIZER, '{ done: copyNotices(acknowledged: true) { id } marketOpen: copyNotices(agency: "xj-market", acknowledged: false) { id } govDone: copyNotices(agency: "xj-gov", acknowledged: true) { id } }');
      expect(ids(d.done)).to.deep.equal(['R1/reconsideration']);
      expect(ids(d.marketOpen)).to.deep.equal(['R3/reconsideration', 'L1/judgment/j1', 'L3/judgment/j3']);
      expect(ids(d.govDone)).to.deep.equal(['R1/reconsideration']);

      const again = await refused(MARKET, 'mutation { acknowledgeNotice(id: "R1/reconsideration") { id } }');
      expect(again.code).to.equal('BAD_USER_INPUT');
      expect(again.message).to.match(CHINESE);
      expect((await refused(COURT, 'mutation { acknowledgeNotice(id: "L1/judgment/j1") { id } }')).code).to.equal('FORBIDDEN');
    });
  });

  describe('clocks (revision 2): the 临期/逾期 view', () => {
    const FIELDS = 'totalCount pageInfo { endCursor hasNextPage } nodes { id kind name dueDate dueDateProvisional daysLeft overdue owner { id } case { id } }';

    it('overdue: the running clocks past their due date, soonest first; a viewer sees only its own things', async () => {
      const d = await query(ORGANIZER, `{ clocks(overdue: true, first: 500) { ${FIELDS} } }`);
      const byId = new Map<string, Node>(d.clocks.nodes.map((c: Node) => [c.id, c]));
      expect(d.clocks.totalCount).to.equal(d.clocks.nodes.length);
      // H3: 信息通报 received 09-20 (Fri) + 5 working days = 09-27, never completed
      expect(byId.get('K1:information_notice:H3')).to.deep.include({ kind: 'HANDOFF', dueDate: '2024-09-27', overdue: true, owner: { id: 'xj-market' }, case: { id: 'K1' } });
      // s3: judicial suggestion received 09-02 + 2 months = 11-02 (Saturday) → 11-04, never replied
      expect(byId.get('L1:suggestion_reply:s3')).to.deep.include({ kind: 'SUGGESTION', dueDate: '2024-11-04', overdue: true, owner: { id: 'xj-market' } });
      // R3: ordered performance by 10-15, never performed — the defendant's duty
      expect(byId.get('R3:reconsideration_performance')).to.deep.include({ kind: 'PERFORMANCE', dueDate: '2024-10-15', owner: { id: 'xj-market' } });
      for (const c of d.clocks.nodes as Node[]) expect(c.overdue && (c.daysLeft as number) < 0, c.id).to.equal(true);
      const dues = (d.clocks.nodes as Node[]).map((c) => `${c.dueDate as string}|${c.id}`);
      expect(dues).to.deep.equal([...dues].sort());
      // the running ones of this week are not overdue
      expect([...byId.keys()].some((id) => id.startsWith('N3:'))).to.equal(false);

      const proc = await query(PROC, `{ clocks(overdue: true, first: 500) { ${FIELDS} } }`);
      // H3 went from 公安 to 市场监管局: the procuratorate, though involved in K1, is no party to it
      expect(ids(proc.clocks.nodes)).not.to.include('K1:information_notice:H3');
      const market = await query(MARKET, `{ clocks(overdue: true, agency: "xj-market", first: 500) { ${FIELDS} } }`);
      expect(ids(market.clocks.nodes)).to.include.members(['K1:information_notice:H3', 'L1:suggestion_reply:s3', 'R3:reconsideration_performance']);
    });

    it('dueWithinDays: 3 — a 行刑衔接 transfer received today is due within 3 working days; publishers are refused', async () => {
      await send(MARKET, [
        ce('xj-market', 'case.registered', 'T1', minutesAgo(30), { kind: 'criminal', title: '某公司涉嫌销售假冒商品案', parties: [{ name: '某公司', role: 'respondent', type: 'enterprise' }] }),
        ce('xj-market', 'handoff.requested', 'T1', minutesAgo(30), { handoffId: 'T1-h1', to: 'xj-police', purpose: 'criminal_transfer' }),
      ]);
      await send(POLICE, [ce('xj-police', 'handoff.received', 'T1', minutesAgo(20), { handoffId: 'T1-h1' })]);
      const d = await query(ORGANIZER, `{ clocks(dueWithinDays: 3, first: 20) { ${FIELDS} } }`);
      const clock = (d.clocks.nodes as Node[]).find((c) => c.id === 'T1:criminal_transfer:T1-h1');
      // 3 days from today's receipt, moved to the next working day when it is a rest day: at most 3 working days
      expect(clock, JSON.stringify(d.clocks.nodes)).to.deep.include({ kind: 'HANDOFF', name: 'criminal_transfer:T1-h1', overdue: false, owner: { id: 'xj-police' } });
      expect(clock!.daysLeft).to.be.within(0, 3);
      expect(clock!.dueDate! > chinaToday() && (clock!.dueDate as string) <= addDays(chinaToday(), 7)).to.equal(true);
      for (const c of d.clocks.nodes as Node[]) expect(!c.overdue && (c.daysLeft as number) >= 0 && (c.daysLeft as number) <= 3, c.id).to.equal(true);
      // the 30-day mediation received this week is running but not due within 3 working days
      expect(ids(d.clocks.nodes)).not.to.include('N3:entrusted_mediation:H6');
      const all = await query(ORGANIZER, `{ clocks(first: 500) { totalCount nodes { id } } }`);
      expect(ids(all.clocks.nodes)).to.include.members(['N3:entrusted_mediation:H6', 'N3:suggestion_reply:s4', 'T1:criminal_transfer:T1-h1']);
      const police = await query(POLICE, `{ clocks(dueWithinDays: 3, kind: HANDOFF) { totalCount nodes { id } } }`);
      expect(ids(police.clocks.nodes)).to.include('T1:criminal_transfer:T1-h1');
      const court = await query(COURT, `{ clocks(dueWithinDays: 3) { totalCount nodes { id } } }`);
      expect(ids(court.clocks.nodes)).not.to.include('T1:criminal_transfer:T1-h1');
      expect((await refused(JUSTICE, '{ clocks { totalCount } }')).code).to.equal('FORBIDDEN');
    });
  });

  describe('scorecard (季通报)', () => {
    const FIELDS = `agency { id } quarter litigationConcluded litigationLost lossRate hearingsHeld headAppearances headAppearanceRate
      reconsiderationsDecided reconsiderationsCorrected correctionRate suggestionsReceived suggestionsRepliedOnTime
      handoffsReceived handoffsCompletedOnTime handoffsOverdue`;

    it('2024Q3 for 市场监管局 counts what was published', async () => {
      const d = await query(ORGANIZER, `{ scorecard(quarter: "2024Q3", agency: "xj-market") { ${FIELDS} } }`);
      expect(d.scorecard).to.deep.equal([
        {
          agency: { id: 'xj-market' },
          quarter: '2024Q3',
          litigationConcluded: 2, // j1 (09-10, lost) and j2 (09-20, won); j3 is 10-08 → Q4
          litigationLost: 1,
          lossRate: 0.5,
          hearingsHeld: 2, // hr2 07-15, hr1 08-20
          headAppearances: 1, // hr1 only
          headAppearanceRate: 0.5,
          reconsiderationsDecided: 3, // R1 revoked 07-25, R2 upheld 08-30, R3 ordered_performance 09-05 (R4 is against 区政府)
          reconsiderationsCorrected: 2, // revoked, ordered_performance
          correctionRate: 2 / 3,
          suggestionsReceived: 3, // s1 07-31, s2 08-05, s3 09-02
          suggestionsRepliedOnTime: 1, // s1; s2 replied late, s3 not at all
          handoffsReceived: 3, // clocks started 08-01 (H1), 09-02 (H2), 09-20 (H3); H4 never received
          handoffsCompletedOnTime: 1, // H1
          handoffsOverdue: 2, // H2 completed late, H3 still open past 09-27
        },
      ]);
    });

    it('every government agency by default, each quarter on its own', async () => {
      const d = await query(ORGANIZER, `{ q3: scorecard(quarter: "2024Q3") { agency { id } reconsiderationsDecided reconsiderationsCorrected correctionRate litigationConcluded lossRate }
                                          q4: scorecard(quarter: "2024Q4", agency: "xj-market") { litigationConcluded litigationLost lossRate suggestionsReceived handoffsReceived } }`);
      expect(d.q3).to.deep.equal([
        { agency: { id: 'xj-gov' }, reconsiderationsDecided: 1, reconsiderationsCorrected: 1, correctionRate: 1, litigationConcluded: 0, lossRate: null },
        { agency: { id: 'xj-market' }, reconsiderationsDecided: 3, reconsiderationsCorrected: 2, correctionRate: 2 / 3, litigationConcluded: 2, lossRate: 0.5 },
      ]);
      expect(d.q4).to.deep.equal([{ litigationConcluded: 1, litigationLost: 1, lossRate: 1, suggestionsReceived: 0, handoffsReceived: 0 }]);
      expect((await refused(ORGANIZER, '{ scorecard(quarter: "2024-09") { quarter } }')).code).to.equal('BAD_USER_INPUT');
    });

    it('a viewer gets its own row only', async () => {
      const d = await query(MARKET, '{ scorecard(quarter: "2024Q3") { agency { id } litigationLost } }');
      expect(d.scorecard).to.deep.equal([{ agency: { id: 'xj-market' }, litigationLost: 1 }]);
    });
  });

  describe('rejections', () => {
    it('pages an agency’s rejections with totalCount and a cursor', async () => {
      const first = await query(ORGANIZER, '{ rejections(agency: "xj-market", first: 2) { totalCount pageInfo { endCursor hasNextPage } nodes { id source channel receivedAt code message eventId eventType raw } } }');
      const r = first.rejections;
      expect(r.totalCount).to.equal(3);
      expect(r.pageInfo.hasNextPage).to.equal(true);
      expect(r.nodes.map((x: Node) => x.code)).to.deep.equal(['unauthorized', 'invalid_data']);
      expect(r.nodes[0]).to.include({ source: 'xj-market', channel: 'http', eventType: 'judgment.issued' });
      expect(r.nodes[0].message).to.match(CHINESE);
      expect(JSON.parse(r.nodes[0].raw)).to.include({ subject: 'NO-SUCH-CASE' });
      const next = await query(ORGANIZER, 'query($after: String) { rejections(agency: "xj-market", first: 2, after: $after) { totalCount pageInfo { hasNextPage } nodes { code } } }', { after: r.pageInfo.endCursor });
      expect(next.rejections).to.deep.equal({ totalCount: 3, pageInfo: { hasNextPage: false }, nodes: [{ code: 'unknown_type' }] });
      const all = await query(ORGANIZER, '{ rejections { totalCount } }');
      expect(all.rejections.totalCount).to.equal(4);
      const own = await query(MARKET, '{ rejections { totalCount } }');
      expect(own.rejections.totalCount).to.equal(3);
    });
  });

  describe('history and auditVerify', () => {
    it('history: a stream’s events in revision order, hashes chained across pages (auditors only)', async () => {
      const first = await query(AUDITOR, '{ history(stream: "case-L1", first: 3) { totalCount pageInfo { endCursor hasNextPage } nodes { position streamId revision type time recordedAt source principal channel data metadata hash prevHash } } }');
      const h = first.history;
      // eight events, and since revision 2 the two receipts of the suggestions
      expect(h.totalCount).to.equal(10);
      expect(h.pageInfo.hasNextPage).to.equal(true);
      expect(h.nodes.map((x: { revision: number }) => x.revision)).to.deep.equal([0, 1, 2]);
      expect(h.nodes[0]).to.deep.include({ streamId: 'case-L1', type: 'case.registered', source: 'xj-court', principal: 'court-system', channel: 'http', time: at('2024-07-01'), prevHash: null });
      expect(h.nodes[0].data).to.include({ kind: 'administrative_litigation', defendantAgencyId: 'xj-market' });
      expect(h.nodes[0].metadata).to.include({ source: 'xj-court' });
      const rest = await query(AUDITOR, 'query($after: String) { history(stream: "case-L1", first: 50, after: $after) { pageInfo { hasNextPage } nodes { revision type source channel hash prevHash } } }', { after: h.pageInfo.endCursor });
      const nodes = [...h.nodes, ...rest.history.nodes] as { revision: number; type: string; source: string | null; channel: string; hash: string; prevHash: string | null }[];
      expect(nodes.map((x) => x.revision)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      for (let i = 1; i < nodes.length; i++) expect(nodes[i]!.prevHash, `revision ${i}`).to.equal(nodes[i - 1]!.hash);
      expect(nodes[8]).to.include({ type: 'notice.issued', source: null, channel: 'platform' });
      expect(rest.history.pageInfo.hasNextPage).to.equal(false);
    });

    it('history and auditVerify are FORBIDDEN to organizers and viewers', async () => {
      for (const token of [ORGANIZER, MARKET, GOV_VIEWER]) {
        expect((await refused(token, '{ history(stream: "case-L1") { totalCount } }')).code, token).to.equal('FORBIDDEN');
        expect((await refused(token, '{ auditVerify { ok checked } }')).code, token).to.equal('FORBIDDEN');
        expect((await refused(token, '{ auditVerify(stream: "case-L1") { ok } }')).code, token).to.equal('FORBIDDEN');
      }
    });
  });

  describe('a full meeting cycle: schedule → nominate → held → resolution → action items → completion → carried over', () => {
    const DOSSIER = `id title scheduledAt status organizer { id } participants { id } attendees { id }
      agenda { reason resolution case { id title timeline { summary } deadlines { name dueDate overdue } } }
      actionItems { id meetingId caseId text owner { id } dueDate completedAt overdue }
      carriedOver { id meetingId text owner { id } completedAt overdue }
      attention { reason detail case { id } }`;
    const today = chinaToday();
    let first: string;
    let next: string;
    let cancelled: string;
    const items: Record<string, string> = {};

    it('scheduleMeeting: the organizer puts a meeting in the calendar', async () => {
      const d = await query(ORGANIZER, `mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { ${DOSSIER} } }`, {
        input: { title: '府院联动推进会（本季度）', scheduledAt: new Date(Date.now() - 3 * 3_600_000).toISOString(), participants: ['xj-court', 'xj-proc', 'xj-police', 'xj-gov', 'xj-market'] },
      });
      const m = d.scheduleMeeting;
      first = m.id;
      expect(m).to.deep.include({ title: '府院联动推进会（本季度）', status: 'SCHEDULED', organizer: { id: 'xj-justice' }, attendees: [], agenda: [], actionItems: [], carriedOver: [] });
      expect(ids(m.participants)).to.deep.equal(['xj-court', 'xj-proc', 'xj-police', 'xj-gov', 'xj-market']);
      // read-after-write
      const again = await query(ORGANIZER, 'query($id: ID!) { meeting(id: $id) { id status } }', { id: first });
      expect(again.meeting).to.deep.equal({ id: first, status: 'SCHEDULED' });
    });

    it('attention: what needs the meeting, computed now, with reasons', async () => {
      const d = await query(ORGANIZER, 'query($id: ID!) { meeting(id: $id) { attention { reason detail case { id } } } }', { id: first });
      const reasons = (d.meeting.attention as { reason: string; case: { id: string }; detail: string }[]).map((a) => `${a.case.id}:${a.reason}`);
      expect(reasons).to.have.members([
        'K1:overdue_handoff', // H3 past 09-27
        'L1:overdue_suggestion', // s3 past 11-04
        'R3:overdue_performance', // performance due 10-15, not reported
        'L1:agency_lost',
        'L3:agency_lost',
        'R1:reconsideration_corrected',
        'R3:reconsideration_corrected',
        'R4:reconsideration_corrected',
      ]);
      expect(reasons[0]).to.equal('K1:overdue_handoff'); // the most pressing first
      for (const a of d.meeting.attention) expect(a.detail).to.match(CHINESE);
    });

    it('nominateCase: cases join the agenda with a reason ("manual" by default) and leave the attention list', async () => {
      await query(ORGANIZER, 'mutation($id: ID!) { nominateCase(meetingId: $id, caseId: "L1", reason: "agency_lost") { id } }', { id: first });
      const d = await query(ORGANIZER, `mutation($id: ID!) { nominateCase(meetingId: $id, caseId: "K1") { ${DOSSIER} } }`, { id: first });
      const m = d.nominateCase;
      expect(m.agenda.map((a: { reason: string; case: { id: string } }) => [a.case.id, a.reason])).to.deep.equal([
        ['L1', 'agency_lost'],
        ['K1', 'manual'],
      ]);
      expect(m.agenda[0].case.timeline.length).to.equal(10);
      expect(m.agenda[1].case.title).to.equal('某食品厂生产不符合安全标准食品案');
      const onAttention = m.attention.map((a: { case: { id: string } }) => a.case.id);
      expect(onAttention).not.to.include('L1');
      expect(onAttention).not.to.include('K1');
      expect(onAttention).to.include('R3');
      const twice = await refused(ORGANIZER, 'mutation($id: ID!) { nominateCase(meetingId: $id, caseId: "K1") { id } }', { id: first });
      expect(twice.code).to.equal('BAD_USER_INPUT');
      expect(twice.message).to.match(CHINESE);
    });

    it('recordMeetingHeld and recordResolution', async () => {
      const before = await refused(ORGANIZER, 'mutation($i: AssignActionItemInput!) { assignActionItem(input: $i) { id } }', {
        i: { meetingId: first, text: '太早了', owner: 'xj-market', dueDate: addDays(today, 10) },
      });
      expect(before.code).to.equal('BAD_USER_INPUT'); // not held yet
      const held = await query(ORGANIZER, 'mutation($id: ID!) { recordMeetingHeld(meetingId: $id, attendees: ["xj-court", "xj-police", "xj-gov", "xj-market"]) { status attendees { id } } }', { id: first });
      expect(held.recordMeetingHeld.status).to.equal('HELD');
      expect(ids(held.recordMeetingHeld.attendees)).to.deep.equal(['xj-court', 'xj-police', 'xj-gov', 'xj-market']);
      const text = '市场监管局剖析败诉原因，一个月内报送整改方案';
      const r = await query(ORGANIZER, 'mutation($id: ID!, $text: String!) { recordResolution(meetingId: $id, caseId: "L1", text: $text) { agenda { case { id } resolution } } }', { id: first, text });
      expect(r.recordResolution.agenda).to.deep.equal([
        { case: { id: 'L1' }, resolution: text },
        { case: { id: 'K1' }, resolution: null },
      ]);
      const notOnAgenda = await refused(ORGANIZER, 'mutation($id: ID!) { recordResolution(meetingId: $id, caseId: "R2", text: "x") { id } }', { id: first });
      expect(notOnAgenda.code).to.equal('BAD_USER_INPUT');
    });

    it('assignActionItem: items with owners and due dates; one already overdue', async () => {
      const assign = 'mutation($i: AssignActionItemInput!) { assignActionItem(input: $i) { id meetingId caseId text owner { id } dueDate completedAt overdue } }';
      const a1 = (await query(ORGANIZER, assign, { i: { meetingId: first, caseId: 'L1', text: '报送行政执法整改方案', owner: 'xj-market', dueDate: addDays(today, 30) } })).assignActionItem;
      const a2 = (await query(ORGANIZER, assign, { i: { meetingId: first, caseId: 'K1', text: '补充移送涉案食品检验报告', owner: 'xj-police', dueDate: addDays(today, 14) } })).assignActionItem;
      const a3 = (await query(ORGANIZER, assign, { i: { meetingId: first, text: '组织行政机关负责人出庭应诉培训', owner: 'xj-gov', dueDate: addDays(today, -1) } })).assignActionItem;
      expect(a1).to.deep.include({ meetingId: first, caseId: 'L1', owner: { id: 'xj-market' }, dueDate: addDays(today, 30), completedAt: null, overdue: false });
      expect(a3).to.deep.include({ caseId: null, owner: { id: 'xj-gov' }, overdue: true });
      expect(new Set([a1.id, a2.id, a3.id]).size).to.equal(3);
      Object.assign(items, { a1: a1.id, a2: a2.id, a3: a3.id });
      const m = await query(ORGANIZER, 'query($id: ID!) { meeting(id: $id) { actionItems { id } } }', { id: first });
      expect(ids(m.meeting.actionItems)).to.deep.equal([a1.id, a2.id, a3.id]);
    });

    it('completeActionItem: only the owner agency, by mutation', async () => {
      const wrong = await refused(GOV_VIEWER, 'mutation($id: ID!) { completeActionItem(id: $id) { id } }', { id: items.a1 });
      expect(wrong.code).to.equal('FORBIDDEN');
      const done = await query(MARKET, 'mutation($id: ID!) { completeActionItem(id: $id, note: "整改方案已报送") { id completedAt overdue } }', { id: items.a1 });
      expect(done.completeActionItem.id).to.equal(items.a1);
      expect(Date.now() - Date.parse(done.completeActionItem.completedAt)).to.be.within(0, 60_000);
      expect(done.completeActionItem.overdue).to.equal(false);
    });

    it('the next meeting carries over the open items of earlier meetings', async () => {
      const d = await query(ORGANIZER, `mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { id carriedOver { id meetingId owner { id } overdue completedAt } } }`, {
        input: { title: '府院联动推进会（下季度）', scheduledAt: new Date(Date.now() + 90 * 86_400_000).toISOString(), participants: ['xj-court', 'xj-gov', 'xj-market'] },
      });
      next = d.scheduleMeeting.id;
      const carried = d.scheduleMeeting.carriedOver as { id: string; meetingId: string; owner: { id: string }; overdue: boolean }[];
      expect(carried.map((a) => a.id)).to.deep.equal([items.a2, items.a3]); // a1 was completed
      expect(carried.every((a) => a.meetingId === first)).to.equal(true);
      expect(carried.find((a) => a.id === items.a3)!.overdue).to.equal(true);
    });

    it('attention of the next meeting: a loss discussed at a held meeting does not come back; what is still overdue does', async () => {
      const d = await query(ORGANIZER, 'query($id: ID!) { meeting(id: $id) { attention { reason case { id } } } }', { id: next });
      const reasons = (d.meeting.attention as { reason: string; case: { id: string } }[]).map((a) => `${a.case.id}:${a.reason}`);
      expect(reasons).not.to.include('L1:agency_lost'); // on the first meeting's agenda, which was held
      expect(reasons).to.include('L3:agency_lost'); // never discussed
      expect(reasons).to.include('K1:overdue_handoff'); // discussed, but H3 is still overdue
      expect(reasons).to.include('L1:overdue_suggestion'); // likewise
    });

    it('an owner reports completion by publishing action_item.completed; the item is no longer carried over', async () => {
      await send(POLICE, [ce('xj-police', 'action_item.completed', 'K1', minutesAgo(0), { actionId: items.a2, note: '检验报告已补充移送' })]);
      const d = await query(ORGANIZER, 'query($first: ID!, $next: ID!) { first: meeting(id: $first) { actionItems { id completedAt } } next: meeting(id: $next) { carriedOver { id } } }', { first, next });
      expect(d.first.actionItems.find((a: Node) => a.id === items.a2).completedAt).to.not.equal(null);
      expect(ids(d.next.carriedOver)).to.deep.equal([items.a3]);
    });

    it('the last open item stays carried over until it is completed', async () => {
      const still = await query(GOV_VIEWER, 'query($next: ID!) { meeting(id: $next) { carriedOver { id overdue } } }', { next });
      expect(still.meeting.carriedOver).to.deep.equal([{ id: items.a3, overdue: true }]);
      const done = await query(GOV_VIEWER, 'mutation($id: ID!) { completeActionItem(id: $id, note: "培训已于本周举办") { overdue completedAt } }', { id: items.a3 });
      expect(done.completeActionItem.overdue).to.equal(false);
      const d = await query(ORGANIZER, 'query($next: ID!) { meeting(id: $next) { carriedOver { id } } }', { next });
      expect(d.meeting.carriedOver).to.deep.equal([]);
    });

    it('cancelMeeting: a scheduled meeting can be cancelled, a held one cannot', async () => {
      const scheduled = await query(ORGANIZER, 'mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { id } }', {
        input: { title: '行刑衔接专题会', scheduledAt: new Date(Date.now() + 10 * 86_400_000).toISOString(), participants: ['xj-police', 'xj-proc'] },
      });
      cancelled = scheduled.scheduleMeeting.id;
      const d = await query(ORGANIZER, 'mutation($id: ID!) { cancelMeeting(id: $id, reason: "与区委常委会时间冲突，改期另行通知") { id status } }', { id: cancelled });
      expect(d.cancelMeeting).to.deep.equal({ id: cancelled, status: 'CANCELLED' });
      const held = await refused(ORGANIZER, 'mutation($id: ID!) { cancelMeeting(id: $id, reason: "x") { id } }', { id: first });
      expect(held.code).to.equal('BAD_USER_INPUT');
      expect(held.message).to.match(CHINESE);
    });

    it('meetings(from, to): by China-time date of the meeting, in date order', async () => {
      const all = await query(ORGANIZER, '{ meetings { id status } }');
      expect(all.meetings.map((m: Node) => [m.id, m.status])).to.deep.equal([
        [first, 'HELD'],
        [cancelled, 'CANCELLED'],
        [next, 'SCHEDULED'],
      ]);
      const firstDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 3 * 3_600_000));
      const window = await query(ORGANIZER, 'query($from: Date, $to: Date) { meetings(from: $from, to: $to) { id } }', { from: firstDay, to: firstDay });
      expect(ids(window.meetings)).to.deep.equal([first]);
      const later = await query(ORGANIZER, 'query($from: Date) { meetings(from: $from) { id } }', { from: addDays(today, 30) });
      expect(ids(later.meetings)).to.deep.equal([next]);
      // a viewer sees the meetings it takes part in
      const police = await query(POLICE, '{ meetings { id } }');
      expect(ids(police.meetings)).to.deep.equal([first, cancelled]);
    });

    it('the dossier of the held meeting, as a newcomer would query it', async () => {
      const d = await query(ORGANIZER, `query($id: ID!) { meeting(id: $id) { ${DOSSIER} } }`, { id: first });
      const m = d.meeting;
      expect(m.status).to.equal('HELD');
      expect(m.agenda[0].resolution).to.contain('整改方案');
      expect(m.agenda[0].case.deadlines.find((x: { name: string }) => x.name === 'suggestion_reply:s3')).to.deep.equal({ name: 'suggestion_reply:s3', dueDate: '2024-11-04', overdue: true });
      expect(m.actionItems.map((a: { completedAt: string | null }) => a.completedAt !== null)).to.deep.equal([true, true, true]);
      expect(m.carriedOver).to.deep.equal([]);
      // the meeting's own stream, for auditors: every mutation in order, by the organizer over GraphQL
      const h = await query(AUDITOR, 'query($s: String!) { history(stream: $s) { nodes { type channel principal source } } }', { s: `meeting-${first}` });
      expect(h.history.nodes.map((x: { type: string }) => x.type)).to.deep.equal([
        'meeting.scheduled',
        'meeting.case_nominated',
        'meeting.case_nominated',
        'meeting.held',
        'meeting.resolution_recorded',
        'action_item.assigned',
        'action_item.assigned',
        'action_item.assigned',
        'action_item.completed',
        'action_item.completed',
        'action_item.completed',
      ]);
      expect(h.history.nodes[0]).to.deep.equal({ type: 'meeting.scheduled', channel: 'graphql', principal: 'organizer', source: 'xj-justice' });
      expect(h.history.nodes[9]).to.deep.include({ channel: 'http', principal: 'police-system', source: 'xj-police' });
    });
  });

  describe('example queries (docs/queries.md, GraphiQL tabs)', () => {
    const docs = readFileSync(new URL('../../docs/queries.md', import.meta.url), 'utf8');
    const blocks = [...docs.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const examples = JSON.parse(readFileSync(new URL('../../gateway/graphiql/examples.json', import.meta.url), 'utf8')) as { query: string; variables?: string }[];

    it('every documented operation is valid against the schema, and the GraphiQL tabs are the same queries', () => {
      const schema = buildSchema(readFileSync(new URL('../../gateway/schema.graphql', import.meta.url), 'utf8'));
      expect(blocks.length).to.be.greaterThan(examples.length);
      for (const block of blocks) expect(validate(schema, parse(block)).map((e) => e.message), block.slice(0, 80)).to.deep.equal([]);
      expect(examples.map((e) => e.query.trim())).to.deep.equal(blocks.slice(0, examples.length).map((b) => b.trim()));
    });

    it('every GraphiQL tab runs without errors', async () => {
      for (const example of examples) {
        const r = await gql(program.base, ORGANIZER, example.query, example.variables ? JSON.parse(example.variables) : {});
        expect(r.json!.errors, example.query.slice(0, 80)).to.equal(undefined);
      }
    });
  });
});
