import { expect } from 'chai';
import { join } from 'node:path';
import { TEST_CITY } from './fixtures.js';
import { cloudEvent, gql, publish, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';

/**
 * A realistic multi-agency history published over HTTP — a criminal case that travels police →
 * procuratorate → court → justice bureau, and a 行政复议 whose corrective decision makes the platform
 * issue a copy notice — then read back from the stored streams as an auditor sees them.
 */
const token: Record<string, string> = {
  'xj-police': 'test-police-token',
  'xj-proc': 'test-proc-token',
  'xj-court': 'test-court-token',
  'xj-justice': 'test-justice-token',
  'xj-market': 'test-market-token',
};
let n = 0;
const at = (day: string, hour = 10) => `${day}T${String(hour).padStart(2, '0')}:00:00+08:00`;
const fact = (source: string, type: string, subject: string, time: string, data: Record<string, unknown>) =>
  ({ source, event: cloudEvent(source, `${source}-${++n}`, type, subject, time, data) });

const criminal = 'XJ-XS-2024-7';
const review = 'XJ-FY-2024-3';
const history = [
  fact('xj-police', 'case.registered', criminal, at('2024-03-01'), { kind: 'criminal', title: '王某某盗窃案', parties: [{ name: '王某某', role: 'suspect', type: 'person' }] }),
  fact('xj-police', 'handoff.requested', criminal, at('2024-03-20'), { handoffId: 'ys-1', to: 'xj-proc', purpose: 'prosecution_review', documents: [{ title: '起诉意见书' }] }),
  fact('xj-proc', 'handoff.received', criminal, at('2024-03-21'), { handoffId: 'ys-1' }),
  fact('xj-proc', 'handoff.completed', criminal, at('2024-04-15'), { handoffId: 'ys-1', outcome: 'prosecuted' }),
  fact('xj-proc', 'handoff.requested', criminal, at('2024-04-16'), { handoffId: 'gs-1', to: 'xj-court', purpose: 'public_prosecution' }),
  // 受理 (accepted, implying receipt): revision 2 runs the trial clock from it (刑事诉讼法 Art. 208)
  fact('xj-court', 'handoff.accepted', criminal, at('2024-04-17'), { handoffId: 'gs-1' }),
  fact('xj-court', 'judgment.issued', criminal, at('2024-06-03'), { judgmentId: 'pj-1', outcome: 'convicted', effectiveAt: '2024-06-14', communityCorrection: true }),
  fact('xj-court', 'handoff.completed', criminal, at('2024-06-03', 11), { handoffId: 'gs-1', outcome: 'judged' }),
  fact('xj-court', 'handoff.requested', criminal, at('2024-06-17'), { handoffId: 'jz-1', to: 'xj-justice', purpose: 'community_correction' }),
  fact('xj-justice', 'handoff.received', criminal, at('2024-06-18'), { handoffId: 'jz-1' }),
  fact('xj-justice', 'correction.reported', criminal, at('2024-06-20'), {}),
  fact('xj-justice', 'handoff.completed', criminal, at('2024-06-20', 11), { handoffId: 'jz-1', outcome: 'enrolled' }),
  fact('xj-justice', 'case.registered', review, at('2024-05-06'), {
    kind: 'administrative_reconsideration',
    title: '某食品公司不服区市场监管局行政处罚申请复议案',
    parties: [{ name: '新津某食品有限公司', role: 'applicant', type: 'private_enterprise' }],
    defendantAgencyId: 'xj-market',
    privateEnterprise: true,
  }),
  fact('xj-justice', 'reconsideration.decided', review, at('2024-05-30'), { decision: 'ordered_performance', performanceDueAt: '2024-06-30' }),
  fact('xj-market', 'reconsideration.performed', review, at('2024-06-25'), { summary: '已重新作出处理决定' }),
];

describe('a multi-agency history over HTTP, read back from the stored streams (e2e)', function () {
  this.timeout(180_000);
  const dir = tempDir();
  let program: RunningProgram;
  before(async () => {
    program = await startProgram({ config: writeConfig(dir, TEST_CITY), dataDir: join(dir, 'data') });
    // each agency publishes its own facts, in the order they happened
    for (const { source, event } of history) {
      const r = await publish(program.base, token[source]!, [event]);
      expect(r.json?.results?.[0]?.status, `${event.type} by ${source}: ${JSON.stringify(r.json)}`).to.equal('accepted');
    }
  });
  after(async () => {
    if (program) await stopProgram(program);
  });

  const streamOf = async (stream: string) => {
    const r = await gql(program.base, 'test-auditor-token', `query($s: String!) { history(stream: $s, first: 100) { totalCount nodes { revision type source principal channel time data hash prevHash } } }`, { s: stream });
    expect(r.json?.errors).to.equal(undefined);
    return r.json!.data!.history as { totalCount: number; nodes: { revision: number; type: string; source: string | null; principal: string | null; channel: string; time: string; data: Record<string, unknown>; hash: string; prevHash: string | null }[] };
  };

  it('keeps the criminal case as one stream: every agency’s facts in order, with publisher and channel', async () => {
    const stored = await streamOf(`case-${criminal}`);
    const published = history.filter((h) => h.event.subject === criminal);
    expect(stored.nodes.map((e) => [e.revision, e.type, e.source, e.channel])).to.deep.equal(published.map((h, i) => [i, h.event.type, h.source, 'http']));
    expect(stored.nodes.map((e) => e.data)).to.deep.equal(published.map((h) => h.event.data));
    expect(stored.nodes.map((e) => e.time)).to.deep.equal(published.map((h) => h.event.time));
    expect(stored.nodes[0]!.principal).to.equal('police-system');
    // each event names the hash of the one before it in the stream
    stored.nodes.forEach((e, i) => expect(e.prevHash).to.equal(i === 0 ? null : stored.nodes[i - 1]!.hash));
  });

  it('stores the 行政复议 with the copy notice the platform issued right after the corrective decision', async () => {
    const stored = await streamOf(`case-${review}`);
    expect(stored.nodes.map((e) => [e.type, e.source, e.channel])).to.deep.equal([
      ['case.registered', 'xj-justice', 'http'],
      ['reconsideration.decided', 'xj-justice', 'http'],
      ['notice.issued', null, 'platform'],
      ['reconsideration.performed', 'xj-market', 'http'],
    ]);
    // recipients: the defendant agency, then the configured copy-notice recipients
    expect(stored.nodes[2]!.data).to.deep.include({ reason: 'reconsideration_corrected', recipients: ['xj-market', 'xj-gov'] });
  });

  it('derives the case views and clocks from those streams', async () => {
    const r = await gql(
      program.base,
      'test-organizer-token',
      `{ k: case(id: "${criminal}") { status judgmentOutcome agencies { id } handoffs { id status dueDate outcome } deadlines { name dueDate metAt } }
         f: case(id: "${review}") { reconsiderationDecision privateEnterprise deadlines { name dueDate overdue metAt } } }`,
    );
    expect(r.json?.errors).to.equal(undefined);
    const k = r.json!.data!.k;
    expect(k.judgmentOutcome).to.equal('convicted');
    expect(k.agencies.map((a: { id: string }) => a.id)).to.have.members(['xj-police', 'xj-proc', 'xj-court', 'xj-justice']);
    // prosecution review received 03-21 + 1 month = 04-21 (Sunday) → 04-22; public prosecution accepted 04-17 + 2 months = 06-17;
    // community-correction 回执 requested 06-17 + 5 days = 06-22 (Saturday) → 06-24
    expect(k.handoffs.map((h: { id: string; dueDate: string; status: string }) => [h.id, h.dueDate, h.status])).to.deep.equal([
      ['ys-1', '2024-04-22', 'COMPLETED'],
      ['gs-1', '2024-06-17', 'COMPLETED'],
      ['jz-1', '2024-06-24', 'COMPLETED'],
    ]);
    // delivery and report clocks start at effectiveAt 06-14 + 10 days = 06-24 (Monday)
    const clocks = Object.fromEntries(k.deadlines.map((d: { name: string; dueDate: string }) => [d.name, d.dueDate]));
    expect(clocks).to.deep.include({ community_correction_delivery: '2024-06-24', offender_report: '2024-06-24' });
    const f = r.json!.data!.f;
    expect(f.privateEnterprise).to.equal(true);
    const decision = f.deadlines.find((d: { name: string }) => d.name === 'reconsideration_decision');
    // 涉企 fast track: registered 05-06 + 30 days = 06-05, met on 05-30
    expect([decision.dueDate, decision.metAt]).to.deep.equal(['2024-06-05', at('2024-05-30')]);
    const performance = f.deadlines.find((d: { name: string }) => d.name === 'reconsideration_performance');
    expect([performance.dueDate, performance.overdue]).to.deep.equal(['2024-06-30', false]);
  });
});
