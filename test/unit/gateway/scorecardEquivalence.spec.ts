/**
 * The scorecard read from its own projection (gateway/resolvers/scorecard.ts over projections/scorecard) answers
 * exactly as the scorecard folded from case documents did (the resolver as of commit 7adcb66, kept only here as
 * the oracle: scorecardOracle.ts). Over the demo city 云岭市, for every principal that may read (each agency's
 * viewer, the organizer, the auditor), for every quarter in which the city has events and an empty one, without
 * `agency` and with each agency of the city (and an unknown one), on several days (so that handoff clocks fall due
 * between them): the same rows with the same columns.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { chinaDate, quarterOf } from '../../../domain/deadlines/index.js';
import type { Principal } from '../../../gateway/auth.js';
import { createContext } from '../../../gateway/context.js';
import { scorecardResolvers } from '../../../gateway/resolvers/scorecard.js';
import { fixedClock } from '../../../infra/clock.js';
import { oldScorecardResolvers } from './scorecardOracle.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const NOW = '2025-05-20T14:30:00+08:00';
const DEMO = JSON.parse(readFileSync(new URL('../../../infra/config/demo.config.json', import.meta.url), 'utf8')) as {
  agencies: { id: string; kind: string }[];
  principals: { name: string; agencyId: string; roles: string[] }[];
};
const READERS = DEMO.principals.filter((p) => p.roles.some((r) => r === 'viewer' || r === 'organizer' || r === 'auditor'));
/** days on which the scorecard is compared: the demo's today, and days before and after more of its clocks fall due */
const DAYS = ['2025-05-20', '2024-11-15', '2025-09-01', '2026-12-31'];
const COLUMNS = [
  'litigationConcluded',
  'litigationLost',
  'hearingsHeld',
  'headAppearances',
  'reconsiderationsDecided',
  'reconsiderationsCorrected',
  'suggestionsReceived',
  'suggestionsRepliedOnTime',
  'handoffsReceived',
  'handoffsCompletedOnTime',
  'handoffsOverdue',
] as const;

type Row = Record<(typeof COLUMNS)[number], number> & { agency: { id: string }; quarter: string };

const REVISION_2_COLUMNS = [
  // legal disputes (test/unit/projections/disputes.projection.spec.ts, test/e2e/governmentDispute.e2e.spec.ts)
  'disputesRegistered',
  'disputesRegisteredLate',
  'disputesLost',
  'disputeLossAmount',
  'rectificationsOrdered',
  'rectificationsOverdue',
  'casesHeard',
  'casesWithHeadAppearance',
  'headAppearanceCaseRate',
  'selfCorrections',
  'correctionsUnreported',
  'correctionsAbsconded',
  'preLitigationMediations',
  'mediationsSucceeded',
  'mediationSuccessRate',
  'diversionRate',
  'filingsPer10k',
];
const withoutRevision2 = (row: Row): Row => Object.fromEntries(Object.entries(row).filter(([column]) => !REVISION_2_COLUMNS.includes(column))) as Row;

describe('scorecard projection: the same rows as the scorecard folded from case documents (demo city)', function () {
  this.timeout(300_000);
  let dir: string;
  let p: InProcessPlatform;
  let quarters: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-scorecard-eq-'));
    p = await startInProcessPlatform(dir, { clock: fixedClock(NOW), demoCity: true, ingest: true });
    await publishLateFacts();
    const withData = new Set<string>();
    for (const e of await p.store.readAll()) if (e.streamId.startsWith('case-')) withData.add(quarterOf(chinaDate(e.metadata.time)));
    quarters = [...withData].sort();
    expect(quarters.length, 'the demo city spans several quarters').to.be.greaterThan(1);
    quarters.push('2019Q1');
  });
  after(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The demo city has no handoff met late and no late reply: a few such facts are published besides it (through
   * ingest, as an agency would), so that the comparisons reach every lane of the projection.
   */
  async function publishLateFacts() {
    const token = (agency: string) => `demo-${agency.slice('yl-'.length)}`;
    let n = 0;
    const publish = async (source: string, type: string, time: string, data: Record<string, unknown>) => {
      const event = { specversion: '1.0', id: `scorecard-eq-${++n}`, source, type, subject: 'SC-EQ-1', time, data };
      const r = await fetch(`${p.base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token(source)}`, 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) });
      expect(r.status, `${type}: ${await r.clone().text()}`).to.be.oneOf([200, 201, 202]);
    };
    await publish('yl-police', 'case.registered', '2025-01-06T09:00:00+08:00', { kind: 'criminal', title: '通报测试案', parties: [{ name: '某公司', role: 'suspect', type: 'enterprise' }] });
    // met late: five working days from receipt, completed weeks later
    await publish('yl-police', 'handoff.requested', '2025-01-06T10:00:00+08:00', { handoffId: 'SC-EQ-1-h1', to: 'yl-market', purpose: 'information_notice' });
    await publish('yl-market', 'handoff.received', '2025-01-07T10:00:00+08:00', { handoffId: 'SC-EQ-1-h1' });
    await publish('yl-market', 'handoff.completed', '2025-03-03T10:00:00+08:00', { handoffId: 'SC-EQ-1-h1', outcome: 'acknowledged' });
    // returned while its clock ran
    await publish('yl-police', 'handoff.requested', '2025-01-08T10:00:00+08:00', { handoffId: 'SC-EQ-1-h2', to: 'yl-market', purpose: 'information_notice' });
    await publish('yl-market', 'handoff.received', '2025-01-08T15:00:00+08:00', { handoffId: 'SC-EQ-1-h2' });
    await publish('yl-market', 'handoff.returned', '2025-01-09T10:00:00+08:00', { handoffId: 'SC-EQ-1-h2', reason: '材料不全' });
    // a reply months after its due date
    await publish('yl-proc', 'suggestion.issued', '2025-01-08T10:00:00+08:00', { suggestionId: 'SC-EQ-1-s1', to: 'yl-market', category: 'procuratorial', summary: '加强监管' });
    await publish('yl-market', 'suggestion.replied', '2025-05-06T10:00:00+08:00', { suggestionId: 'SC-EQ-1-s1', adopted: true, summary: '已整改' });
    const events = await p.store.readAll();
    expect(events.filter((e) => e.streamId === 'case-SC-EQ-1')).to.have.length(n);
    await p.runner.waitFor(events.at(-1)!.position, 10_000);
  }

  const principalOf = (r: (typeof READERS)[number]): Principal =>
    ({ name: r.name, agency: p.services.agencies.get(r.agencyId)!, roles: r.roles }) as unknown as Principal;
  const agencyArgs = (): (string | undefined)[] => [undefined, ...DEMO.agencies.map((a) => a.id), 'no-such-agency'];

  /** sums of every column over the oracle's rows: the comparison is not over zeros only */
  const totals = Object.fromEntries(COLUMNS.map((c) => [c, 0])) as Record<(typeof COLUMNS)[number], number>;

  for (const reader of READERS) {
    it(`${reader.name} (${reader.roles.join(', ')}): every quarter, with and without agency, on ${DAYS.length} days`, async () => {
      let rows = 0;
      for (const today of DAYS) {
        for (const quarter of quarters) {
          for (const agency of agencyArgs()) {
            const args = { quarter, agency };
            const want = (await oldScorecardResolvers.Query.scorecard(undefined, args, { ...createContext(principalOf(reader), p.services), today })) as Row[];
            const answered = (await scorecardResolvers.Query.scorecard(undefined, args, { ...createContext(principalOf(reader), p.services), today })) as Row[];
            // revision 2 answers for any agency asked by id (the oracle, for government agencies only) and adds columns
            // (tested in test/unit/projections/scorecardRevision2.spec.ts and the e2e): compared here is what the oracle knew
            const got = answered.filter((row) => DEMO.agencies.find((a) => a.id === row.agency.id)?.kind === 'government').map(withoutRevision2);
            expect(got, `${today} ${JSON.stringify(args)}`).to.deep.equal(want);
            if (agency !== undefined && agency !== 'no-such-agency' && (reader.roles.includes('organizer') || reader.roles.includes('auditor') || reader.agencyId === agency)) {
              expect(answered.map((row) => row.agency.id), `${today} ${JSON.stringify(args)}: the row of any agency asked by id`).to.deep.equal([agency]);
            }
            rows += want.length;
            for (const row of want) for (const c of COLUMNS) totals[c] += row[c];
          }
        }
      }
      const own = DEMO.agencies.find((a) => a.id === reader.agencyId)!;
      if (reader.roles.includes('viewer') && !reader.roles.includes('organizer') && !reader.roles.includes('auditor')) {
        // a viewer sees its own row only: with and without `agency`, on every day, in every quarter — if it is a government agency
        expect(rows).to.equal(own.kind === 'government' ? 2 * DAYS.length * quarters.length : 0);
      } else {
        expect(rows).to.be.greaterThan(0);
      }
    });
  }

  it('the comparisons covered every column with something to count', () => {
    for (const c of COLUMNS) expect(totals[c], c).to.be.greaterThan(0);
  });

  it('refuses a malformed quarter as before', async () => {
    const organizer = principalOf(READERS.find((r) => r.roles.includes('organizer'))!);
    for (const quarter of ['2024Q5', '2024-Q1', '']) {
      const old = await oldScorecardResolvers.Query.scorecard(undefined, { quarter }, createContext(organizer, p.services)).catch((e: Error) => e);
      const now = await scorecardResolvers.Query.scorecard(undefined, { quarter }, createContext(organizer, p.services)).catch((e: Error) => e);
      expect(now).to.be.instanceOf(Error);
      expect((now as Error).message).to.equal((old as Error).message);
    }
  });
});
