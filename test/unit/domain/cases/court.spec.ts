import { expect } from 'chai';
import { caseDecider, foldCase, noticeIdFor, type DecisionContext } from '../../../../domain/catalog/index.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import {
  CASE_ID,
  at,
  civilRegistered,
  closed,
  criminalRegistered,
  ctx,
  ev,
  handoffEvent,
  handoffRequested,
  litigationRegistered,
  published,
} from '../support/fixtures.js';

const { given } = deciderSpec(caseDecider);

const scheduled = ev('ly-court', 'hearing.scheduled', { hearingId: 'H1', at: at('2024-10-15', '09:30'), observers: ['ly-market', 'ly-justice'] }, at('2024-09-20'));
const held = ev('ly-court', 'hearing.held', { hearingId: 'H1', agencyHeadAppeared: true, observerAgencies: ['ly-justice'] }, at('2024-10-15', '12:00'));
const judgment = (outcome: string, judgmentId = 'J1', extra: Record<string, unknown> = {}, time = at('2024-10-20')) =>
  ev('ly-court', 'judgment.issued', { judgmentId, outcome, ...extra }, time);
const noticeFor = (judgmentId: string, recipients: string[], time = at('2024-10-20')) =>
  ev(null, 'notice.issued', { noticeId: noticeIdFor(CASE_ID, { judgmentId }), reason: 'agency_lost', recipients, trigger: 'judgment.issued' }, time);

describe('case stream: court facts', () => {
  describe('hearing.scheduled', () => {
    it('accepts a hearing with invited observers', () => {
      given([litigationRegistered]).when(published(scheduled)).then([scheduled]);
    });

    it('rejects a hearing scheduled by a procuratorate (kind not in "by")', () => {
      given([litigationRegistered]).when(published(ev('ly-proc', 'hearing.scheduled', { hearingId: 'H1', at: at('2024-10-15') }))).thenRejects('unauthorized');
    });

    it('rejects an observer that is not configured', () => {
      given([litigationRegistered]).when(published(ev('ly-court', 'hearing.scheduled', { hearingId: 'H1', at: at('2024-10-15'), observers: ['ly-x'] }))).thenRejects('unknown_agency', /ly-x/);
    });

    it('rejects a hearing time without an offset', () => {
      given([litigationRegistered]).when(published(ev('ly-court', 'hearing.scheduled', { hearingId: 'H1', at: '2024-10-15T09:30:00' }))).thenRejects('invalid_data', /at/);
    });

    it('rejects a hearing on an unknown case', () => {
      given([]).when(published(scheduled)).thenRejects('unknown_case');
    });

    it('rejects a hearing on a closed case', () => {
      given([litigationRegistered, closed('ly-court')]).when(published(scheduled)).thenRejects('invalid_transition', /结案/);
    });

    it('reschedules a hearing that has not been held (改期)', () => {
      const moved = ev('ly-court', 'hearing.scheduled', { hearingId: 'H1', at: at('2024-10-22', '09:30') }, at('2024-10-01'));
      given([litigationRegistered, scheduled]).when(published(moved)).then([moved]);
      const state = foldCase(CASE_ID, [litigationRegistered, scheduled, moved]);
      expect(state.status !== 'none' && state.hearings.H1!.at).to.equal(at('2024-10-22', '09:30'));
    });

    it('rejects rescheduling a hearing already held', () => {
      given([litigationRegistered, scheduled, held]).when(published(scheduled)).thenRejects('invalid_transition', /已于.*开庭/);
    });

    it('involves the invited observers in the case', () => {
      const state = foldCase(CASE_ID, [litigationRegistered, scheduled]);
      expect(state.status !== 'none' && state.agencies).to.deep.equal(['ly-court', 'ly-market', 'ly-justice']);
    });
  });

  describe('hearing.held', () => {
    it('accepts the hearing held as scheduled', () => {
      given([litigationRegistered, scheduled]).when(published(held)).then([held]);
      const state = foldCase(CASE_ID, [litigationRegistered, scheduled, held]);
      expect(state.status !== 'none' && state.hearings.H1).to.include({ held: true, heldAt: at('2024-10-15', '12:00'), agencyHeadAppeared: true });
    });

    it('rejects a hearing that was never scheduled', () => {
      given([litigationRegistered]).when(published(held)).thenRejects('invalid_transition', /尚未排期/);
    });

    it('rejects recording the same hearing twice', () => {
      given([litigationRegistered, scheduled, held]).when(published(held)).thenRejects('invalid_transition', /重复记录/);
    });

    it('rejects observer agencies that are not configured', () => {
      given([litigationRegistered, scheduled]).when(published(ev('ly-court', 'hearing.held', { hearingId: 'H1', observerAgencies: ['nobody'] }))).thenRejects('unknown_agency');
    });

    it('rejects a hearing held on a closed case', () => {
      given([litigationRegistered, scheduled, closed('ly-court')]).when(published(held)).thenRejects('invalid_transition');
    });

    it('rejects a hearing held published by the police', () => {
      given([litigationRegistered, scheduled]).when(published(ev('ly-police', 'hearing.held', { hearingId: 'H1' }))).thenRejects('unauthorized');
    });

    it('rejects a non-boolean agencyHeadAppeared', () => {
      given([litigationRegistered, scheduled]).when(published(ev('ly-court', 'hearing.held', { hearingId: 'H1', agencyHeadAppeared: 'yes' }))).thenRejects('invalid_data');
    });
  });

  describe('judgment.issued — administrative litigation', () => {
    for (const outcome of ['agency_won', 'dismissed', 'withdrawn', 'mediated']) {
      it(`accepts ${outcome} without a copy notice`, () => {
        given([litigationRegistered]).when(published(judgment(outcome))).then([judgment(outcome)]);
      });
    }

    it('accepts agency_lost and records a copy notice to the defendant and the configured recipients', () => {
      given([litigationRegistered]).when(published(judgment('agency_lost'))).then([judgment('agency_lost'), noticeFor('J1', ['ly-market', 'ly-gov', 'ly-justice'])]);
    });

    it('gives the copy notice a deterministic id derived from case and judgment', () => {
      const [, first] = given([litigationRegistered]).when(published(judgment('agency_lost'))).then([judgment('agency_lost'), noticeFor('J1', ['ly-market', 'ly-gov', 'ly-justice'])]);
      const [, again] = caseDecider.decide(published(judgment('agency_lost'))(), foldCase(CASE_ID, [litigationRegistered]));
      expect(again).to.deep.equal(first);
      expect((first!.data as { noticeId: string }).noticeId).to.equal('C-2024-001/judgment/J1');
    });

    it('lists each recipient once and only configured ones', () => {
      const context: DecisionContext = { ...ctx, copyNoticeRecipients: ['ly-justice', 'ly-market', 'ly-gone', 'ly-justice'] };
      given([litigationRegistered])
        .when(published(judgment('agency_lost'), { context }))
        .then([judgment('agency_lost'), noticeFor('J1', ['ly-market', 'ly-justice'])]);
    });

    it('records a second notice for a second lost judgment (二审), never for the same one', () => {
      const first = judgment('agency_lost', 'J1');
      const second = judgment('agency_lost', 'J2', {}, at('2024-12-01'));
      given([litigationRegistered, first, noticeFor('J1', ['ly-market', 'ly-gov', 'ly-justice'])])
        .when(published(second))
        .then([second, noticeFor('J2', ['ly-market', 'ly-gov', 'ly-justice'], at('2024-12-01'))]);
    });

    it('rejects a judgmentId already used in the case (so a notice can never be doubled)', () => {
      given([litigationRegistered, judgment('agency_lost'), noticeFor('J1', ['ly-market'])]).when(published(judgment('agency_lost'))).thenRejects('invalid_transition', /J1/);
    });

    it('rejects a criminal outcome on an administrative litigation', () => {
      given([litigationRegistered]).when(published(judgment('convicted'))).thenRejects('invalid_data', /行政诉讼/);
    });

    it('records the judgment in the state', () => {
      const state = foldCase(CASE_ID, [litigationRegistered, judgment('agency_won', 'J1', { effectiveAt: '2024-11-05' })]);
      expect(state.status !== 'none' && state.judgment).to.deep.equal({
        id: 'J1',
        outcome: 'agency_won',
        effectiveAt: '2024-11-05',
        communityCorrection: false,
        issuedAt: at('2024-10-20'),
        issuedBy: 'ly-court',
      });
    });
  });

  describe('judgment.issued — other kinds', () => {
    it('accepts convicted with community correction on a criminal case', () => {
      const event = judgment('convicted', 'J1', { communityCorrection: true, effectiveAt: '2024-10-30' });
      given([criminalRegistered]).when(published(event)).then([event]);
    });

    it('accepts acquitted on a criminal case', () => {
      given([criminalRegistered]).when(published(judgment('acquitted'))).then([judgment('acquitted')]);
    });

    it('rejects agency_lost on a criminal case', () => {
      given([criminalRegistered]).when(published(judgment('agency_lost'))).thenRejects('invalid_data', /刑事/);
    });

    it('accepts decided on a civil dispute', () => {
      given([civilRegistered]).when(published(judgment('decided'))).then([judgment('decided')]);
    });

    it('rejects convicted on a civil dispute', () => {
      given([civilRegistered]).when(published(judgment('convicted'))).thenRejects('invalid_data');
    });

    it('rejects an effectiveAt that is not a real date', () => {
      given([criminalRegistered]).when(published(judgment('convicted', 'J1', { effectiveAt: '2024-02-30' }))).thenRejects('invalid_data', /effectiveAt/);
    });

    it('rejects a judgment on an unknown case', () => {
      given([]).when(published(judgment('decided'))).thenRejects('unknown_case');
    });

    it('rejects a judgment on a closed case', () => {
      given([civilRegistered, closed('ly-court', 'withdrawn')]).when(published(judgment('decided'))).thenRejects('invalid_transition');
    });

    it('rejects a judgment published by a procuratorate', () => {
      given([criminalRegistered]).when(published(ev('ly-proc', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted' }))).thenRejects('unauthorized');
    });
  });

  describe('judicial_confirmation.decided', () => {
    const mediation = [
      civilRegistered,
      handoffRequested('ly-court', 'ly-justice', 'entrusted_mediation', 'm1', at('2024-09-13')),
      handoffEvent('ly-justice', 'handoff.received', 'm1', at('2024-09-13')),
    ];
    const mediated = [...mediation, handoffEvent('ly-justice', 'handoff.completed', 'm1', at('2024-10-08'), { outcome: 'mediated' })];
    const confirmation = ev('ly-court', 'judicial_confirmation.decided', { granted: true }, at('2024-10-10'));

    it('accepts a confirmation after a successful entrusted mediation', () => {
      given(mediated).when(published(confirmation)).then([confirmation]);
      const state = foldCase(CASE_ID, [...mediated, confirmation]);
      expect(state.status !== 'none' && state.judicialConfirmation).to.deep.equal({ granted: true, decidedAt: at('2024-10-10'), decidedBy: 'ly-court' });
    });

    it('rejects a confirmation without any mediation', () => {
      given([civilRegistered]).when(published(confirmation)).thenRejects('invalid_transition', /entrusted_mediation/);
    });

    it('rejects a confirmation while the mediation is still running', () => {
      given(mediation).when(published(confirmation)).thenRejects('invalid_transition');
    });

    it('rejects a confirmation after a failed mediation', () => {
      given([...mediation, handoffEvent('ly-justice', 'handoff.completed', 'm1', at('2024-10-08'), { outcome: 'failed' })]).when(published(confirmation)).thenRejects('invalid_transition');
    });

    it('rejects a second confirmation', () => {
      given([...mediated, confirmation]).when(published(confirmation)).thenRejects('invalid_transition', /重复/);
    });

    it('accepts a confirmation after the case was closed', () => {
      given([...mediated, closed('ly-court', 'resolved_substantively')]).when(published(confirmation)).then([confirmation]);
    });

    it('rejects a confirmation by the justice bureau', () => {
      given(mediated).when(published(ev('ly-justice', 'judicial_confirmation.decided', { granted: true }))).thenRejects('unauthorized');
    });

    it('rejects a confirmation without granted', () => {
      given(mediated).when(published(ev('ly-court', 'judicial_confirmation.decided', {}))).thenRejects('invalid_data', /granted/);
    });

    it('rejects a confirmation on an unknown case', () => {
      given([]).when(published(confirmation)).thenRejects('unknown_case');
    });
  });
});
