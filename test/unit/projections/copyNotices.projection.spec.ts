import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { noticeAckDeadlines } from '../../../domain/catalog/index.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { CASES, casesProjection, type CaseDoc } from '../../../projections/cases/cases.projection.js';
import {
  COPY_NOTICES,
  copyNoticesProjection,
  NOTICE_INDEX,
  noticeDocId,
  noticePlan,
  NoticeScope,
  type CopyNoticeDoc,
  type CopyNoticesContext,
} from '../../../projections/copyNotices/copyNotices.projection.js';
import { POSITION_FIELD, projectEvents } from '../../../projections/projection.js';
import { at, eventLog, demoCityEvents } from './support.js';

// Given stored events → then one document per copy notice (同步抄告), and the index entries the list reads.

const ctx: CopyNoticesContext = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };

interface Projected {
  doc: CopyNoticeDoc & { [POSITION_FIELD]: string };
  indexes: Record<string, readonly string[]>;
}

const projected = (events: readonly RecordedEvent[]) => projectEvents(copyNoticesProjection, events, ctx).get(COPY_NOTICES) ?? new Map();
const NOTICE = 'XZ-1/judgment/XZ-1-j1';
const one = (events: readonly RecordedEvent[]): Projected => {
  const found = projected(events).get(noticeDocId('XZ-1', NOTICE)) as Projected | undefined;
  if (!found) throw new Error(`no notice document ${NOTICE}`);
  return found;
};

function lostCase() {
  const e = eventLog();
  const registered = e('case-XZ-1', 'yl-court', 'case.registered', { kind: 'administrative_litigation', title: '某公司诉市场监管局案', parties: [], defendantAgencyId: 'yl-market' }, at('2024-09-02'));
  const judgment = e('case-XZ-1', 'yl-court', 'judgment.issued', { judgmentId: 'XZ-1-j1', outcome: 'agency_lost' }, at('2024-11-04'));
  const issued = e(
    'case-XZ-1',
    null,
    'notice.issued',
    { noticeId: NOTICE, reason: 'agency_lost', recipients: ['yl-market', 'yl-gov', 'yl-justice'], trigger: 'judgment.issued' },
    at('2024-11-04'),
  );
  return { e, registered, judgment, issued };
}

/** the entries of a document in one scope */
const inScope = (p: Projected, scope: string): string[] => p.indexes[NOTICE_INDEX]!.filter((v) => v.startsWith(`${scope}|`));

describe('copy notices projection', () => {
  describe('notice.issued', () => {
    it('creates one document: the notice, one running acknowledgement clock per recipient, its recipients as who may see it', () => {
      const { registered, judgment, issued } = lostCase();
      const p = one([registered, judgment, issued]);
      expect(p.doc.caseId).to.equal('XZ-1');
      expect(p.doc.notice).to.deep.equal({
        id: NOTICE,
        reason: 'agency_lost',
        trigger: 'judgment.issued',
        recipients: ['yl-market', 'yl-gov', 'yl-justice'],
        issuedAt: at('2024-11-04'),
        acknowledgements: {},
      });
      expect(p.doc.deadlines).to.deep.equal(noticeAckDeadlines(p.doc.notice, ctx.deadlines));
      expect(p.doc.deadlines.map((d) => d.name)).to.deep.equal(['yl-market', 'yl-gov', 'yl-justice'].map((a) => `notice_ack:${NOTICE}:${a}`));
      expect(p.doc.deadlines.every((d) => d.stoppedAt === null && d.dueDate === p.doc.deadlines[0]!.dueDate)).to.equal(true);
      expect(p.doc.visibleTo).to.deep.equal(['yl-market', 'yl-gov', 'yl-justice']);
      expect(p.doc[POSITION_FIELD]).to.equal(issued.position.toString());
    });

    it('is filed under all, each recipient, and each ordered pair of recipients; nobody has acknowledged', () => {
      const { registered, judgment, issued } = lostCase();
      const p = one([registered, judgment, issued]);
      const head = `|2024-11-04T01:00:00.000Z|XZ-1/${encodeURIComponent(NOTICE)} 0`;
      const recipients = ['yl-market', 'yl-gov', 'yl-justice'];
      const pairs = recipients.flatMap((v) => recipients.filter((a) => a !== v).map((a) => NoticeScope.pair(v, a)));
      expect(p.indexes[NOTICE_INDEX]).to.have.members([
        `${NoticeScope.all}${head}-`,
        ...recipients.map((a) => `${NoticeScope.recipient(a)}${head}0`),
        ...pairs.map((scope) => `${scope}${head}0`),
      ]);
    });

    it('writes nothing for an acknowledgement of a notice that was never issued', () => {
      const { e, registered } = lostCase();
      const stray = e('case-XZ-1', 'yl-gov', 'notice.acknowledged', { noticeId: NOTICE }, at('2024-11-05'));
      expect(projected([registered, stray]).size).to.equal(0);
    });
  });

  describe('notice.acknowledged', () => {
    it('stops that recipient’s clock and flags it in the scopes that name it last; all flagged once every recipient has', () => {
      const { e, registered, judgment, issued } = lostCase();
      const byGov = e('case-XZ-1', 'yl-gov', 'notice.acknowledged', { noticeId: NOTICE }, at('2024-11-05'));
      const p = one([registered, judgment, issued, byGov]);
      expect(p.doc.notice.acknowledgements).to.deep.equal({ 'yl-gov': at('2024-11-05') });
      expect(p.doc.deadlines.map((d) => d.stoppedAt)).to.deep.equal([null, at('2024-11-05'), null]);
      expect(p.doc[POSITION_FIELD]).to.equal(byGov.position.toString());
      const plan = (agency: string | null, viewer: string | null = null) => noticePlan({ viewer, agency });
      const acknowledged = (agency: string | null, viewer: string | null = null) => {
        const q = plan(agency, viewer);
        const values = p.indexes[NOTICE_INDEX]!.filter((v) => v >= q.range.from && v <= q.range.to);
        expect(values, `${viewer} asks about ${agency}`).to.have.length(1);
        return q.acknowledged(values[0]!);
      };
      expect(acknowledged('yl-gov')).to.equal(true);
      expect(acknowledged('yl-market')).to.equal(false);
      expect(acknowledged('yl-gov', 'yl-market')).to.equal(true);
      expect(acknowledged('yl-market', 'yl-gov')).to.equal(false);
      expect(acknowledged(null)).to.equal(false);
      expect(acknowledged(null, 'yl-gov')).to.equal(false);

      const rest = [
        e('case-XZ-1', 'yl-market', 'notice.acknowledged', { noticeId: NOTICE }, at('2024-11-06')),
        e('case-XZ-1', 'yl-justice', 'notice.acknowledged', { noticeId: NOTICE }, at('2024-11-07')),
      ];
      const q = one([registered, judgment, issued, byGov, ...rest]);
      expect(q.doc.deadlines.every((d) => d.stoppedAt !== null)).to.equal(true);
      expect(q.doc.deadlines).to.deep.equal(noticeAckDeadlines(q.doc.notice, ctx.deadlines));
      for (const value of q.indexes[NOTICE_INDEX]!) {
        expect(noticePlan({ viewer: null, agency: null }).acknowledged(value), value).to.equal(true);
      }
      expect(inScope(q, NoticeScope.recipient('yl-gov'))).to.have.length(1);
    });
  });

  describe('the plan: which scope answers a question', () => {
    const range = (scope: string) => ({ from: `${scope}|`, to: `${scope}|\u{10ffff}` });
    it('organizers and auditors: all, or the recipient asked for (an empty agency id is none)', () => {
      expect(noticePlan({ viewer: null }).range).to.deep.equal(range(NoticeScope.all));
      expect(noticePlan({ viewer: null, agency: '' }).range).to.deep.equal(range(NoticeScope.all));
      expect(noticePlan({ viewer: null, agency: 'y' }).range).to.deep.equal(range(NoticeScope.recipient('y')));
    });
    it('a viewer: its own notices, or those addressed to it and to the agency asked for', () => {
      expect(noticePlan({ viewer: 'x' }).range).to.deep.equal(range(NoticeScope.recipient('x')));
      expect(noticePlan({ viewer: 'x', agency: 'x' }).range).to.deep.equal(range(NoticeScope.recipient('x')));
      expect(noticePlan({ viewer: 'x', agency: 'y' }).range).to.deep.equal(range(NoticeScope.pair('x', 'y')));
      expect(NoticeScope.pair('a>b', 'c')).to.not.equal(NoticeScope.pair('a', 'b>c'));
    });
  });

  it('over every event of the demo city: each notice and its clocks as the case read model has them', async () => {
    const events = await demoCityEvents();
    const cases = projectEvents(casesProjection, events, ctx).get(CASES)!;
    const docs = projected(events);
    let compared = 0;
    let acknowledgements = 0;
    for (const { doc } of cases.values()) {
      const c = doc as CaseDoc;
      for (const notice of Object.values(c.state.copyNotices)) {
        const n = docs.get(noticeDocId(c.state.id, notice.id))?.doc as CopyNoticeDoc | undefined;
        expect(n, notice.id).to.not.equal(undefined);
        expect({ caseId: n!.caseId, notice: n!.notice, deadlines: n!.deadlines }).to.deep.equal({
          caseId: c.state.id,
          notice,
          deadlines: c.deadlines.filter((d) => d.name.startsWith(`notice_ack:${notice.id}:`)),
        });
        compared += 1;
        acknowledgements += Object.keys(notice.acknowledgements).length;
      }
    }
    expect(docs.size).to.equal(compared);
    expect(compared).to.be.greaterThan(5);
    expect(acknowledgements).to.be.greaterThan(5);
  });
});
