import { expect } from 'chai';
import {
  caseDeadlines,
  handoffDeadline,
  handoffsOf,
  type CaseState,
  type MeetingState,
} from '../../../domain/catalog/index.js';
import { DEFAULT_DEADLINE_POLICY, chinaDate, isOverdue } from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { createValidator } from '../../../infra/ingest/validator.js';
import { loadDemo, type DemoLoadResult } from '../../../infra/demo/loader.js';
import { demoScenario, type CloudEvent, type DemoStep } from '../../../infra/demo/scenario.js';
import { demoAgencies, memoryPlatform, type MemoryPlatform } from './memoryPlatform.js';
import { NOWS } from './nows.js';

/** what each `bad-` event was written to provoke (events.md §5) */
const EXPECTED_REJECTIONS: Record<string, string> = {
  'bad-future-time-': 'future_time',
  'bad-unknown-type-': 'unknown_type',
  'bad-agency-judgment-': 'unauthorized',
  'bad-wrong-source-': 'unauthorized',
  'bad-missing-purpose-': 'invalid_data',
  'bad-wrong-outcome-': 'invalid_data',
  'bad-unknown-case-': 'unknown_case',
  'bad-registered-twice-': 'case_exists',
  'bad-not-receiver-': 'invalid_transition',
  'bad-extension-': 'invalid_transition',
  'bad-unknown-agency-': 'unknown_agency',
};

const calendar = chineseDaysCalendar();
const deps = { calendar, policy: DEFAULT_DEADLINE_POLICY };

const eventsOf = (steps: DemoStep[]): CloudEvent[] => steps.flatMap((s) => (s.kind === 'publish' ? s.events : []));
const mutationsOf = (steps: DemoStep[]) => steps.flatMap((s) => (s.kind === 'mutation' ? [s] : []));
const isBad = (e: CloudEvent) => e.id.startsWith('bad-');
const countBy = <T>(items: T[], key: (t: T) => string) => items.reduce((m, t) => m.set(key(t), (m.get(key(t)) ?? 0) + 1), new Map<string, number>());

interface Loaded {
  now: Date;
  steps: DemoStep[];
  platform: MemoryPlatform;
  result: DemoLoadResult;
  cases: Exclude<CaseState, { status: 'none' }>[];
  meetings: Exclude<MeetingState, { status: 'none' }>[];
}

async function load(now: Date): Promise<Loaded> {
  const steps = demoScenario(now);
  const platform = memoryPlatform(now);
  const result = await loadDemo(steps, platform);
  const states = [...platform.streams.values()];
  return {
    now,
    steps,
    platform,
    result,
    cases: states.filter((s) => s.kind === 'case').map((s) => s.state as Exclude<CaseState, { status: 'none' }>),
    meetings: states.filter((s) => s.kind === 'meeting').map((s) => s.state as Exclude<MeetingState, { status: 'none' }>),
  };
}

/** clocks overdue at `now`, by name (handoffs by purpose) */
function overdueAt(loaded: Loaded): Map<string, number> {
  const today = chinaDate(loaded.now.toISOString());
  const overdue: string[] = [];
  for (const file of loaded.cases) {
    for (const handoff of handoffsOf(file)) {
      const due = handoffDeadline(handoff, deps);
      if (due && isOverdue({ dueDate: due.dueDate, stopped: due.stoppedAt !== null }, today)) overdue.push(`handoff:${handoff.purpose}`);
    }
    for (const due of caseDeadlines(file, deps)) {
      if (due.dueDate !== null && isOverdue({ dueDate: due.dueDate, stopped: due.stoppedAt !== null }, today)) overdue.push(due.name.split(':')[0]!);
    }
  }
  return countBy(overdue, (name) => name);
}


describe('demo city 云岭市 (infra/demo/scenario.ts)', () => {
  for (const iso of NOWS) {
    describe(`with now = ${iso}`, () => {
      let loaded: Loaded;
      before(async () => {
        loaded = await load(new Date(iso));
      });

      it('validates every published event against the catalog JSON schemas (ajv), envelope and data', () => {
        const validator = createValidator();
        const good = eventsOf(loaded.steps).filter((e) => !isBad(e) || e.id.startsWith('bad-future-time-') || e.id.startsWith('bad-wrong-source-'));
        for (const event of good) {
          const envelope = validator.envelope(event);
          expect(envelope.ok, `${event.id} envelope: ${envelope.message}`).to.equal(true);
          const data = validator.data(event.type, event.data);
          expect(data, `${event.id} type ${event.type}`).to.not.equal(undefined);
          expect(data!.ok, `${event.id} (${event.type}): ${data!.message}`).to.equal(true);
        }
      });

      it('gets every good event and mutation accepted by the deciders, and nothing unexpected', () => {
        expect(loaded.result.unexpected).to.deep.equal([]);
        const good = eventsOf(loaded.steps).filter((e) => !isBad(e));
        expect(loaded.result.accepted).to.equal(good.length);
        for (const o of loaded.platform.outcomes.filter((o) => !isBad(o.event))) expect(o.status, `${o.event.id}: ${o.code} ${o.message}`).to.equal('accepted');
        expect(loaded.result.mutations).to.equal(mutationsOf(loaded.steps).length);
      });

      it('gets every bad- event rejected with the code it was written for', () => {
        const bad = loaded.platform.outcomes.filter((o) => isBad(o.event));
        expect(bad.map((o) => o.event.id.replace(/-(yl[a-z]+-[a-z]+-\d{4}-\d{4})$/, '-')).sort()).to.deep.equal(Object.keys(EXPECTED_REJECTIONS).sort());
        for (const o of bad) {
          const prefix = Object.keys(EXPECTED_REJECTIONS).find((p) => o.event.id.startsWith(p))!;
          expect(o.status, o.event.id).to.equal('rejected');
          expect(o.code, `${o.event.id}: ${o.message}`).to.equal(EXPECTED_REJECTIONS[prefix]);
        }
        expect(loaded.result.rejected).to.equal(bad.length);
      });

      it('happens before now, in chronological order, by configured agencies', () => {
        const now = loaded.now.getTime();
        let last = -Infinity;
        let lastTime = '(start)';
        for (const step of loaded.steps) {
          const times = step.kind === 'mutation' ? [step.at] : step.events.filter((e) => !e.id.startsWith('bad-future-time-')).map((e) => e.time);
          for (const time of times) {
            const t = Date.parse(time);
            expect(t, time).to.be.at.most(now);
            expect(t, `${time} after ${lastTime}`).to.be.at.least(last);
            last = t;
            lastTime = time;
          }
          const agency = step.kind === 'mutation' ? step.asAgency : step.agencyId;
          expect(demoAgencies.has(agency), agency).to.equal(true);
        }
        const future = eventsOf(loaded.steps).filter((e) => Date.parse(e.time) > now);
        expect(future.map((e) => e.id)).to.have.length(1);
        expect(future[0]!.id).to.match(/^bad-future-time-/);
        const oldest = Date.parse(eventsOf(loaded.steps)[0]!.time);
        expect((now - oldest) / 86_400_000).to.be.within(170, 240);
      });

      // a city of two districts with their basic-level courts and townships: more cases than the one-court city before
      it('has the size of a live city: 110–170 cases, 900–2,000 events, unique (source, id)', () => {
        const events = eventsOf(loaded.steps);
        expect(loaded.cases.length).to.be.within(110, 170);
        expect(events.length).to.be.within(900, 2000);
        expect(new Set(events.map((e) => `${e.source}/${e.id}`)).size).to.equal(events.length);
      });

      it('holds the quarterly 府院联动推进会 with agendas, resolutions and action items, some done, some carried over', () => {
        const quarterly = loaded.meetings.filter((m) => m.title.includes('府院联动推进会'));
        const held = quarterly.filter((m) => m.status === 'HELD');
        expect(quarterly.length).to.be.within(2, 3);
        expect(held.length).to.be.at.least(2);
        expect(quarterly.filter((m) => m.status === 'SCHEDULED').length).to.be.at.most(1);
        for (const m of held) {
          expect(m.agenda.length, m.title).to.be.at.least(3);
          expect(m.agenda.every((a) => a.resolution !== null), m.title).to.equal(true);
          expect(m.actionItems.length, m.title).to.be.at.least(m.agenda.length);
          expect(m.attendees.length).to.be.at.least(8);
        }
        const reasons = new Set(held.flatMap((m) => m.agenda.map((a) => a.reason)));
        expect(reasons.size).to.be.at.least(3);
        for (const reason of reasons) expect(['overdue_handoff', 'agency_lost', 'reconsideration_corrected', 'overdue_suggestion', 'overdue_performance', 'major_dispute', 'manual']).to.include(reason);
        const items = held.flatMap((m) => m.actionItems);
        expect(items.filter((a) => a.completedAt !== null).length).to.be.at.least(2);
        // carried over: still open from the first meeting when the last one was held
        expect(held[0]!.actionItems.filter((a) => a.completedAt === null).length).to.be.at.least(1);
        expect(items.some((a) => a.caseId === null)).to.equal(true);
        const mutations = countBy(mutationsOf(loaded.steps), (m) => m.name);
        expect(mutations.get('completeActionItem') ?? 0).to.be.at.least(1);
        expect(eventsOf(loaded.steps).filter((e) => e.type === 'action_item.completed').length).to.be.at.least(1);
        expect(loaded.meetings.filter((m) => m.status === 'CANCELLED').length).to.equal(1);
      });

      it('contains every practice of the spec', () => {
        const events = eventsOf(loaded.steps).filter((e) => !isBad(e));
        const byType = countBy(events, (e) => e.type);
        const of = (type: string, where: (d: Record<string, unknown>) => boolean = () => true) => events.filter((e) => e.type === type && where(e.data));
        const purposes = countBy(of('handoff.requested'), (e) => String(e.data.purpose));
        const completed = countBy(of('handoff.completed'), (e) => String(e.data.outcome));
        const kinds = countBy(of('case.registered'), (e) => String(e.data.kind));

        // 诉前委派调解 and 司法确认
        expect(purposes.get('entrusted_mediation')).to.be.at.least(10);
        expect(completed.get('mediated')).to.be.at.least(3);
        expect(completed.get('failed')).to.be.at.least(1);
        expect(byType.get('judicial_confirmation.decided')).to.be.at.least(2);
        // 行政诉讼: defendant agencies, 负责人出庭应诉 or not, agency_lost and its copy notices
        expect(kinds.get('administrative_litigation')).to.be.at.least(12);
        // revision 2: who appeared — a principal or deputy head, or entrusted staff only
        const held = of('hearing.held', (d) => typeof d.appearance === 'string');
        expect([...new Set(held.map((e) => e.data.appearance))].sort()).to.deep.equal(['deputy', 'entrusted_staff', 'principal']);
        expect(of('judgment.issued', (d) => d.outcome === 'agency_lost').length).to.be.at.least(2);
        expect(byType.get('notice.acknowledged')).to.be.at.least(3);
        expect(mutationsOf(loaded.steps).filter((m) => m.name === 'acknowledgeNotice').length).to.be.at.least(1);
        const notices = loaded.cases.flatMap((c) => Object.values(c.copyNotices));
        expect(notices.some((n) => n.recipients.some((r) => !n.acknowledgements[r]))).to.equal(true);
        // 行政复议, the 涉企 fast track, decisions and performance
        expect(of('case.registered', (d) => d.kind === 'administrative_reconsideration' && d.privateEnterprise === true).length).to.be.at.least(3);
        const decisions = new Set(of('reconsideration.decided').map((e) => e.data.decision));
        for (const d of ['upheld', 'revoked', 'ordered_performance']) expect(decisions).to.include(d);
        expect(of('reconsideration.decided', (d) => d.decision === 'ordered_performance' && typeof d.performanceDueAt === 'string').length).to.be.at.least(2);
        expect(byType.get('reconsideration.performed')).to.be.at.least(2);
        // 司法建议, 检察建议, 公益诉讼检察建议 (urgent), replies adopted or not
        const categories = new Set(of('suggestion.issued').map((e) => e.data.category));
        expect(categories).to.have.all.keys('judicial', 'procuratorial', 'public_interest');
        expect(of('suggestion.issued', (d) => d.urgent === true).length).to.be.at.least(1);
        expect([...new Set(of('suggestion.replied').map((e) => e.data.adopted))].sort()).to.deep.equal([false, true]);
        // criminal flow through to community correction
        for (const p of ['prosecution_review', 'supplementary_investigation', 'public_prosecution', 'community_correction', 'criminal_transfer', 'information_notice']) {
          expect(purposes.get(p), p).to.be.at.least(1);
        }
        expect(of('judgment.issued', (d) => d.outcome === 'convicted' && d.communityCorrection === true).length).to.be.at.least(2);
        expect(byType.get('correction.reported')).to.be.at.least(1);
        // the rest
        expect(byType.get('self_correction.reported')).to.be.at.least(2);
        expect(of('case.registered', (d) => d.kind === 'government_dispute' && d.major === true).length).to.be.at.least(1);
        expect(kinds.get('public_interest')).to.be.at.least(3);
        const returned = new Set(of('handoff.returned').map((e) => e.data.handoffId));
        expect(of('handoff.requested', (d) => returned.has(d.previousHandoffId)).length).to.be.at.least(2);
        expect(byType.get('handoff.extended')).to.be.at.least(2);
        expect(byType.get('handoff.withdrawn')).to.be.at.least(1);
        expect(byType.get('case.closed')).to.be.at.least(30);
      });

      it('leaves clocks overdue today for the attention lists', () => {
        const overdue = overdueAt(loaded);
        expect(overdue.get('handoff:entrusted_mediation'), 'entrusted_mediation').to.be.at.least(1);
        expect(overdue.get('handoff:prosecution_review'), 'prosecution_review').to.be.at.least(1);
        expect(overdue.get('handoff:criminal_transfer'), 'criminal_transfer').to.be.at.least(1);
        expect(overdue.get('handoff:information_notice'), 'information_notice').to.be.at.least(1);
        expect(overdue.get('suggestion_reply'), 'suggestion_reply').to.be.at.least(2);
        expect(overdue.get('reconsideration_performance'), 'reconsideration_performance').to.be.at.least(1);
        expect(overdue.get('reconsideration_decision'), 'reconsideration_decision').to.be.at.least(1);
        expect(overdue.get('notice_ack'), 'notice_ack').to.be.at.least(1);
      });
    });
  }

  it('is deterministic: the same now gives the same steps', () => {
    const now = new Date('2025-05-20T06:30:00Z');
    expect(demoScenario(now)).to.deep.equal(demoScenario(new Date(now.getTime())));
  });

  it('moves with now: a quarter later, the same city a quarter later', () => {
    const a = eventsOf(demoScenario(new Date('2025-05-20T06:30:00Z')));
    const b = eventsOf(demoScenario(new Date('2025-08-20T06:30:00Z')));
    expect(Date.parse(b[0]!.time) - Date.parse(a[0]!.time)).to.be.within(70 * 86_400_000, 110 * 86_400_000);
    expect(a.map((e) => e.type)).to.not.deep.equal([]);
  });
});
