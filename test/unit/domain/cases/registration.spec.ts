import { expect } from 'chai';
import { caseDecider, foldCase, type CaseState } from '../../../../domain/catalog/index.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import {
  CASE_ID,
  at,
  civilRegistered,
  closed,
  criminalRegistered,
  ev,
  litigationRegistered,
  person,
  published,
  reconsiderationRegistered,
} from '../support/fixtures.js';

const { given } = deciderSpec(caseDecider);

describe('case stream: registration, closing, self-correction', () => {
  describe('case.registered — no case yet', () => {
    it('records the registration unchanged', () => {
      given([]).when(published(litigationRegistered)).then([litigationRegistered]);
    });

    for (const [kind, extra] of [
      ['administrative_litigation', { defendantAgencyId: 'ly-market' }],
      ['administrative_reconsideration', { defendantAgencyId: 'ly-market' }],
      ['civil_dispute', {}],
      ['criminal', {}],
      ['public_interest', {}],
      ['government_dispute', { major: true, defendantAgencyId: 'ly-gov', responsibleAgencyId: 'ly-gov', arisenAt: '2024-09-10' }],
    ] as const) {
      it(`registers a ${kind} case`, () => {
        const registered = ev('ly-court', 'case.registered', { kind, title: '案件', parties: [person('甲', 'applicant')], ...extra });
        given([]).when(published(registered)).then([registered]);
      });
    }

    it('rejects an administrative litigation without defendantAgencyId', () => {
      const { defendantAgencyId: _omit, ...data } = litigationRegistered.data;
      given([]).when(published(ev('ly-court', 'case.registered', data))).thenRejects('invalid_data', /defendantAgencyId/);
    });

    it('rejects an administrative reconsideration without defendantAgencyId', () => {
      const { defendantAgencyId: _omit, ...data } = reconsiderationRegistered().data;
      given([]).when(published(ev('ly-justice', 'case.registered', data))).thenRejects('invalid_data', /defendantAgencyId/);
    });

    it('rejects a defendant agency that is not configured', () => {
      given([])
        .when(published(ev('ly-court', 'case.registered', { ...litigationRegistered.data, defendantAgencyId: 'ly-nowhere' })))
        .thenRejects('unknown_agency', /ly-nowhere/);
    });

    it('rejects a defendant agency that is not a government agency', () => {
      given([])
        .when(published(ev('ly-court', 'case.registered', { ...litigationRegistered.data, defendantAgencyId: 'ly-police' })))
        .thenRejects('invalid_transition', /行政机关/);
    });

    it('rejects a registration without parties', () => {
      given([]).when(published(ev('ly-court', 'case.registered', { ...litigationRegistered.data, parties: [] }))).thenRejects('invalid_data');
    });

    it('rejects an unknown case kind', () => {
      given([]).when(published(ev('ly-court', 'case.registered', { ...civilRegistered.data, kind: 'tax' }))).thenRejects('invalid_data', /kind/);
    });

    it('rejects a party with an unknown role', () => {
      given([])
        .when(published(ev('ly-court', 'case.registered', { ...civilRegistered.data, parties: [{ name: '甲', role: 'judge', type: 'person' }] })))
        .thenRejects('invalid_data');
    });

    it('rejects fields the catalog does not define', () => {
      given([]).when(published(ev('ly-court', 'case.registered', { ...civilRegistered.data, secret: 1 }))).thenRejects('invalid_data', /secret/);
    });

    it('builds the case state from the registration', () => {
      const state = foldCase(CASE_ID, [litigationRegistered]);
      expect(state).to.include({
        status: 'open',
        id: CASE_ID,
        kind: 'administrative_litigation',
        title: '张某诉辽源市市场监督管理局行政处罚案',
        caseNumber: '(2024)吉04行初12号',
        registeredBy: 'ly-court',
        registeredAt: at('2024-09-01'),
        defendantAgencyId: 'ly-market',
        privateEnterprise: false,
        fastTrack: false,
        major: false,
        closedAt: null,
      });
      expect(state.status !== 'none' && state.agencies).to.deep.equal(['ly-court', 'ly-market']);
    });

    it('derives privateEnterprise from a private-enterprise party unless the flag is published', () => {
      const parties = [{ name: '吉林某民营公司', role: 'applicant', type: 'private_enterprise' }];
      const derived = foldCase(CASE_ID, [reconsiderationRegistered({ parties })]) as Extract<CaseState, { status: 'open' }>;
      expect(derived.privateEnterprise).to.equal(true);
      const explicit = foldCase(CASE_ID, [reconsiderationRegistered({ parties, privateEnterprise: false })]) as Extract<CaseState, { status: 'open' }>;
      expect(explicit.privateEnterprise).to.equal(false);
    });
  });

  describe('case.registered — case exists', () => {
    it('rejects a second registration of the same case', () => {
      given([litigationRegistered]).when(published(litigationRegistered)).thenRejects('case_exists', /C-2024-001/);
    });

    it('rejects a registration of a closed case id', () => {
      given([civilRegistered, closed('ly-court')]).when(published(civilRegistered)).thenRejects('case_exists');
    });
  });

  describe('case.closed — open case', () => {
    it('closes the case when the registering agency publishes it', () => {
      const event = closed('ly-court', 'resolved_substantively');
      given([civilRegistered]).when(published(event)).then([event]);
    });

    it('rejects closing by an agency other than the registering one', () => {
      given([civilRegistered]).when(published(closed('ly-justice'))).thenRejects('invalid_transition', /登记该案件的机关/);
    });

    it('rejects an outcome outside the catalog', () => {
      given([civilRegistered]).when(published(closed('ly-court', 'settled'))).thenRejects('invalid_data');
    });

    it('records the closing in the state', () => {
      const state = foldCase(CASE_ID, [civilRegistered, ev('ly-court', 'case.closed', { outcome: 'withdrawn', note: '原告撤诉' }, at('2024-11-01'))]);
      expect(state).to.include({ status: 'closed', closedAt: at('2024-11-01'), closedBy: 'ly-court', outcome: 'withdrawn', closeNote: '原告撤诉' });
    });
  });

  describe('case.closed — no case / closed case', () => {
    it('rejects closing an unknown case', () => {
      given([]).when(published(closed('ly-court'))).thenRejects('unknown_case', /case\.registered/);
    });

    it('rejects a second closing', () => {
      given([civilRegistered, closed('ly-court')]).when(published(closed('ly-court'))).thenRejects('invalid_transition', /重复结案/);
    });
  });

  describe('self_correction.reported', () => {
    const report = (source: string, agencyId = 'ly-market') => ev(source, 'self_correction.reported', { agencyId, action: '撤销原处罚决定并退还罚款' });

    it('accepts a report by a government agency', () => {
      given([litigationRegistered]).when(published(report('ly-market'))).then([report('ly-market')]);
    });

    it('accepts a report by the justice bureau', () => {
      given([litigationRegistered]).when(published(report('ly-justice'))).then([report('ly-justice')]);
    });

    it('rejects a report by a court (kind not in "by")', () => {
      given([litigationRegistered]).when(published(report('ly-court'))).thenRejects('unauthorized');
    });

    it('rejects a report on an unknown case', () => {
      given([]).when(published(report('ly-market'))).thenRejects('unknown_case');
    });

    it('rejects a report on a closed case', () => {
      given([litigationRegistered, closed('ly-court')]).when(published(report('ly-market'))).thenRejects('invalid_transition', /已于.*结案/);
    });

    it('rejects an agencyId that is not configured', () => {
      given([litigationRegistered]).when(published(report('ly-market', 'ly-xx'))).thenRejects('unknown_agency', /ly-xx/);
    });

    it('keeps the self-corrections in the state', () => {
      const state = foldCase(CASE_ID, [litigationRegistered, report('ly-market')]);
      expect(state.status !== 'none' && state.selfCorrections).to.deep.equal([
        { agencyId: 'ly-market', action: '撤销原处罚决定并退还罚款', reportedBy: 'ly-market', reportedAt: at('2024-09-13') },
      ]);
    });
  });

  it('ignores events of types it does not know (forward compatibility)', () => {
    const state = foldCase(CASE_ID, [criminalRegistered, ev('ly-police', 'something.new', {})]);
    expect(state).to.deep.equal(foldCase(CASE_ID, [criminalRegistered]));
  });
});
