import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fixedClock } from '../../../infra/clock.js';
import { cloudEvent, gql, publish } from '../../e2e/harness.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

/**
 * graphql.md "Access", role by role, against the platform wired in this process exactly as the embedded
 * composition root wires it (SQLite store, ingest over HTTP, projections, GraphQL) — but with a fixed clock,
 * so "today" (2024-10-20, China time) and every `overdue` are known.
 */

const TODAY = '2024-10-20T10:00:00+08:00';

const COURT = 'test-court-token'; // publisher + viewer, xj-court
const PROC = 'test-proc-token';
const POLICE = 'test-police-token';
const JUSTICE = 'test-justice-token'; // publisher only
const MARKET = 'test-market-token'; // publisher + viewer, xj-market
const GOV_VIEWER = 'test-gov-viewer';
const ORGANIZER = 'test-organizer-token';
const AUDITOR = 'test-auditor-token';

const at = (day: string, hm = '09:00'): string => `${day}T${hm}:00+08:00`;
const person = (name: string, role: string) => ({ name, role, type: 'person' });
const CHINESE = /[\u4e00-\u9fff]/;

describe('GraphQL access per role (graphql.md "Access")', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'ld-visibility-'));
  let p: InProcessPlatform;
  let meetingWithAgenda: string;
  let policeMeeting: string;
  let marketItem: string;
  let govItem: string;

  /** publishes as an agency would at the event's own time (the clock follows, so recordedAt follows too) */
  async function send(token: string, events: ReturnType<typeof cloudEvent>[]): Promise<void> {
    p.clock.set(new Date(Date.parse(events[events.length - 1]!.time) + 60_000).toISOString());
    const r = await publish(p.base, token, events);
    expect(r.status).to.equal(200);
    for (const result of r.json!.results!) expect(result.status, `${result.id}: ${result.message ?? ''}`).to.equal('accepted');
  }

  const q = async (token: string | null, query: string, variables: Record<string, unknown> = {}) => {
    const r = await gql(p.base, token, query, variables);
    return r.json!;
  };
  const data = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const r = await q(token, query, variables);
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    return r.data!;
  };
  const errorCode = async (token: string, query: string, variables: Record<string, unknown> = {}): Promise<{ code: unknown; message: string }> => {
    const r = await q(token, query, variables);
    expect(r.errors, `expected an error from ${query}`).to.be.an('array').that.is.not.empty;
    return { code: r.errors![0]!.extensions?.['code'], message: r.errors![0]!.message };
  };
  const eventCount = async (): Promise<number> => (await p.store.readAll({ after: null })).length;

  before(async () => {
    p = await startInProcessPlatform(dir, { clock: fixedClock(TODAY), ingest: true });
    const ce = cloudEvent;
    // 2024-08: a lawsuit against 市场监管局, a criminal case, a reconsideration against 区政府
    await send(COURT, [
      ce('xj-court', 'reg-L1', 'case.registered', 'L1', at('2024-08-01'), {
        kind: 'administrative_litigation',
        title: '某商贸公司诉区市场监管局行政处罚案',
        parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }],
        defendantAgencyId: 'xj-market',
      }),
    ]);
    await send(JUSTICE, [
      ce('xj-justice', 'reg-R1', 'case.registered', 'R1', at('2024-08-01', '10:00'), {
        kind: 'administrative_reconsideration',
        title: '刘某不服区政府征收补偿决定申请复议案',
        parties: [person('刘某', 'applicant')],
        defendantAgencyId: 'xj-gov',
      }),
    ]);
    await send(POLICE, [
      ce('xj-police', 'reg-K1', 'case.registered', 'K1', at('2024-08-20'), { kind: 'criminal', title: '李某盗窃案', parties: [person('李某', 'suspect')] }),
      ce('xj-police', 'req-K1', 'handoff.requested', 'K1', at('2024-09-01'), { handoffId: 'h1', to: 'xj-proc', purpose: 'prosecution_review' }),
    ]);
    // received 09-02: 1 month → 10-02 (National Day) → due 10-08, overdue on 10-20
    await send(PROC, [ce('xj-proc', 'rcv-K1', 'handoff.received', 'K1', at('2024-09-02'), { handoffId: 'h1' })]);
    await send(COURT, [
      ce('xj-court', 'reg-S1', 'case.registered', 'S1', at('2024-09-01'), { kind: 'civil_dispute', title: '物业服务合同纠纷', parties: [person('业主甲', 'plaintiff')] }),
      ce('xj-court', 'sug-S1', 'suggestion.issued', 'S1', at('2024-09-02'), { suggestionId: 's1', to: 'xj-gov', category: 'judicial', summary: '建议加强物业服务监管' }),
      ce('xj-court', 'sug-L1', 'suggestion.issued', 'L1', at('2024-09-02', '10:00'), { suggestionId: 's2', to: 'xj-market', category: 'judicial', summary: '建议规范行政处罚裁量' }),
    ]);
    await send(JUSTICE, [ce('xj-justice', 'dec-R1', 'reconsideration.decided', 'R1', at('2024-09-20'), { decision: 'revoked' })]);
    // 败诉 on 09-27: the platform copies the notice to 市场监管局 and 区政府, 5 working days → 10-10
    await send(COURT, [ce('xj-court', 'jdg-L1', 'judgment.issued', 'L1', at('2024-09-27'), { judgmentId: 'j1', outcome: 'agency_lost' })]);
    await send(COURT, [
      ce('xj-court', 'reg-C2', 'case.registered', 'C2', at('2024-10-10'), { kind: 'civil_dispute', title: '商铺租赁合同纠纷', parties: [person('商户乙', 'plaintiff')] }),
      ce('xj-court', 'req-C2', 'handoff.requested', 'C2', at('2024-10-14'), { handoffId: 'hc', to: 'xj-market', purpose: 'information_notice' }),
    ]);
    await send(MARKET, [ce('xj-market', 'rcv-C2', 'handoff.received', 'C2', at('2024-10-14', '11:00'), { handoffId: 'hc' })]);
    p.clock.set(TODAY);
    // one rejection each for 法院 and 市场监管局
    expect((await publish(p.base, COURT, [ce('xj-court', 'bad-court', 'case.renamed', 'L1', at('2024-10-19'), {})])).json!.results![0]!.code).to.equal('unknown_type');
    expect((await publish(p.base, MARKET, [ce('xj-market', 'bad-market', 'handoff.received', 'NOPE', at('2024-10-19'), { handoffId: 'x' })])).json!.results![0]!.code).to.equal('unknown_case');

    // a dossier with L1 (法院, 市场监管局, 区政府 involved) and K1 (公安, 检察院 only) on its agenda
    const scheduled = await data(ORGANIZER, 'mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id } }', {
      i: { title: '2024年第四季度府院联动推进会', scheduledAt: at('2024-10-25', '14:30'), participants: ['xj-court', 'xj-gov'] },
    });
    meetingWithAgenda = scheduled.scheduleMeeting.id;
    await data(ORGANIZER, 'mutation($m: ID!) { a: nominateCase(meetingId: $m, caseId: "L1", reason: "agency_lost") { id } b: nominateCase(meetingId: $m, caseId: "K1") { id } }', { m: meetingWithAgenda });
    await data(ORGANIZER, 'mutation($m: ID!) { recordMeetingHeld(meetingId: $m, attendees: ["xj-court", "xj-gov", "xj-market"]) { id } }', { m: meetingWithAgenda });
    const assign = 'mutation($i: AssignActionItemInput!) { assignActionItem(input: $i) { id } }';
    marketItem = (await data(ORGANIZER, assign, { i: { meetingId: meetingWithAgenda, caseId: 'L1', text: '报送败诉案件整改报告', owner: 'xj-market', dueDate: '2024-11-30' } })).assignActionItem.id;
    govItem = (await data(ORGANIZER, assign, { i: { meetingId: meetingWithAgenda, text: '组织行政机关负责人出庭应诉培训', owner: 'xj-gov', dueDate: '2024-12-15' } })).assignActionItem.id;
    policeMeeting = (
      await data(ORGANIZER, 'mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id } }', {
        i: { title: '行刑衔接专题会', scheduledAt: at('2024-11-05', '09:30'), participants: ['xj-police', 'xj-proc'] },
      })
    ).scheduleMeeting.id;
  });

  after(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('viewer: only what involves its own agency', () => {
    it('cases: only those involving the agency; case(id) of another agency’s case is null', async () => {
      const d = await data(MARKET, '{ cases { totalCount nodes { id } } k1: case(id: "K1") { id } s1: case(id: "S1") { id } l1: case(id: "L1") { id agencies { id } } }');
      expect(d.cases.totalCount).to.equal(2);
      expect(d.cases.nodes.map((c: { id: string }) => c.id)).to.deep.equal(['C2', 'L1']);
      expect(d.k1).to.equal(null);
      expect(d.s1).to.equal(null);
      expect(d.l1.agencies.map((a: { id: string }) => a.id)).to.include('xj-market');
      // a filter for another agency narrows within what the viewer may see, never beyond it
      const police = await data(MARKET, '{ cases(agency: "xj-police") { totalCount } }');
      expect(police.cases.totalCount).to.equal(0);
      const court = await data(COURT, '{ cases { nodes { id } } }');
      expect(court.cases.nodes.map((c: { id: string }) => c.id)).to.deep.equal(['C2', 'L1', 'S1']);
    });

    it('handoffs: only those from or to the agency', async () => {
      const market = await data(MARKET, '{ handoffs { totalCount nodes { id caseId overdue dueDate } } toProc: handoffs(toAgency: "xj-proc") { totalCount } }');
      expect(market.handoffs.nodes).to.deep.equal([{ id: 'hc', caseId: 'C2', overdue: false, dueDate: '2024-10-21' }]);
      expect(market.toProc.totalCount).to.equal(0);
      const proc = await data(PROC, '{ handoffs { nodes { id caseId overdue dueDate } } }');
      expect(proc.handoffs.nodes).to.deep.equal([{ id: 'h1', caseId: 'K1', overdue: true, dueDate: '2024-10-08' }]);
    });

    it('suggestions and copy notices: only those addressed to or sent by the agency', async () => {
      const market = await data(MARKET, '{ suggestions { id to { id } } copyNotices { id recipients { id } } }');
      expect(market.suggestions).to.deep.equal([{ id: 's2', to: { id: 'xj-market' } }]);
      expect(market.copyNotices).to.deep.equal([{ id: 'L1/judgment/j1', recipients: [{ id: 'xj-market' }, { id: 'xj-gov' }] }]);
      const gov = await data(GOV_VIEWER, '{ suggestions { id } copyNotices { id } }');
      expect(gov.suggestions.map((s: { id: string }) => s.id)).to.deep.equal(['s1']);
      expect(gov.copyNotices.map((n: { id: string }) => n.id)).to.deep.equal(['R1/reconsideration', 'L1/judgment/j1']);
      const court = await data(COURT, '{ suggestions { id } copyNotices { id } }');
      expect(court.suggestions.map((s: { id: string }) => s.id).sort()).to.deep.equal(['s1', 's2']); // it sent both
      expect(court.copyNotices).to.deep.equal([]);
    });

    it('scorecard: only its own row', async () => {
      const market = await data(MARKET, '{ all: scorecard(quarter: "2024Q3") { agency { id } litigationLost } gov: scorecard(quarter: "2024Q3", agency: "xj-gov") { agency { id } } }');
      expect(market.all).to.deep.equal([{ agency: { id: 'xj-market' }, litigationLost: 1 }]);
      expect(market.gov).to.deep.equal([]);
      expect((await data(COURT, '{ scorecard(quarter: "2024Q3") { agency { id } } }')).scorecard).to.deep.equal([]);
    });

    it('rejections: its own only; asking for another agency’s is FORBIDDEN', async () => {
      const market = await data(MARKET, '{ rejections { totalCount nodes { eventId code } } }');
      expect(market.rejections).to.deep.equal({ totalCount: 1, nodes: [{ eventId: 'bad-market', code: 'unknown_case' }] });
      expect((await errorCode(MARKET, '{ rejections(agency: "xj-court") { totalCount } }')).code).to.equal('FORBIDDEN');
    });

    it('meetings: only those it takes part in or owns an item of; agenda and attention show only its cases', async () => {
      const court = await data(COURT, `{ meetings { id } meeting(id: "${meetingWithAgenda}") { agenda { case { id } } attention { reason } } other: meeting(id: "${policeMeeting}") { id } }`);
      expect(court.meetings.map((m: { id: string }) => m.id)).to.deep.equal([meetingWithAgenda]);
      expect(court.meeting.agenda).to.deep.equal([{ case: { id: 'L1' } }]);
      expect(court.meeting.attention).to.deep.equal([]); // R1, the only case on the organizer's list, is not the court's
      expect(court.other).to.equal(null);
      const gov = await data(GOV_VIEWER, `{ meeting(id: "${meetingWithAgenda}") { attention { case { id } reason } } }`);
      expect(gov.meeting.attention).to.deep.equal([{ case: { id: 'R1' }, reason: 'reconsideration_corrected' }]);
      const police = await data(POLICE, `{ meetings { id } meeting(id: "${policeMeeting}") { id } }`);
      expect(police.meetings.map((m: { id: string }) => m.id)).to.deep.equal([policeMeeting]);
    });

    it('action items and carried-over items: only those of cases it may see and those its agency owns (issue 13)', async () => {
      const items = `actionItems { id caseId text owner { id } } carriedOver { id caseId text }`;
      const ids = (list: { id: string }[]) => list.map((a) => a.id);
      // 法院 sees L1: the market's item on L1, not the 区政府's item without a case
      const court = await data(COURT, `{ meeting(id: "${meetingWithAgenda}") { ${items} } }`);
      expect(ids(court.meeting.actionItems)).to.deep.equal([marketItem]);
      expect(court.meeting.actionItems[0]).to.include({ caseId: 'L1', text: '报送败诉案件整改报告' });
      const gov = await data(GOV_VIEWER, `{ meeting(id: "${meetingWithAgenda}") { ${items} } }`);
      expect(ids(gov.meeting.actionItems)).to.have.members([marketItem, govItem]);
      // 公安 takes part in the next meeting, whose carried-over items are L1's and 区政府's: none of them its own
      const police = await data(POLICE, `{ meeting(id: "${policeMeeting}") { ${items} } meetings { ${items} } }`);
      expect(police.meeting.carriedOver).to.deep.equal([]);
      expect(JSON.stringify(police)).not.to.match(/L1|报送败诉案件整改报告|组织行政机关负责人出庭应诉培训/);
      const organizer = await data(ORGANIZER, `{ meeting(id: "${policeMeeting}") { carriedOver { id } } }`);
      expect(ids(organizer.meeting.carriedOver)).to.have.members([marketItem, govItem]);
    });

    it('history, auditVerify and asOf are not for viewers', async () => {
      expect((await errorCode(MARKET, '{ history(stream: "case-L1") { totalCount } }')).code).to.equal('FORBIDDEN');
      expect((await errorCode(MARKET, '{ auditVerify { ok } }')).code).to.equal('FORBIDDEN');
      expect((await errorCode(MARKET, '{ case(id: "L1", asOf: "2024-09-01T00:00:00+08:00") { id } }')).code).to.equal('FORBIDDEN');
    });
  });

  describe('organizer: everything except history and auditVerify', () => {
    it('reads every case, handoff, suggestion, notice, scorecard row and rejection', async () => {
      const d = await data(
        ORGANIZER,
        '{ cases { totalCount } handoffs { totalCount } suggestions { id } copyNotices { id } scorecard(quarter: "2024Q3") { agency { id } } rejections { totalCount } }',
      );
      expect(d.cases.totalCount).to.equal(5);
      expect(d.handoffs.totalCount).to.equal(2);
      expect(d.suggestions.map((s: { id: string }) => s.id).sort()).to.deep.equal(['s1', 's2']);
      expect(d.copyNotices).to.have.length(2);
      expect(d.scorecard.map((r: { agency: { id: string } }) => r.agency.id)).to.deep.equal(['xj-gov', 'xj-market']);
      expect(d.rejections.totalCount).to.equal(2);
    });

    it('sees the attention list: cases not on the agenda, with their reasons', async () => {
      const d = await data(ORGANIZER, `{ meeting(id: "${policeMeeting}") { attention { case { id } reason detail } } }`);
      const reasons = d.meeting.attention.map((a: { case: { id: string }; reason: string }) => `${a.case.id}:${a.reason}`);
      // L1's loss (09-27) was discussed at the meeting held on 10-25: it does not come back; K1 was discussed too,
      // but its handoff is still overdue now
      expect(reasons).to.have.members(['K1:overdue_handoff', 'R1:reconsideration_corrected']);
      for (const a of d.meeting.attention) expect(a.detail).to.match(CHINESE);
      // on the first meeting's agenda already: not repeated as attention
      const dossier = await data(ORGANIZER, `{ meeting(id: "${meetingWithAgenda}") { attention { case { id } } } }`);
      expect(dossier.meeting.attention.map((a: { case: { id: string } }) => a.case.id)).to.deep.equal(['R1']);
    });

    it('history and auditVerify are FORBIDDEN', async () => {
      expect((await errorCode(ORGANIZER, '{ history(stream: "case-L1") { totalCount } }')).code).to.equal('FORBIDDEN');
      expect((await errorCode(ORGANIZER, '{ auditVerify { ok } }')).code).to.equal('FORBIDDEN');
    });
  });

  describe('auditor: reads everything, changes nothing', () => {
    it('reads every case and a stream’s history in revision order with chained hashes', async () => {
      const d = await data(AUDITOR, '{ cases { totalCount } history(stream: "case-L1") { totalCount nodes { revision type source channel principal hash prevHash } } }');
      expect(d.cases.totalCount).to.equal(5);
      const nodes = d.history.nodes as { revision: number; type: string; source: string | null; channel: string; hash: string; prevHash: string | null }[];
      expect(nodes.map((n) => n.type)).to.deep.equal(['case.registered', 'suggestion.issued', 'judgment.issued', 'notice.issued']);
      expect(nodes.map((n) => n.revision)).to.deep.equal([0, 1, 2, 3]);
      expect(nodes[0]!.prevHash).to.equal(null);
      for (let i = 1; i < nodes.length; i++) expect(nodes[i]!.prevHash).to.equal(nodes[i - 1]!.hash);
      expect(nodes[3]).to.include({ source: null });
    });

    it('reads a case as the platform knew it at a past moment (asOf)', async () => {
      const d = await data(
        AUDITOR,
        '{ before: case(id: "L1", asOf: "2024-09-27T08:00:00+08:00") { judgmentOutcome timeline { type } } now: case(id: "L1") { judgmentOutcome } }',
      );
      expect(d.before.judgmentOutcome).to.equal(null);
      expect(d.before.timeline.map((t: { type: string }) => t.type)).to.deep.equal(['case.registered', 'suggestion.issued']);
      expect(d.now.judgmentOutcome).to.equal('agency_lost');
      const none = await data(AUDITOR, '{ case(id: "L1", asOf: "2024-07-01T00:00:00+08:00") { id } }');
      expect(none.case).to.equal(null);
    });

    it('every mutation is FORBIDDEN and stores nothing', async () => {
      const before = await eventCount();
      const attempts = [
        'mutation { scheduleMeeting(input: { title: "审计会", scheduledAt: "2024-11-01T09:00:00+08:00", participants: [] }) { id } }',
        `mutation { nominateCase(meetingId: "${policeMeeting}", caseId: "K1") { id } }`,
        `mutation { recordMeetingHeld(meetingId: "${policeMeeting}", attendees: []) { id } }`,
        `mutation { recordResolution(meetingId: "${meetingWithAgenda}", caseId: "L1", text: "x") { id } }`,
        `mutation { assignActionItem(input: { meetingId: "${meetingWithAgenda}", text: "x", owner: "xj-gov", dueDate: "2024-12-01" }) { id } }`,
        `mutation { completeActionItem(id: "${govItem}") { id } }`,
        'mutation { acknowledgeNotice(id: "R1/reconsideration") { id } }',
        `mutation { cancelMeeting(id: "${policeMeeting}", reason: "x") { id } }`,
      ];
      for (const mutation of attempts) expect((await errorCode(AUDITOR, mutation)).code, mutation).to.equal('FORBIDDEN');
      expect(await eventCount()).to.equal(before);
      expect((await errorCode(AUDITOR, '{ auditVerify { ok } }')).code).to.equal('NOT_IMPLEMENTED');
    });
  });

  describe('publisher only: no reads, no mutations', () => {
    it('every query is FORBIDDEN', async () => {
      const queries = [
        '{ agencies { id } }',
        '{ handoffs { totalCount } }',
        '{ case(id: "R1") { id } }',
        '{ cases { totalCount } }',
        '{ suggestions { id } }',
        '{ copyNotices { id } }',
        `{ meeting(id: "${meetingWithAgenda}") { id } }`,
        '{ meetings { id } }',
        '{ scorecard(quarter: "2024Q3") { quarter } }',
        '{ rejections { totalCount } }',
        '{ history(stream: "case-R1") { totalCount } }',
        '{ auditVerify { ok } }',
      ];
      for (const query of queries) expect((await errorCode(JUSTICE, query)).code, query).to.equal('FORBIDDEN');
    });

    it('organizer mutations are FORBIDDEN', async () => {
      const before = await eventCount();
      expect((await errorCode(JUSTICE, `mutation { cancelMeeting(id: "${policeMeeting}", reason: "x") { id } }`)).code).to.equal('FORBIDDEN');
      expect(await eventCount()).to.equal(before);
    });
  });

  it('no token or an unknown token: HTTP 401', async () => {
    expect((await gql(p.base, null, '{ cases { totalCount } }')).status).to.equal(401);
    expect((await gql(p.base, 'nobody', '{ cases { totalCount } }')).status).to.equal(401);
  });

  describe('mutations refused for role or agency: FORBIDDEN, nothing changes', () => {
    it('a viewer cannot run organizer mutations', async () => {
      const before = await eventCount();
      const schedule = await errorCode(COURT, 'mutation { scheduleMeeting(input: { title: "法院自行安排", scheduledAt: "2024-11-01T09:00:00+08:00", participants: ["xj-court"] }) { id } }');
      expect(schedule.code).to.equal('FORBIDDEN');
      expect((await errorCode(GOV_VIEWER, `mutation { nominateCase(meetingId: "${meetingWithAgenda}", caseId: "S1") { id } }`)).code).to.equal('FORBIDDEN');
      expect(await eventCount()).to.equal(before);
      expect((await data(ORGANIZER, '{ meetings { id } }')).meetings).to.have.length(2);
    });

    it('only the owner agency completes an action item', async () => {
      const before = await eventCount();
      expect((await errorCode(MARKET, `mutation { completeActionItem(id: "${govItem}") { id } }`)).code).to.equal('FORBIDDEN');
      expect((await errorCode(ORGANIZER, `mutation { completeActionItem(id: "${govItem}") { id } }`)).code).to.equal('FORBIDDEN');
      expect(await eventCount()).to.equal(before);
      const item = await data(ORGANIZER, `{ meeting(id: "${meetingWithAgenda}") { actionItems { id completedAt } } }`);
      expect(item.meeting.actionItems.find((a: { id: string }) => a.id === govItem).completedAt).to.equal(null);
    });

    it('only a recipient acknowledges a copy notice', async () => {
      const before = await eventCount();
      expect((await errorCode(COURT, 'mutation { acknowledgeNotice(id: "L1/judgment/j1") { id } }')).code).to.equal('FORBIDDEN');
      expect(await eventCount()).to.equal(before);
      const notices = await data(ORGANIZER, '{ copyNotices(acknowledged: true) { id } }');
      expect(notices.copyNotices).to.deep.equal([]);
    });
  });

  describe('rule violations: BAD_USER_INPUT with a Chinese message, nothing changes', () => {
    const refused = async (token: string, mutation: string) => {
      const before = await eventCount();
      const error = await errorCode(token, mutation);
      expect(error.code, mutation).to.equal('BAD_USER_INPUT');
      expect(error.message, mutation).to.match(CHINESE);
      expect(await eventCount(), mutation).to.equal(before);
      return error.message;
    };

    it('a resolution for a case that is not on the agenda', async () => {
      expect(await refused(ORGANIZER, `mutation { recordResolution(meetingId: "${meetingWithAgenda}", caseId: "S1", text: "督促回复") { id } }`)).to.contain('议程');
    });

    it('an action item at a meeting that has not been held', async () => {
      await refused(ORGANIZER, `mutation { assignActionItem(input: { meetingId: "${policeMeeting}", text: "x", owner: "xj-police", dueDate: "2024-12-01" }) { id } }`);
    });

    it('nominating a case that does not exist, or to a meeting that does not exist', async () => {
      await refused(ORGANIZER, `mutation { nominateCase(meetingId: "${policeMeeting}", caseId: "NO-SUCH-CASE") { id } }`);
      await refused(ORGANIZER, 'mutation { recordMeetingHeld(meetingId: "no-such-meeting", attendees: []) { id } }');
    });

    it('cancelling a meeting that was held; scheduling with an unknown agency', async () => {
      await refused(ORGANIZER, `mutation { cancelMeeting(id: "${meetingWithAgenda}", reason: "改期") { id } }`);
      await refused(ORGANIZER, 'mutation { scheduleMeeting(input: { title: "x", scheduledAt: "2024-11-01T09:00:00+08:00", participants: ["xj-nowhere"] }) { id } }');
    });

    it('acknowledging a notice twice, completing an item twice', async () => {
      const ack = await data(MARKET, 'mutation { acknowledgeNotice(id: "L1/judgment/j1") { acknowledgedBy { id } } }');
      expect(ack.acknowledgeNotice.acknowledgedBy).to.deep.equal([{ id: 'xj-market' }]);
      await refused(MARKET, 'mutation { acknowledgeNotice(id: "L1/judgment/j1") { id } }');
      const done = await data(MARKET, `mutation { completeActionItem(id: "${marketItem}", note: "整改报告已报送") { completedAt } }`);
      expect(done.completeActionItem.completedAt).to.equal(new Date(TODAY).toISOString());
      await refused(MARKET, `mutation { completeActionItem(id: "${marketItem}") { id } }`);
    });
  });
});
