/**
 * The meeting dossier read from the attention and meeting-calendar projections (gateway/resolvers/meetings.ts)
 * answers as the dossier folded from whole case documents and every meeting did (the resolvers as of commit 7adcb66,
 * kept only here as the oracle: dossierOracle.ts) — over the demo city 云岭市, for every principal that may read,
 * every meeting of the city and probe meetings at other times, on several days. One difference is on purpose (the
 * attention rule now has one definition, domain/meetings/attention.ts; docs/decisions.md): a major dispute needs
 * the meeting only while it is open, so the oracle's answer is expected without the closed ones. And one fix to
 * graphql.md: a meeting not held carries over the items not completed now (underSpec).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { caseSummaryOf, disputeOf, type Meeting } from '../../../domain/catalog/index.js';
import type { Principal } from '../../../gateway/auth.js';
import { createContext, type GatewayContext } from '../../../gateway/context.js';
import type { CaseSummaryView, CaseView } from '../../../gateway/resolvers/cases.js';
import { meetingResolvers } from '../../../gateway/resolvers/meetings.js';
import { fixedClock } from '../../../infra/clock.js';
import { MEETINGS, type MeetingDoc } from '../../../projections/meetings/meetings.projection.js';
import { oldMeetingResolvers } from './dossierOracle.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const NOW = '2025-05-20T14:30:00+08:00';
const DEMO = JSON.parse(readFileSync(new URL('../../../infra/config/demo.config.json', import.meta.url), 'utf8')) as {
  principals: { name: string; agencyId: string; roles: string[] }[];
};
const READERS = DEMO.principals.filter((p) => p.roles.some((r) => r === 'viewer' || r === 'organizer' || r === 'auditor'));
/** days on which the dossier is compared: the demo's today, and days on which more clocks have fallen due or fewer had */
const DAYS = ['2025-05-20', '2024-11-15', '2025-02-10', '2025-09-01', '2026-03-01'];
/** probe meetings: times at which the carried-over items and the attention list change */
const PROBES = ['2024-06-01T09:00:00+08:00', '2024-12-20T09:00:00+08:00', '2025-03-25T14:30:00+08:00', '2025-05-21T09:00:00+08:00', '2025-08-01T09:00:00+08:00', '2030-01-01T00:00:00Z'];

interface Attention {
  case: CaseView;
  reason: string;
  detail: string;
}
interface NewAttention {
  case: CaseSummaryView;
  reason: string;
  detail: string;
}
interface Agenda {
  case: CaseView;
  reason: string;
  resolution: string | null;
}
interface NewAgenda {
  case: CaseSummaryView;
  reason: string;
  resolution: string | null;
}
interface ActionItemView {
  item: { actionId: string; completedAt: string | null };
  caseId: string | null;
}

/** an attention item as shown: its Case is the case's summary now, which must equal the summary of the whole case */
const attentionShown = (items: Attention[]) => items.map((a) => ({ case: caseSummaryOf(a.case.doc.state), reason: a.reason, detail: a.detail }));
/** reasons revision 2 added, which the oracle never knew (社区矫正: test/unit/projections/correctionAttention.spec.ts) */
const REVISION_2_REASONS: readonly string[] = ['correction_unreported', 'correction_absconded', 'overdue_rectification', 'dispute_lost'];
const attentionGot = (items: NewAttention[]) =>
  items.filter((a) => !REVISION_2_REASONS.includes(a.reason)).map((a) => ({ case: a.case.summary, reason: a.reason, detail: a.detail }));
const agendaShown = (items: Agenda[]) => items.map((a) => ({ case: caseSummaryOf(a.case.doc.state), reason: a.reason, resolution: a.resolution }));
const agendaGot = (items: NewAgenda[]) => items.map((a) => ({ case: a.case.summary, reason: a.reason, resolution: a.resolution }));
const itemsShown = (items: ActionItemView[]) => items.map((v) => ({ id: v.item.actionId, caseId: v.caseId }));

describe('dossier read models: the same answers as the dossier folded from case and meeting documents (demo city)', function () {
  this.timeout(300_000);
  let dir: string;
  let p: InProcessPlatform;
  let meetings: Meeting[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-dossier-eq-'));
    p = await startInProcessPlatform(dir, { clock: fixedClock(NOW), demoCity: true });
    const docs = await p.services.readModels.getMany<MeetingDoc>(MEETINGS, await p.services.readModels.listIds(MEETINGS));
    meetings = docs.map((d) => d!.state);
    expect(meetings.filter((m) => m.status === 'HELD').length, 'the demo city has held meetings').to.be.greaterThan(1);
    expect(meetings.some((m) => m.actionItems.some((a) => a.completedAt === null)), 'and open action items').to.equal(true);
  });
  after(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const principalOf = (r: (typeof READERS)[number]): Principal =>
    ({ name: r.name, agency: p.services.agencies.get(r.agencyId)!, roles: r.roles }) as unknown as Principal;
  const contexts = (reader: (typeof READERS)[number], today: string): [GatewayContext, GatewayContext] => [
    { ...createContext(principalOf(reader), p.services), today },
    { ...createContext(principalOf(reader), p.services), today },
  ];
  /** the meetings asked about: the city's own, and probes without an agenda at other times */
  const asked = (): Meeting[] => [
    ...meetings,
    ...PROBES.map((scheduledAt, i) => ({ ...meetings[0]!, id: `probe-${i}`, scheduledAt, status: 'SCHEDULED' as const, agenda: [], actionItems: [], attendees: [] })),
  ];

  /**
   * the unified rule (domain/meetings/attention.ts): a closed major dispute no longer needs the meeting, nor (revision
   * 2, dispute.concluded) one whose outcome is reported — a lost one is on the list as dispute_lost instead
   */
  const underUnifiedRule = (items: Attention[]) =>
    items.filter((a) => !(a.reason === 'major_dispute' && (a.case.doc.state.status === 'closed' || (disputeOf(a.case.doc.state)?.conclusion ?? null) !== null)));

  /**
   * graphql.md Meeting.carriedOver: a meeting not held (scheduled, cancelled) carries over the items not completed
   * now; the old resolver cut every meeting at its scheduledAt, which differs for one whose time has passed
   */
  const underSpec = (m: Meeting, items: ActionItemView[]) => (m.status === 'HELD' ? items : items.filter((v) => v.item.completedAt === null));

  for (const reader of READERS) {
    it(`${reader.name} (${reader.roles.join(', ')}): attention, agenda and carried-over items of every meeting, on ${DAYS.length} days`, async () => {
      let attention = 0;
      let carried = 0;
      let dropped = 0;
      let droppedCarried = 0;
      for (const today of DAYS) {
        for (const m of asked()) {
          const [oldCtx, newCtx] = contexts(reader, today);
          const label = `${today} ${m.id} ${m.scheduledAt}`;
          const before = (await oldMeetingResolvers.Meeting.attention(m, undefined, oldCtx)) as Attention[];
          const want = underUnifiedRule(before);
          dropped += before.length - want.length;
          // a long list comes in slices (promises after the first): what graphql-js completes is the resolved list
          const got: NewAttention[] = await Promise.all(await meetingResolvers.Meeting.attention(m, undefined, newCtx));
          expect(attentionGot(got), `attention ${label}`).to.deep.equal(attentionShown(want));
          attention += want.length;
          const carriedBefore = await oldMeetingResolvers.Meeting.carriedOver(m, undefined, oldCtx);
          const carriedWant = underSpec(m, carriedBefore);
          droppedCarried += carriedBefore.length - carriedWant.length;
          expect(itemsShown(await meetingResolvers.Meeting.carriedOver(m, undefined, newCtx)), `carriedOver ${label}`).to.deep.equal(itemsShown(carriedWant));
          carried += carriedWant.length;
          expect(agendaGot(await meetingResolvers.Meeting.agenda(m, undefined, newCtx)), `agenda ${label}`).to.deep.equal(
            agendaShown((await oldMeetingResolvers.Meeting.agenda(m, undefined, oldCtx)) as Agenda[]),
          );
        }
      }
      if (reader.roles.includes('organizer')) {
        expect(attention, 'attention items compared').to.be.greaterThan(20);
        expect(carried, 'carried-over items compared').to.be.greaterThan(3);
      }
      if (process.env.DOSSIER_EQ_VERBOSE) console.log(`      ${reader.name}: ${attention} attention items, ${carried} carried over, ${dropped} closed major disputes dropped, ${droppedCarried} items completed since a meeting not held`);
    });
  }

  it('meetings(from, to): the same meetings in the same order, for every reader and window', async () => {
    const days = [...new Set(meetings.map((m) => m.scheduledAt.slice(0, 10)))].sort();
    const windows: { from?: string | null; to?: string | null }[] = [{}, { from: null, to: null }, { from: '2000-01-01' }, { to: '2100-01-01' }];
    for (const day of days) windows.push({ from: day }, { to: day }, { from: day, to: day });
    for (let i = 0; i + 1 < days.length; i++) windows.push({ from: days[i], to: days[i + 1] });
    for (const reader of READERS) {
      for (const args of windows) {
        const [oldCtx, newCtx] = contexts(reader, DAYS[0]!);
        const want = (await oldMeetingResolvers.Query.meetings(undefined, args, oldCtx)).map((m) => m.id);
        const got = (await meetingResolvers.Query.meetings(undefined, args, newCtx)).map((m) => m.id);
        expect(got, `${reader.name} ${JSON.stringify(args)}`).to.deep.equal(want);
      }
    }
  });
});
