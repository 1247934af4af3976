import { expect } from 'chai';
import { caseDecider, caseIdOfNotice, foldCase, noticeIdFor } from '../../../../domain/catalog/index.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import { CASE_ID, at, closed, ev, litigationRegistered, published } from '../support/fixtures.js';

const { given } = deciderSpec(caseDecider);

const lost = ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'agency_lost' }, at('2024-09-27'));
const NOTICE = noticeIdFor(CASE_ID, { judgmentId: 'J1' });
const issued = ev(null, 'notice.issued', { noticeId: NOTICE, reason: 'agency_lost', recipients: ['ly-market', 'ly-gov', 'ly-justice'], trigger: 'judgment.issued' }, at('2024-09-27'));
const ack = (source: string, noticeId = NOTICE) => ev(source, 'notice.acknowledged', { noticeId }, at('2024-09-30'));
const ISSUED = [litigationRegistered, lost, issued];

describe('case stream: copy notices (同步抄告)', () => {
  describe('notice issued', () => {
    it('keeps the notice with its recipients in the state', () => {
      const state = foldCase(CASE_ID, ISSUED);
      if (state.status === 'none') throw new Error('no case');
      expect(state.copyNotices[NOTICE]).to.deep.equal({
        id: NOTICE,
        reason: 'agency_lost',
        trigger: 'judgment.issued',
        recipients: ['ly-market', 'ly-gov', 'ly-justice'],
        issuedAt: at('2024-09-27'),
        acknowledgements: {},
      });
      expect(state.agencies).to.include.members(['ly-gov', 'ly-justice', 'ly-market']);
    });

    it('accepts the acknowledgement of a recipient', () => {
      given(ISSUED).when(published(ack('ly-market'))).then([ack('ly-market')]);
    });

    it('rejects an acknowledgement by an agency that is not a recipient', () => {
      given(ISSUED).when(published(ack('ly-court'))).thenRejects('invalid_transition', /不在其中/);
    });

    it('rejects an acknowledgement of an unknown notice', () => {
      given(ISSUED).when(published(ack('ly-market', 'C-2024-001/judgment/J9'))).thenRejects('invalid_transition', /J9/);
    });

    it('rejects an acknowledgement on an unknown case', () => {
      given([]).when(published(ack('ly-market'))).thenRejects('unknown_case');
    });

    it('rejects an acknowledgement without noticeId', () => {
      given(ISSUED).when(published(ev('ly-market', 'notice.acknowledged', {}))).thenRejects('invalid_data', /noticeId/);
    });

    it('accepts an acknowledgement after the case was closed', () => {
      given([...ISSUED, closed('ly-court')]).when(published(ack('ly-gov'))).then([ack('ly-gov')]);
    });
  });

  describe('notice acknowledged by one recipient', () => {
    const ACKED = [...ISSUED, ack('ly-market')];

    it('rejects a second acknowledgement by the same recipient', () => {
      given(ACKED).when(published(ack('ly-market'))).thenRejects('invalid_transition', /只签收一次/);
    });

    it('accepts the acknowledgement of another recipient', () => {
      given(ACKED).when(published(ack('ly-justice'))).then([ack('ly-justice')]);
    });

    it('records who acknowledged when', () => {
      const state = foldCase(CASE_ID, ACKED);
      expect(state.status !== 'none' && state.copyNotices[NOTICE]!.acknowledgements).to.deep.equal({ 'ly-market': at('2024-09-30') });
    });
  });

  describe('notice ids', () => {
    it('derive from the case id, and lead back to it', () => {
      expect(noticeIdFor('C:1.x', { judgmentId: 'J/2' })).to.equal('C:1.x/judgment/J/2');
      expect(noticeIdFor('C:1.x', 'reconsideration')).to.equal('C:1.x/reconsideration');
      expect(caseIdOfNotice('C:1.x/judgment/J/2')).to.equal('C:1.x');
      expect(caseIdOfNotice('no-slash')).to.equal(null);
    });
  });
});
