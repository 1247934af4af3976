import { expect } from 'chai';
import { caseDecider, copyNoticeRecipients, foldCase, headAppeared, noticeIdFor, type DecisionContext } from '../../../../domain/catalog/index.js';
import type { Agency } from '../../../../domain/shared/agencies.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import { AGENCIES, CASE_ID, at, civilRegistered, ctx, ev, litigationRegistered, published } from '../support/fixtures.js';

const { given } = deciderSpec(caseDecider);

const scheduled = ev('ly-court', 'hearing.scheduled', { hearingId: 'H1', at: at('2024-10-15', '09:30') }, at('2024-09-20'));
const held = (extra: Record<string, unknown>) => ev('ly-court', 'hearing.held', { hearingId: 'H1', ...extra }, at('2024-10-15', '12:00'));

describe('hearing.held appearance (负责人出庭应诉, revision 2)', () => {
  describe('given a scheduled hearing of an administrative suit', () => {
    const SCHEDULED = [litigationRegistered, scheduled];

    for (const appearance of ['principal', 'deputy', 'entrusted_staff', 'none']) {
      it(`accepts appearance ${appearance}`, () => {
        given(SCHEDULED).when(published(held({ appearance }))).then([held({ appearance })]);
      });
    }

    it('accepts appearance with the agencyHeadAppeared flag that agrees with it', () => {
      given(SCHEDULED).when(published(held({ appearance: 'deputy', agencyHeadAppeared: true }))).then([held({ appearance: 'deputy', agencyHeadAppeared: true })]);
    });

    it('rejects entrusted staff together with "the head appeared"', () => {
      given(SCHEDULED).when(published(held({ appearance: 'entrusted_staff', agencyHeadAppeared: true }))).thenRejects('invalid_data', /相互矛盾/);
    });

    it('rejects a principal together with "the head did not appear"', () => {
      given(SCHEDULED).when(published(held({ appearance: 'principal', agencyHeadAppeared: false }))).thenRejects('invalid_data', /相互矛盾/);
    });

    it('rejects an appearance code outside the catalog', () => {
      given(SCHEDULED).when(published(held({ appearance: 'lawyer' }))).thenRejects('invalid_data');
    });

    it('keeps the appearance on the hearing', () => {
      const state = foldCase(CASE_ID, [...SCHEDULED, held({ appearance: 'deputy' })]);
      if (state.status === 'none') throw new Error('no case');
      expect(state.hearings.H1).to.include({ appearance: 'deputy', agencyHeadAppeared: null });
    });
  });

  describe('given a scheduled hearing of a civil dispute', () => {
    it('rejects an appearance: only a suit against an agency has one', () => {
      const scheduledCivil = ev('ly-court', 'hearing.scheduled', { hearingId: 'H1', at: at('2024-10-15', '09:30') }, at('2024-09-20'));
      given([civilRegistered, scheduledCivil]).when(published(held({ appearance: 'principal' }))).thenRejects('invalid_data', /行政诉讼/);
    });
  });

  describe('headAppeared', () => {
    it('principal and deputy are the head; entrusted staff and none are not', () => {
      expect(['principal', 'deputy', 'entrusted_staff', 'none'].map((appearance) => headAppeared({ appearance: appearance as 'principal' }))).to.deep.equal([true, true, false, false]);
    });

    it('reads a hearing recorded before revision 2 by its flag', () => {
      expect(headAppeared({ agencyHeadAppeared: true })).to.equal(true);
      expect(headAppeared({ agencyHeadAppeared: false })).to.equal(false);
      expect(headAppeared({ appearance: null, agencyHeadAppeared: null })).to.equal(false);
    });
  });
});

describe('case.registered reconsiderationCaseId (复议后起诉, revision 2)', () => {
  const suit = (extra: Record<string, unknown>) => ev('ly-court', 'case.registered', { ...(litigationRegistered.data as object), ...extra }, litigationRegistered.time);

  it('accepts a suit that names the reconsideration case it follows, and keeps it', () => {
    const registered = suit({ reconsiderationCaseId: 'R-2024-007' });
    given([]).when(published(registered)).then([registered]);
    const state = foldCase(CASE_ID, [registered]);
    expect(state.status !== 'none' && state.reconsiderationCaseId).to.equal('R-2024-007');
  });

  it('leaves it null for a suit without one', () => {
    const state = foldCase(CASE_ID, [litigationRegistered]);
    expect(state.status !== 'none' && state.reconsiderationCaseId).to.equal(null);
  });

  it('rejects it on a case that is not a suit', () => {
    const civil = ev('ly-court', 'case.registered', { ...(civilRegistered.data as object), reconsiderationCaseId: 'R-2024-007' }, civilRegistered.time);
    given([]).when(published(civil)).thenRejects('invalid_data', /只适用于行政诉讼/);
  });

  it('rejects the case naming itself', () => {
    given([]).when(published(suit({ reconsiderationCaseId: CASE_ID }))).thenRejects('invalid_data', /本案自身/);
  });

  it('rejects an id that cannot be a case id', () => {
    given([]).when(published(suit({ reconsiderationCaseId: 'R 2024/7' }))).thenRejects('invalid_data');
  });
});

describe('copy notice recipients: the defendant’s 上一级主管部门 (supervisorId, revision 2)', () => {
  const withSupervisor: Agency[] = AGENCIES.map((a) => (a.id === 'ly-market' ? { ...a, level: 'city', supervisorId: 'ly-gov' } : a));
  const supervised: Agency[] = [
    ...AGENCIES,
    { id: 'ls-market', kind: 'government', name: '辽源市龙山区市场监督管理局', level: 'district', supervisorId: 'ly-market' },
  ];
  const ctxWith = (agencies: Agency[], recipients: string[]): DecisionContext => ({ ...ctx, agencies: new Map(agencies.map((a) => [a.id, a])), copyNoticeRecipients: recipients });

  it('adds the supervisor after the defendant, before the configured recipients', () => {
    expect(copyNoticeRecipients('ls-market', ctxWith(supervised, ['ly-justice']))).to.deep.equal(['ls-market', 'ly-market', 'ly-justice']);
  });

  it('names the supervisor once when it is also a configured recipient', () => {
    expect(copyNoticeRecipients('ly-market', ctxWith(withSupervisor, ['ly-gov', 'ly-justice']))).to.deep.equal(['ly-market', 'ly-gov', 'ly-justice']);
  });

  it('adds nobody for a defendant without a supervisor', () => {
    expect(copyNoticeRecipients('ly-market', ctxWith(AGENCIES as Agency[], ['ly-justice']))).to.deep.equal(['ly-market', 'ly-justice']);
  });

  it('issues the notice of a lost suit to the supervisor too', () => {
    const suit = ev('ly-court', 'case.registered', { ...(litigationRegistered.data as object), defendantAgencyId: 'ls-market' }, litigationRegistered.time);
    const lost = ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'agency_lost' }, at('2024-10-20'));
    const context = ctxWith(supervised, ['ly-justice']);
    const notice = ev(null, 'notice.issued', { noticeId: noticeIdFor(CASE_ID, { judgmentId: 'J1' }), reason: 'agency_lost', recipients: ['ls-market', 'ly-market', 'ly-justice'], trigger: 'judgment.issued' }, at('2024-10-20'));
    given([suit]).when(published(lost, { context })).then([lost, notice]);
  });
});
