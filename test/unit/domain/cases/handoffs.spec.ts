import { expect } from 'chai';
import { PURPOSES, caseDecider, foldCase, type CaseCommand, type Handoff } from '../../../../domain/catalog/index.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import {
  CASE_ID,
  agency,
  at,
  ctx,
  civilRegistered,
  closed,
  criminalRegistered,
  ev,
  handoffEvent,
  handoffRequested,
  litigationRegistered,
  published,
} from '../support/fixtures.js';

const { given } = deciderSpec(caseDecider);

// A criminal case and a prosecution review from police to procuratorate, in every lifecycle state.
const requested = handoffRequested('ly-police', 'ly-proc', 'prosecution_review', 'h1', at('2024-09-13'), {
  documents: [{ title: '起诉意见书', sha256: 'a'.repeat(64) }],
});
const received = handoffEvent('ly-proc', 'handoff.received', 'h1', at('2024-09-14'));
const accepted = handoffEvent('ly-proc', 'handoff.accepted', 'h1', at('2024-09-15'));
const returned = handoffEvent('ly-proc', 'handoff.returned', 'h1', at('2024-09-16'), { reason: '证据不足，退回补充侦查' });
const extended = handoffEvent('ly-proc', 'handoff.extended', 'h1', at('2024-10-10'), { ground: 'major_complex', approvedBy: '检察长' });
// A revision-1 extension as stored before revision 2: no ground, its days added once.
const extendedV1 = handoffEvent('ly-proc', 'handoff.extended', 'h1', at('2024-10-10'), { days: 15, approvedBy: '检察长' });
const completed = handoffEvent('ly-proc', 'handoff.completed', 'h1', at('2024-10-12'), { outcome: 'prosecuted' });
const withdrawn = handoffEvent('ly-police', 'handoff.withdrawn', 'h1', at('2024-09-17'), { reason: '移送错误' });

const REQUESTED = [criminalRegistered, requested];
const RECEIVED = [...REQUESTED, received];
const ACCEPTED = [...RECEIVED, accepted];
const RETURNED = [...RECEIVED, returned];
const COMPLETED = [...ACCEPTED, completed];
const WITHDRAWN = [...REQUESTED, withdrawn];

const handoffOf = (events: Parameters<typeof foldCase>[1], id = 'h1'): Handoff => {
  const state = foldCase(CASE_ID, events);
  if (state.status === 'none') throw new Error('no case');
  return state.handoffs[id]!;
};

describe('case stream: handoffs', () => {
  describe('handoff.requested — open case', () => {
    const fitting: Record<string, [string, string, string]> = {
      prosecution_review: ['ly-police', 'ly-proc', 'prosecuted'],
      supplementary_investigation: ['ly-proc', 'ly-police', 'resubmitted'],
      public_prosecution: ['ly-proc', 'ly-court', 'judged'],
      entrusted_mediation: ['ly-court', 'ly-justice', 'mediated'],
      community_correction: ['ly-court', 'ly-justice', 'enrolled'],
      criminal_transfer: ['ly-market', 'ly-police', 'case_opened'],
      information_notice: ['ly-gov', 'ly-court', 'acknowledged'],
    };
    for (const [purpose, [from, to]] of Object.entries(fitting)) {
      it(`accepts ${purpose} from ${from} to ${to}`, () => {
        const event = handoffRequested(from, to, purpose);
        given([criminalRegistered]).when(published(event)).then([event]);
      });
    }

    it('accepts a criminal transfer from the justice bureau', () => {
      const event = handoffRequested('ly-justice', 'ly-police', 'criminal_transfer');
      given([criminalRegistered]).when(published(event)).then([event]);
    });

    it('rejects a sender whose kind does not fit the purpose (unauthorized)', () => {
      given([criminalRegistered]).when(published(handoffRequested('ly-court', 'ly-proc', 'prosecution_review'))).thenRejects('unauthorized', /移送审查起诉/);
    });

    it('rejects a receiver whose kind does not fit the purpose', () => {
      given([criminalRegistered]).when(published(handoffRequested('ly-police', 'ly-court', 'prosecution_review'))).thenRejects('invalid_transition', /接收机关应为/);
    });

    it('rejects a handoff to the sender itself', () => {
      given([criminalRegistered]).when(published(handoffRequested('ly-gov', 'ly-gov', 'information_notice'))).thenRejects('invalid_transition', /自身/);
    });

    it('rejects a receiver that is not configured', () => {
      given([criminalRegistered]).when(published(handoffRequested('ly-police', 'ly-nowhere', 'prosecution_review'))).thenRejects('unknown_agency');
    });

    it('rejects a handoffId already used in the case', () => {
      given(REQUESTED).when(published(handoffRequested('ly-police', 'ly-proc', 'prosecution_review'))).thenRejects('invalid_transition', /新的 handoffId/);
    });

    it('rejects an unknown purpose', () => {
      given([criminalRegistered]).when(published(handoffRequested('ly-police', 'ly-proc', 'arrest_approval'))).thenRejects('invalid_data');
    });

    it('rejects a document without a valid sha256', () => {
      const event = handoffRequested('ly-police', 'ly-proc', 'prosecution_review', 'h1', at('2024-09-13'), { documents: [{ title: '卷宗', sha256: 'xyz' }] });
      given([criminalRegistered]).when(published(event)).thenRejects('invalid_data');
    });

    it('accepts a new request after a return, pointing at it with previousHandoffId', () => {
      const again = handoffRequested('ly-police', 'ly-proc', 'prosecution_review', 'h2', at('2024-10-01'), { previousHandoffId: 'h1' });
      given(RETURNED).when(published(again)).then([again]);
    });

    it('rejects a previousHandoffId that is not in the case', () => {
      const again = handoffRequested('ly-police', 'ly-proc', 'prosecution_review', 'h2', at('2024-10-01'), { previousHandoffId: 'h9' });
      given(RETURNED).when(published(again)).thenRejects('invalid_transition', /previousHandoffId/);
    });

    it('records the handoff as REQUESTED with everything read models need', () => {
      expect(handoffOf(REQUESTED)).to.deep.equal({
        id: 'h1',
        from: 'ly-police',
        to: 'ly-proc',
        purpose: 'prosecution_review',
        status: 'REQUESTED',
        requestedAt: at('2024-09-13'),
        receivedAt: null,
        acceptedAt: null,
        completedAt: null,
        returnedAt: null,
        withdrawnAt: null,
        outcome: null,
        returnReason: null,
        withdrawReason: null,
        inCustody: false,
        procedure: null,
        possibleSentence: null,
        extensionDays: 0,
        extensions: [],
        extensionApprovedBy: null,
        extendedAt: null,
        previousHandoffId: null,
        documents: [{ title: '起诉意见书', sha256: 'a'.repeat(64) }],
        note: null,
      });
      const state = foldCase(CASE_ID, REQUESTED);
      expect(state.status !== 'none' && state.agencies).to.deep.equal(['ly-police', 'ly-proc']);
    });
  });

  describe('handoff.requested — no case / closed case', () => {
    it('rejects a request on an unknown case', () => {
      given([]).when(published(requested)).thenRejects('unknown_case');
    });

    it('rejects a request on a closed case', () => {
      given([criminalRegistered, closed('ly-police')]).when(published(requested)).thenRejects('invalid_transition', /结案/);
    });
  });

  describe('handoff REQUESTED', () => {
    it('accepts the receipt by the receiver', () => {
      given(REQUESTED).when(published(received)).then([received]);
    });

    it('rejects a receipt by an agency other than the receiver', () => {
      given(REQUESTED).when(published(handoffEvent('ly-police', 'handoff.received'))).thenRejects('invalid_transition', /接收机关/);
    });

    it('rejects a receipt for an unknown handoff', () => {
      given(REQUESTED).when(published(handoffEvent('ly-proc', 'handoff.received', 'h9'))).thenRejects('invalid_transition', /h9/);
    });

    it('rejects a receipt on an unknown case', () => {
      given([]).when(published(received)).thenRejects('unknown_case');
    });

    it('accepts an acceptance, which implies receipt at the same time', () => {
      given(REQUESTED).when(published(accepted)).then([accepted]);
      expect(handoffOf([...REQUESTED, accepted])).to.include({ status: 'ACCEPTED', receivedAt: at('2024-09-15'), acceptedAt: at('2024-09-15') });
    });

    it('accepts a return (补正)', () => {
      given(REQUESTED).when(published(returned)).then([returned]);
    });

    it('rejects a completion before receipt', () => {
      given(REQUESTED).when(published(completed)).thenRejects('invalid_transition', /尚未签收/);
    });

    it('rejects an extension before receipt', () => {
      given(REQUESTED).when(published(extended)).thenRejects('invalid_transition', /延长期限/);
    });

    it('accepts a withdrawal by the sender', () => {
      given(REQUESTED).when(published(withdrawn)).then([withdrawn]);
    });

    it('rejects a withdrawal by the receiver', () => {
      given(REQUESTED).when(published(handoffEvent('ly-proc', 'handoff.withdrawn', 'h1', at('2024-09-17'), { reason: '不要了' }))).thenRejects('invalid_transition', /移送机关/);
    });

    it('rejects a return without a reason', () => {
      given(REQUESTED).when(published(handoffEvent('ly-proc', 'handoff.returned'))).thenRejects('invalid_data', /reason/);
    });
  });

  describe('handoff RECEIVED', () => {
    it('records the signed receipt', () => {
      expect(handoffOf(RECEIVED)).to.include({ status: 'RECEIVED', receivedAt: at('2024-09-14'), acceptedAt: null });
    });

    it('rejects a second receipt', () => {
      given(RECEIVED).when(published(received)).thenRejects('invalid_transition', /重复签收/);
    });

    it('accepts the acceptance', () => {
      given(RECEIVED).when(published(accepted)).then([accepted]);
      expect(handoffOf([...RECEIVED, accepted])).to.include({ receivedAt: at('2024-09-14'), acceptedAt: at('2024-09-15') });
    });

    it('accepts a completion straight from receipt', () => {
      given(RECEIVED).when(published(completed)).then([completed]);
    });

    it('accepts a return', () => {
      given(RECEIVED).when(published(returned)).then([returned]);
    });

    it('accepts an extension within the allowance of the purpose', () => {
      given(RECEIVED).when(published(extended)).then([extended]);
    });

    it('accepts a withdrawal', () => {
      given(RECEIVED).when(published(withdrawn)).then([withdrawn]);
    });
  });

  describe('handoff ACCEPTED', () => {
    it('rejects a second acceptance', () => {
      given(ACCEPTED).when(published(accepted)).thenRejects('invalid_transition', /重复受理/);
    });

    it('rejects a receipt after acceptance', () => {
      given(ACCEPTED).when(published(received)).thenRejects('invalid_transition', /重复签收/);
    });

    it('accepts the completion', () => {
      given(ACCEPTED).when(published(completed)).then([completed]);
    });

    it('accepts a return', () => {
      given(ACCEPTED).when(published(returned)).then([returned]);
    });

    it('rejects an acceptance by an agency other than the receiver', () => {
      given(RECEIVED).when(published(handoffEvent('ly-court', 'handoff.accepted'))).thenRejects('invalid_transition', /接收机关/);
    });
  });

  describe('handoff.extended', () => {
    const ext = (source: string, handoffId: string, day: string, data: Record<string, unknown>) => handoffEvent(source, 'handoff.extended', handoffId, at(day), data);
    const trial = (extra: Record<string, unknown> = {}) => [
      criminalRegistered,
      handoffRequested('ly-proc', 'ly-court', 'public_prosecution', 'p1', at('2024-03-28'), extra),
      handoffEvent('ly-court', 'handoff.accepted', 'p1', at('2024-03-29')),
    ];
    const mediation = [civilRegistered, handoffRequested('ly-court', 'ly-justice', 'entrusted_mediation', 'm1'), handoffEvent('ly-justice', 'handoff.received', 'm1')];

    it('records the ground and who approved it', () => {
      expect(handoffOf([...RECEIVED, extended])).to.deep.include({
        extensionDays: 0,
        extensions: [{ ground: 'major_complex', days: null, approvedBy: '检察长', at: at('2024-10-10') }],
        extensionApprovedBy: '检察长',
        extendedAt: at('2024-10-10'),
      });
    });

    it('keeps a stored revision-1 extension: its days, no ground', () => {
      expect(handoffOf([...RECEIVED, extendedV1])).to.deep.include({
        extensionDays: 15,
        extensions: [{ ground: null, days: 15, approvedBy: '检察长', at: at('2024-10-10') }],
      });
    });

    it('rejects a second major_complex extension of a prosecution review (once)', () => {
      given([...RECEIVED, extended]).when(published(ext('ly-proc', 'h1', '2024-10-11', { ground: 'major_complex', approvedBy: '检察长' }))).thenRejects('invalid_transition', /只能延长一次/);
    });

    it('rejects major_complex after a stored revision-1 extension (that was the one extension)', () => {
      given([...RECEIVED, extendedV1]).when(published(extended)).thenRejects('invalid_transition', /只能延长一次/);
    });

    it('rejects major_complex for an expedited prosecution review (ordinary procedure only)', () => {
      const events = [criminalRegistered, handoffRequested('ly-police', 'ly-proc', 'prosecution_review', 'h1', at('2024-09-13'), { procedure: 'expedited' }), received];
      given(events).when(published(extended)).thenRejects('invalid_transition', /不能延长/);
    });

    it('rejects a ground the purpose does not have', () => {
      given(RECEIVED).when(published(ext('ly-proc', 'h1', '2024-10-10', { ground: 'third_month', approvedBy: '检察长' }))).thenRejects('invalid_transition', /重大复杂/);
    });

    it('extends a trial to the third month, then the upper court, then the Supreme People\'s Court as often as it approves', () => {
      const third = ext('ly-court', 'p1', '2024-05-20', { ground: 'third_month', approvedBy: '院长' });
      const upper = ext('ly-court', 'p1', '2024-06-20', { ground: 'upper_court', approvedBy: '吉林省高级人民法院' });
      const supreme1 = ext('ly-court', 'p1', '2024-09-20', { ground: 'supreme_court', days: 60, approvedBy: '最高人民法院' });
      const supreme2 = ext('ly-court', 'p1', '2024-11-15', { ground: 'supreme_court', days: 30, approvedBy: '最高人民法院' });
      given(trial()).when(published(third)).then([third]);
      given([...trial(), third]).when(published(upper)).then([upper]);
      given([...trial(), third, upper]).when(published(supreme1)).then([supreme1]);
      given([...trial(), third, upper, supreme1]).when(published(supreme2)).then([supreme2]);
    });

    it('rejects upper_court before third_month, and supreme_court before upper_court (order)', () => {
      given(trial()).when(published(ext('ly-court', 'p1', '2024-05-20', { ground: 'upper_court', approvedBy: '高院' }))).thenRejects('invalid_transition', /延长至三个月/);
      const third = ext('ly-court', 'p1', '2024-05-20', { ground: 'third_month', approvedBy: '院长' });
      given([...trial(), third]).when(published(ext('ly-court', 'p1', '2024-06-20', { ground: 'supreme_court', days: 30, approvedBy: '最高法' }))).thenRejects('invalid_transition', /上一级法院批准/);
    });

    it('rejects a second third_month and a second upper_court (once each)', () => {
      const third = ext('ly-court', 'p1', '2024-05-20', { ground: 'third_month', approvedBy: '院长' });
      const upper = ext('ly-court', 'p1', '2024-06-20', { ground: 'upper_court', approvedBy: '高院' });
      given([...trial(), third]).when(published(third)).thenRejects('invalid_transition', /只能延长一次/);
      given([...trial(), third, upper]).when(published(upper)).thenRejects('invalid_transition', /只能延长一次/);
    });

    it('extends an entrusted mediation with the parties\' consent any number of times', () => {
      const first = ext('ly-justice', 'm1', '2024-10-01', { ground: 'parties_consent', days: 15, approvedBy: '双方当事人' });
      const second = ext('ly-justice', 'm1', '2024-10-20', { ground: 'parties_consent', days: 90, approvedBy: '双方当事人' });
      given(mediation).when(published(first)).then([first]);
      given([...mediation, first]).when(published(second)).then([second]);
    });

    it('rejects parties_consent without days, or with more than 90 (invalid data)', () => {
      given(mediation).when(published(ext('ly-justice', 'm1', '2024-10-01', { ground: 'parties_consent', approvedBy: '双方当事人' }))).thenRejects('invalid_data');
      given(mediation).when(published(ext('ly-justice', 'm1', '2024-10-01', { ground: 'parties_consent', days: 91, approvedBy: '双方当事人' }))).thenRejects('invalid_data');
    });

    it('rejects an extension for a purpose without one', () => {
      const events = [litigationRegistered, handoffRequested('ly-court', 'ly-gov', 'litigation_response', 'r1'), handoffEvent('ly-gov', 'handoff.received', 'r1')];
      given(events).when(published(ext('ly-gov', 'r1', '2024-09-20', { ground: 'parties_consent', days: 5, approvedBy: '局长' }))).thenRejects('invalid_transition', /不能延长/);
    });

    // Version 1 published with dataschema urn:liandong:handoff.extended:1: the data passed the version-1 schema, the
    // decider sees a command without ground (built here as the ingest would, after that schema check).
    const version1 = (event: ReturnType<typeof handoffEvent>) => (): CaseCommand => ({
      type: 'ExtendHandoff',
      caseId: CASE_ID,
      by: agency(event.source!),
      time: event.time,
      data: event.data,
      context: ctx,
    }) as unknown as CaseCommand;

    it('accepts a version-1 extension once, within the old 15 days of a prosecution review', () => {
      given(RECEIVED).when(version1(extendedV1)).then([extendedV1]);
      given([...RECEIVED, extended]).when(version1(extendedV1)).thenRejects('invalid_transition', /只能延长一次/);
      given(RECEIVED).when(version1(ext('ly-proc', 'h1', '2024-10-10', { days: 16, approvedBy: '检察长' }))).thenRejects('invalid_transition', /15 日/);
    });

    it('rejects a version-2 extension without ground as invalid data', () => {
      given(RECEIVED).when(published(extendedV1)).thenRejects('invalid_data', /ground/);
    });

    it('rejects an extension without approvedBy as invalid data', () => {
      given(RECEIVED).when(published(ext('ly-proc', 'h1', '2024-10-10', { ground: 'major_complex' }))).thenRejects('invalid_data');
    });

    it('rejects an extension by an agency other than the receiver', () => {
      given(RECEIVED).when(published(ext('ly-police', 'h1', '2024-10-10', { ground: 'major_complex', approvedBy: '局长' }))).thenRejects('invalid_transition', /接收机关/);
    });

    it('rejects an extension after completion', () => {
      given(COMPLETED).when(published(extended)).thenRejects('invalid_transition');
    });
  });

  describe('handoff.requested — custody and procedure', () => {
    it('accepts a prosecution review in custody, expedited, with a possible sentence over one year', () => {
      const event = handoffRequested('ly-police', 'ly-proc', 'prosecution_review', 'h1', at('2024-09-13'), { inCustody: true, procedure: 'expedited', possibleSentence: 'over_1y' });
      given([criminalRegistered]).when(published(event)).then([event]);
      expect(handoffOf([criminalRegistered, event])).to.include({ inCustody: true, procedure: 'expedited', possibleSentence: 'over_1y' });
    });

    it('rejects inCustody on a purpose that carries no suspect (invalid data)', () => {
      given([civilRegistered]).when(published(handoffRequested('ly-court', 'ly-justice', 'entrusted_mediation', 'm1', at('2024-09-13'), { inCustody: true }))).thenRejects('invalid_data', /在押/);
    });

    it('rejects procedure on a purpose whose clock has none (invalid data)', () => {
      given([litigationRegistered]).when(published(handoffRequested('ly-court', 'ly-gov', 'litigation_response', 'r1', at('2024-09-13'), { procedure: 'simplified' }))).thenRejects('invalid_data', /procedure/);
    });

    it('rejects the simplified procedure for a prosecution review (no such period in Art. 172)', () => {
      given([criminalRegistered]).when(published(handoffRequested('ly-police', 'ly-proc', 'prosecution_review', 'h1', at('2024-09-13'), { procedure: 'simplified' }))).thenRejects('invalid_data', /简易程序/);
    });
  });

  describe('handoff.completed', () => {
    for (const [purpose, info] of Object.entries(PURPOSES)) {
      for (const outcome of info.outcomes) {
        it(`accepts outcome ${outcome} for ${purpose}`, () => {
          const from = purpose === 'criminal_transfer' ? 'ly-market' : { police: 'ly-police', procuratorate: 'ly-proc', court: 'ly-court', justice: 'ly-justice', government: 'ly-gov' }[info.from[0]!]!;
          const to = { police: 'ly-police', procuratorate: 'ly-proc', court: 'ly-court-ls', justice: 'ly-justice', government: 'ly-market' }[info.to[0]!]!;
          const events = [criminalRegistered, handoffRequested(from, to, purpose, 'x1'), handoffEvent(to, 'handoff.received', 'x1')];
          const completion = handoffEvent(to, 'handoff.completed', 'x1', at('2024-09-20'), { outcome });
          given(events).when(published(completion)).then([completion]);
        });
      }
    }

    it('rejects an outcome that does not fit the purpose', () => {
      given(RECEIVED).when(published(handoffEvent('ly-proc', 'handoff.completed', 'h1', at('2024-10-01'), { outcome: 'mediated' }))).thenRejects('invalid_data', /移送审查起诉/);
    });

    it('rejects an outcome outside the catalog', () => {
      given(RECEIVED).when(published(handoffEvent('ly-proc', 'handoff.completed', 'h1', at('2024-10-01'), { outcome: 'done' }))).thenRejects('invalid_data');
    });

    it('rejects a completion by an agency other than the receiver', () => {
      given(RECEIVED).when(published(handoffEvent('ly-police', 'handoff.completed', 'h1', at('2024-10-01'), { outcome: 'prosecuted' }))).thenRejects('invalid_transition', /接收机关/);
    });

    it('records the completion', () => {
      expect(handoffOf(COMPLETED)).to.include({ status: 'COMPLETED', completedAt: at('2024-10-12'), outcome: 'prosecuted' });
    });
  });

  describe('handoff COMPLETED', () => {
    it('rejects a second completion', () => {
      given(COMPLETED).when(published(completed)).thenRejects('invalid_transition', /重复办结/);
    });

    it('rejects a return after completion', () => {
      given(COMPLETED).when(published(returned)).thenRejects('invalid_transition');
    });

    it('rejects a withdrawal after completion', () => {
      given(COMPLETED).when(published(withdrawn)).thenRejects('invalid_transition', /办结后不能撤回/);
    });

    it('rejects a receipt after completion', () => {
      given(COMPLETED).when(published(received)).thenRejects('invalid_transition');
    });
  });

  describe('handoff RETURNED', () => {
    it('records the return reason', () => {
      expect(handoffOf(RETURNED)).to.include({ status: 'RETURNED', returnedAt: at('2024-09-16'), returnReason: '证据不足，退回补充侦查' });
    });

    it('rejects a second return', () => {
      given(RETURNED).when(published(returned)).thenRejects('invalid_transition');
    });

    it('rejects a completion of a returned handoff', () => {
      given(RETURNED).when(published(completed)).thenRejects('invalid_transition');
    });

    it('rejects an acceptance of a returned handoff', () => {
      given(RETURNED).when(published(accepted)).thenRejects('invalid_transition');
    });

    it('accepts a withdrawal by the sender', () => {
      given(RETURNED).when(published(withdrawn)).then([withdrawn]);
    });
  });

  describe('handoff WITHDRAWN', () => {
    it('rejects a second withdrawal', () => {
      given(WITHDRAWN).when(published(withdrawn)).thenRejects('invalid_transition', /重复撤回/);
    });

    it('rejects a receipt of a withdrawn handoff', () => {
      given(WITHDRAWN).when(published(received)).thenRejects('invalid_transition', /已撤回/);
    });

    it('records the withdrawal', () => {
      expect(handoffOf(WITHDRAWN)).to.include({ status: 'WITHDRAWN', withdrawnAt: at('2024-09-17'), withdrawReason: '移送错误' });
    });
  });

  describe('handoffs of a closed case', () => {
    it('still accepts the follow-ups of a handoff requested before closing', () => {
      given([...REQUESTED, closed('ly-police')]).when(published(received)).then([received]);
      given([...RECEIVED, closed('ly-police')]).when(published(completed)).then([completed]);
    });
  });

  it('lists every agency that published or received something', () => {
    const state = foldCase(CASE_ID, [litigationRegistered, handoffRequested('ly-court', 'ly-justice', 'entrusted_mediation'), ev('ly-justice', 'handoff.received', { handoffId: 'h1' })]);
    expect(state.status !== 'none' && state.agencies).to.deep.equal(['ly-court', 'ly-market', 'ly-justice']);
  });
});
