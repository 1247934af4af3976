import { expect } from 'chai';
import {
  DEFAULT_DEADLINE_POLICY,
  calendarFromYears,
  type DeadlinePolicy,
  type WorkingDayCalendar,
} from '../../../../domain/deadlines/index.js';
import { caseDeadlines, foldCase, handoffDeadline, noticeIdFor, upcastRevision1SuggestionIssued, type CaseState, type Handoff } from '../../../../domain/catalog/index.js';
import { chineseDaysCalendar } from '../../../../infra/calendar/chineseDays.js';
import {
  CASE_ID,
  at,
  closed,
  criminalRegistered,
  civilRegistered,
  ev,
  handoffEvent,
  handoffRequested,
  litigationRegistered,
  reconsiderationRegistered,
} from '../support/fixtures.js';

/** The State Council's 2024 schedule (国办发明电〔2023〕7号). */
const OFFICIAL_2024 = {
  year: 2024,
  holidays: [
    '2024-01-01',
    ...['10', '11', '12', '13', '14', '15', '16', '17'].map((d) => `2024-02-${d}`),
    '2024-04-04', '2024-04-05', '2024-04-06',
    '2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04', '2024-05-05',
    '2024-06-10',
    '2024-09-15', '2024-09-16', '2024-09-17',
    '2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-05', '2024-10-06', '2024-10-07',
  ],
  workdays: ['2024-02-04', '2024-02-18', '2024-04-07', '2024-04-28', '2024-05-11', '2024-09-14', '2024-09-29', '2024-10-12'],
};

const inline = calendarFromYears([OFFICIAL_2024]);

const handoffIn = (events: Parameters<typeof foldCase>[1], id = 'h1'): Handoff => {
  const state = foldCase(CASE_ID, events);
  if (state.status === 'none') throw new Error('no case');
  return state.handoffs[id]!;
};
const deadline = (state: CaseState, name: string, deps: { calendar: WorkingDayCalendar; policy: DeadlinePolicy }) => {
  const found = caseDeadlines(state, deps).find((d) => d.name === name);
  if (!found) throw new Error(`no deadline ${name} in ${JSON.stringify(caseDeadlines(state, deps).map((d) => d.name))}`);
  return found;
};

for (const [calendarName, calendar] of [
  ['an inline 2024 calendar', inline],
  ['the chinese-days adapter', chineseDaysCalendar()],
] as const) {
  const deps = { calendar, policy: DEFAULT_DEADLINE_POLICY };

  describe(`deadlines.md worked examples (${calendarName})`, () => {
    it('entrusted_mediation received 2024-09-13: 30 days → Sunday 10-13 → 2024-10-14', () => {
      const h = handoffIn([civilRegistered, handoffRequested('ly-court', 'ly-justice', 'entrusted_mediation'), handoffEvent('ly-justice', 'handoff.received', 'h1', at('2024-09-13', '16:00'))]);
      expect(handoffDeadline(h, deps)).to.deep.include({ dueDate: '2024-10-14', provisional: false, metAt: null, stoppedAt: null });
    });

    it('prosecution_review received 2024-01-31: 1 month → 2024-02-29', () => {
      const h = handoffIn([criminalRegistered, handoffRequested('ly-police', 'ly-proc', 'prosecution_review', 'h1', at('2024-01-30')), handoffEvent('ly-proc', 'handoff.received', 'h1', at('2024-01-31'))]);
      expect(handoffDeadline(h, deps)).to.deep.include({ dueDate: '2024-02-29', provisional: false });
    });

    it('prosecution_review received 2024-01-31, extended 15 days → 2024-03-15', () => {
      const h = handoffIn([
        criminalRegistered,
        handoffRequested('ly-police', 'ly-proc', 'prosecution_review', 'h1', at('2024-01-30')),
        handoffEvent('ly-proc', 'handoff.received', 'h1', at('2024-01-31')),
        handoffEvent('ly-proc', 'handoff.extended', 'h1', at('2024-02-20'), { days: 15, approvedBy: '检察长' }),
      ]);
      expect(handoffDeadline(h, deps)).to.deep.include({ dueDate: '2024-03-15' });
    });

    it('suggestion (judicial) served 2024-07-31: 2 months → 2024-09-30', () => {
      const issued = ev('ly-court', 'suggestion.issued', { suggestionId: 'S1', to: 'ly-market', category: 'judicial', summary: '建议' }, at('2024-07-26'));
      const before = foldCase(CASE_ID, [litigationRegistered, issued]);
      expect(caseDeadlines(before, deps).map((d) => d.name), 'no reply clock before receipt or service').to.deep.equal([]);
      // served on 07-31 (送达回证), the addressee's own receipt recorded later: the earlier one starts the clock
      const state = foldCase(CASE_ID, [
        litigationRegistered,
        issued,
        ev('ly-court', 'suggestion.served', { suggestionId: 'S1', servedAt: '2024-07-31' }, at('2024-08-02')),
        ev('ly-market', 'suggestion.received', { suggestionId: 'S1' }, at('2024-08-05')),
      ]);
      expect(deadline(state, 'suggestion_reply:S1', deps)).to.deep.equal({ name: 'suggestion_reply:S1', dueDate: '2024-09-30', provisional: false, suspended: false, metAt: null, stoppedAt: null });
    });

    it('suggestion (reconsideration_opinion) received 2024-05-06: 60 days → 2024-07-05', () => {
      const state = foldCase(CASE_ID, [
        reconsiderationRegistered(),
        ev('ly-justice', 'suggestion.issued', { suggestionId: 'S3', to: 'ly-market', category: 'reconsideration_opinion', summary: '行政复议意见书' }, at('2024-04-30')),
        ev('ly-market', 'suggestion.received', { suggestionId: 'S3' }, at('2024-05-06', '15:00')),
      ]);
      expect(deadline(state, 'suggestion_reply:S3', deps)).to.deep.include({ dueDate: '2024-07-05', suspended: false });
    });

    it('reconsideration registered 2024-05-06, privateEnterprise and majorOrComplex: 60 days → 2024-07-05', () => {
      const state = foldCase(CASE_ID, [reconsiderationRegistered({ privateEnterprise: true, majorOrComplex: true })]);
      expect(deadline(state, 'reconsideration_decision', deps)).to.deep.include({ dueDate: '2024-07-05' });
    });

    it('reconsideration registered 2024-05-06, ordinary, suspended 2024-05-20, resumed 2024-06-03: 60 + 14 days → 2024-07-19', () => {
      const suspended = ev('ly-justice', 'reconsideration.suspended', { reason: '申请人丧失参加行政复议的行为能力' }, at('2024-05-20'));
      const during = foldCase(CASE_ID, [reconsiderationRegistered(), suspended]);
      expect(deadline(during, 'reconsideration_decision', deps)).to.deep.equal({
        name: 'reconsideration_decision',
        dueDate: null,
        provisional: false,
        suspended: true,
        metAt: null,
        stoppedAt: null,
      });
      const state = foldCase(CASE_ID, [reconsiderationRegistered(), suspended, ev('ly-justice', 'reconsideration.resumed', {}, at('2024-06-03'))]);
      expect(deadline(state, 'reconsideration_decision', deps)).to.deep.include({ dueDate: '2024-07-19', suspended: false, metAt: null, stoppedAt: null });
    });

    it('community_correction: judgment effective 2024-09-28: notice 5 days → 10-03 (holiday) → 2024-10-08; delivery and report 10 days → 2024-10-08', () => {
      const state = foldCase(CASE_ID, [
        criminalRegistered,
        ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted', communityCorrection: true }, at('2024-09-13')),
        ev('ly-court', 'judgment.effective', { judgmentId: 'J1', effectiveAt: '2024-09-28' }, at('2024-09-29')),
      ]);
      expect(deadline(state, 'community_correction_notice', deps)).to.deep.include({ dueDate: '2024-10-08', metAt: null });
      expect(deadline(state, 'community_correction_delivery', deps)).to.deep.include({ dueDate: '2024-10-08', metAt: null });
      expect(deadline(state, 'offender_report', deps)).to.deep.include({ dueDate: '2024-10-08', metAt: null });
    });

    it('copy notice issued 2024-09-27: 5 working days over the make-up Sunday → 2024-10-10', () => {
      const noticeId = noticeIdFor(CASE_ID, { judgmentId: 'J1' });
      const state = foldCase(CASE_ID, [
        litigationRegistered,
        ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'agency_lost' }, at('2024-09-27')),
        ev(null, 'notice.issued', { noticeId, reason: 'agency_lost', recipients: ['ly-market', 'ly-gov'], trigger: 'judgment.issued' }, at('2024-09-27')),
        ev('ly-gov', 'notice.acknowledged', { noticeId }, at('2024-10-11')),
      ]);
      expect(deadline(state, `notice_ack:${noticeId}:ly-market`, deps)).to.deep.include({ dueDate: '2024-10-10', metAt: null });
      expect(deadline(state, `notice_ack:${noticeId}:ly-gov`, deps)).to.deep.include({ dueDate: '2024-10-10', metAt: at('2024-10-11') });
    });

    it('reconsideration registered 2024-05-06 with privateEnterprise: 30 days → 2024-06-05', () => {
      const state = foldCase(CASE_ID, [reconsiderationRegistered({ privateEnterprise: true })]);
      expect(deadline(state, 'reconsideration_decision', deps)).to.deep.include({ dueDate: '2024-06-05' });
    });

    it('reconsideration registered 2024-05-06, no fast track: 60 days → 2024-07-05', () => {
      const state = foldCase(CASE_ID, [reconsiderationRegistered()]);
      expect(deadline(state, 'reconsideration_decision', deps)).to.deep.include({ dueDate: '2024-07-05', metAt: null });
    });

    it('community_correction requested 2024-09-28: 5 days → National Day → 2024-10-08', () => {
      const h = handoffIn([criminalRegistered, handoffRequested('ly-court', 'ly-justice', 'community_correction', 'h1', at('2024-09-28'))]);
      expect(handoffDeadline(h, deps)).to.deep.include({ dueDate: '2024-10-08', metAt: null });
    });

    it('entrusted_mediation received 2024-02-05: 30 days → 2024-03-06', () => {
      const h = handoffIn([civilRegistered, handoffRequested('ly-court', 'ly-justice', 'entrusted_mediation', 'h1', at('2024-02-05')), handoffEvent('ly-justice', 'handoff.received', 'h1', at('2024-02-05'))]);
      expect(handoffDeadline(h, deps)).to.deep.include({ dueDate: '2024-03-06' });
    });
  });
}

describe('handoffDeadline', () => {
  const deps = { calendar: inline, policy: DEFAULT_DEADLINE_POLICY };
  const mediation = [civilRegistered, handoffRequested('ly-court', 'ly-justice', 'entrusted_mediation', 'h1', at('2024-09-12'))];

  it('is null while a receipt-started clock has not started', () => {
    expect(handoffDeadline(handoffIn(mediation), deps)).to.equal(null);
  });

  it('starts on the China-time date of the receipt (a UTC time late in the day is the next day in China)', () => {
    const h = handoffIn([...mediation, handoffEvent('ly-justice', 'handoff.received', 'h1', '2024-09-12T17:00:00Z')]);
    expect(handoffDeadline(h, deps)!.dueDate).to.equal('2024-10-14');
  });

  it('starts on an acceptance straight from the request', () => {
    const h = handoffIn([...mediation, handoffEvent('ly-justice', 'handoff.accepted', 'h1', at('2024-09-13'))]);
    expect(handoffDeadline(h, deps)!.dueDate).to.equal('2024-10-14');
  });

  it('is met by the completion', () => {
    const h = handoffIn([
      ...mediation,
      handoffEvent('ly-justice', 'handoff.received', 'h1', at('2024-09-13')),
      handoffEvent('ly-justice', 'handoff.completed', 'h1', at('2024-10-09'), { outcome: 'mediated' }),
    ]);
    expect(handoffDeadline(h, deps)).to.deep.include({ metAt: at('2024-10-09'), stoppedAt: at('2024-10-09') });
  });

  it('is stopped, not met, by a return', () => {
    const h = handoffIn([
      ...mediation,
      handoffEvent('ly-justice', 'handoff.received', 'h1', at('2024-09-13')),
      handoffEvent('ly-justice', 'handoff.returned', 'h1', at('2024-09-20'), { reason: '补正' }),
    ]);
    expect(handoffDeadline(h, deps)).to.deep.include({ metAt: null, stoppedAt: at('2024-09-20') });
  });

  it('is met by the receipt for a community-correction delivery (回执)', () => {
    const h = handoffIn([
      criminalRegistered,
      handoffRequested('ly-court', 'ly-justice', 'community_correction', 'h1', at('2024-09-28')),
      handoffEvent('ly-justice', 'handoff.received', 'h1', at('2024-10-08')),
    ]);
    expect(handoffDeadline(h, deps)).to.deep.include({ dueDate: '2024-10-08', metAt: at('2024-10-08') });
  });

  it('counts working days for an information notice', () => {
    const h = handoffIn([
      civilRegistered,
      handoffRequested('ly-gov', 'ly-court', 'information_notice', 'h1', at('2024-09-27')),
      handoffEvent('ly-court', 'handoff.received', 'h1', at('2024-09-27')),
    ]);
    expect(handoffDeadline(h, deps)!.dueDate).to.equal('2024-10-10');
  });

  it('is provisional in a year without an official calendar', () => {
    const h = handoffIn([...mediation.slice(0, 1), handoffRequested('ly-court', 'ly-justice', 'entrusted_mediation', 'h1', at('2031-03-01')), handoffEvent('ly-justice', 'handoff.received', 'h1', at('2031-03-01'))]);
    expect(handoffDeadline(h, deps)).to.deep.include({ provisional: true });
  });
});

describe('caseDeadlines', () => {
  const deps = { calendar: inline, policy: DEFAULT_DEADLINE_POLICY };

  it('has none for an unknown case', () => {
    expect(caseDeadlines({ status: 'none' }, deps)).to.deep.equal([]);
  });

  it('shortens the reconsideration decision to 30 days for procedure simplified, or its older name fastTrack', () => {
    for (const extra of [{ fastTrack: true }, { procedure: 'simplified' }]) {
      const state = foldCase(CASE_ID, [reconsiderationRegistered(extra)]);
      expect(deadline(state, 'reconsideration_decision', deps).dueDate, JSON.stringify(extra)).to.equal('2024-06-05');
    }
  });

  it('adds an extension to the unshifted due date, and a suspension while extended', () => {
    // 05-06 + 60 = 07-05; + 30 (extended) = 08-04 (Sunday) → 08-05
    const extended = [reconsiderationRegistered(), ev('ly-justice', 'reconsideration.extended', { days: 30, approvedBy: '局长' }, at('2024-06-28'))];
    expect(deadline(foldCase(CASE_ID, extended), 'reconsideration_decision', deps).dueDate).to.equal('2024-08-05');
    // + 2 days suspended (07-10 → 07-12): 08-04 + 2 = 08-06
    const suspended = [...extended, ev('ly-justice', 'reconsideration.suspended', { reason: '等待鉴定结论' }, at('2024-07-10')), ev('ly-justice', 'reconsideration.resumed', {}, at('2024-07-12'))];
    expect(deadline(foldCase(CASE_ID, suspended), 'reconsideration_decision', deps).dueDate).to.equal('2024-08-06');
  });

  it('a decision while suspended stops the clock with the due date as it stood', () => {
    const state = foldCase(CASE_ID, [
      reconsiderationRegistered(),
      ev('ly-justice', 'reconsideration.suspended', { reason: '等待鉴定结论' }, at('2024-05-20')),
      ev('ly-justice', 'reconsideration.decided', { decision: 'withdrawn' }, at('2024-05-25')),
    ]);
    expect(deadline(state, 'reconsideration_decision', deps)).to.deep.include({ dueDate: '2024-07-05', suspended: false, metAt: at('2024-05-25') });
  });

  it('runs the performance clock performanceDays after the decision (days rule, shifted)', () => {
    // decided 2024-09-20 + 11 days = 10-01 (National Day) → 10-08
    const state = foldCase(CASE_ID, [reconsiderationRegistered(), ev('ly-justice', 'reconsideration.decided', { decision: 'confirmed_invalid', performanceDays: 11 }, at('2024-09-20'))]);
    expect(deadline(state, 'reconsideration_performance', deps)).to.deep.include({ dueDate: '2024-10-08', metAt: null });
  });

  it('an urgent 检察建议 runs for its replyDays from receipt', () => {
    const state = foldCase(CASE_ID, [
      litigationRegistered,
      ev('ly-proc', 'suggestion.issued', { suggestionId: 'S4', to: 'ly-env', category: 'procuratorial', summary: '整治', urgent: true, replyDays: 10 }, at('2024-09-02')),
      ev('ly-env', 'suggestion.received', { suggestionId: 'S4' }, at('2024-09-03')),
    ]);
    expect(deadline(state, 'suggestion_reply:S4', deps).dueDate).to.equal('2024-09-13');
  });

  it('reads a revision-1 suggestion.issued (upcast) as served on its day of issue', () => {
    const issued = ev('ly-court', 'suggestion.issued', { suggestionId: 'S1', to: 'ly-market', category: 'judicial', summary: '建议' }, at('2024-07-31'));
    const state = foldCase(CASE_ID, [litigationRegistered, upcastRevision1SuggestionIssued(issued)]);
    expect(deadline(state, 'suggestion_reply:S1', deps)).to.deep.include({ dueDate: '2024-09-30' });
  });

  it('follows the configured private-enterprise policy', () => {
    const state = foldCase(CASE_ID, [reconsiderationRegistered({ privateEnterprise: true })]);
    expect(deadline(state, 'reconsideration_decision', { calendar: inline, policy: { ...DEFAULT_DEADLINE_POLICY, privateEnterpriseFastTrack: false } }).dueDate).to.equal('2024-07-05');
  });

  it('meets the reconsideration decision clock with the decision', () => {
    const state = foldCase(CASE_ID, [reconsiderationRegistered(), ev('ly-justice', 'reconsideration.decided', { decision: 'upheld' }, at('2024-06-20'))]);
    expect(deadline(state, 'reconsideration_decision', deps)).to.deep.include({ metAt: at('2024-06-20'), stoppedAt: at('2024-06-20') });
  });

  it('stops (without meeting) the decision clock when the case is closed undecided', () => {
    const state = foldCase(CASE_ID, [reconsiderationRegistered(), closed('ly-justice', 'withdrawn', at('2024-05-20'))]);
    expect(deadline(state, 'reconsideration_decision', deps)).to.deep.include({ metAt: null, stoppedAt: at('2024-05-20') });
  });

  it('starts the community-correction clocks at effectiveAt', () => {
    const state = foldCase(CASE_ID, [criminalRegistered, ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted', communityCorrection: true, effectiveAt: '2024-09-20' }, at('2024-09-05'))]);
    // 09-20 + 10 days = 09-30 (a working day)
    expect(deadline(state, 'community_correction_delivery', deps)).to.deep.include({ dueDate: '2024-09-30', metAt: null });
    expect(deadline(state, 'offender_report', deps)).to.deep.include({ dueDate: '2024-09-30', metAt: null });
  });

  it('starts the community-correction clocks at the judgment date without effectiveAt, and stops them', () => {
    const state = foldCase(CASE_ID, [
      criminalRegistered,
      ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted', communityCorrection: true }, at('2024-09-25')),
      handoffRequested('ly-court', 'ly-justice', 'community_correction', 'h1', at('2024-09-27')),
      handoffEvent('ly-justice', 'handoff.received', 'h1', at('2024-09-29')),
      ev('ly-justice', 'correction.reported', {}, at('2024-10-09')),
    ]);
    // notice: 09-25 + 5 = 09-30, met by the request; delivery: 09-25 + 10 = 10-05 (National Day) → 10-08, met by the receipt
    expect(deadline(state, 'community_correction_notice', deps)).to.deep.include({ dueDate: '2024-09-30', metAt: at('2024-09-27') });
    expect(deadline(state, 'community_correction_delivery', deps)).to.deep.include({ dueDate: '2024-10-08', metAt: at('2024-09-29') });
    expect(deadline(state, 'offender_report', deps)).to.deep.include({ dueDate: '2024-10-08', metAt: at('2024-10-09') });
  });

  it('has no community-correction clocks without community correction', () => {
    const state = foldCase(CASE_ID, [criminalRegistered, ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted' }, at('2024-09-25'))]);
    expect(caseDeadlines(state, deps).map((d) => d.name)).to.deep.equal([]);
  });

  it('gives an urgent public-interest suggestion 15 days, and records the reply', () => {
    const state = foldCase(CASE_ID, [
      litigationRegistered,
      ev('ly-proc', 'suggestion.issued', { suggestionId: 'S2', to: 'ly-env', category: 'public_interest', summary: '整治', urgent: true }, at('2024-08-30')),
      ev('ly-env', 'suggestion.received', { suggestionId: 'S2' }, at('2024-09-02')),
      ev('ly-env', 'suggestion.replied', { suggestionId: 'S2', adopted: true, summary: '已整治' }, at('2024-09-20')),
    ]);
    expect(deadline(state, 'suggestion_reply:S2', deps)).to.deep.include({ dueDate: '2024-09-18', metAt: at('2024-09-20') });
  });

  it('runs the performance clock until performanceDueAt, with no holiday shift', () => {
    const state = foldCase(CASE_ID, [
      reconsiderationRegistered(),
      ev('ly-justice', 'reconsideration.decided', { decision: 'ordered_performance', performanceDueAt: '2024-10-01' }, at('2024-06-20')),
    ]);
    expect(deadline(state, 'reconsideration_performance', deps)).to.deep.include({ dueDate: '2024-10-01', provisional: false, metAt: null });
  });

  it('has no performance clock for a decision without performanceDueAt', () => {
    const state = foldCase(CASE_ID, [reconsiderationRegistered(), ev('ly-justice', 'reconsideration.decided', { decision: 'revoked' }, at('2024-06-20'))]);
    expect(caseDeadlines(state, deps).map((d) => d.name)).to.deep.equal(['reconsideration_decision']);
  });

  it('names every clock as graphql.md does, in a stable order', () => {
    const noticeId = `${CASE_ID}/reconsideration`;
    const state = foldCase(CASE_ID, [
      reconsiderationRegistered(),
      ev('ly-court', 'suggestion.issued', { suggestionId: 'S1', to: 'ly-market', category: 'judicial', summary: '建议' }, at('2024-05-10')),
      ev('ly-market', 'suggestion.received', { suggestionId: 'S1' }, at('2024-05-10')),
      ev('ly-justice', 'reconsideration.decided', { decision: 'revoked', performanceDueAt: '2024-07-31' }, at('2024-06-20')),
      ev(null, 'notice.issued', { noticeId, reason: 'reconsideration_corrected', recipients: ['ly-market', 'ly-gov'], trigger: 'reconsideration.decided' }, at('2024-06-20')),
    ]);
    expect(caseDeadlines(state, deps).map((d) => d.name)).to.deep.equal([
      'reconsideration_decision',
      'suggestion_reply:S1',
      'reconsideration_performance',
      `notice_ack:${noticeId}:ly-market`,
      `notice_ack:${noticeId}:ly-gov`,
    ]);
  });
});
