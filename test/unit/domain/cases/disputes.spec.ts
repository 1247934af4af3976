import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY } from '../../../../domain/deadlines/index.js';
import {
  accountabilityReviewsOf,
  caseDecider,
  caseDeadlines,
  describeEvent,
  disputeFiling,
  disputeOf,
  foldCase,
  noticeIdFor,
  rectificationsOf,
  type ExistingCase,
} from '../../../../domain/catalog/index.js';
import { chineseDaysCalendar } from '../../../../infra/calendar/chineseDays.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import { CASE_ID, at, closed, directory, ev, litigationRegistered, published, reconsiderationRegistered } from '../support/fixtures.js';

const { given } = deciderSpec(caseDecider);
const deps = { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY };

/** 备案 of a dispute by the responsible department (主管单位), the state enterprise handling it (承办单位) named */
const disputeRegistered = (extra: Record<string, unknown> = {}, time = at('2024-09-05')) =>
  ev(
    'ly-market',
    'case.registered',
    {
      kind: 'government_dispute',
      title: '某建设公司诉市城投公司建设工程施工合同纠纷',
      caseNumber: '辽府法备〔2024〕7号',
      parties: [
        { name: '吉林某建设工程有限公司', role: 'plaintiff', type: 'private_enterprise' },
        { name: '辽源市城市建设投资集团有限公司', role: 'defendant', type: 'state_enterprise' },
      ],
      responsibleAgencyId: 'ly-market',
      handlingUnit: '辽源市城市建设投资集团有限公司',
      amount: 3_200_000,
      arisenAt: '2024-09-02',
      major: true,
      ...extra,
    },
    time,
  );
const registered = disputeRegistered();
const consulted = (source = 'ly-justice', participants: string[] = ['ly-market', 'ly-court'], time = at('2024-09-20')) =>
  ev(source, 'dispute.consulted', { opinion: '建议积极应诉，同时争取诉前调解', participants }, time);
const concluded = (outcome: string, extra: Record<string, unknown> = {}, source = 'ly-market', time = at('2024-11-15')) =>
  ev(source, 'dispute.concluded', { outcome, ...extra }, time);
const reviewed = (extra: Record<string, unknown> = {}, source = 'ly-justice', time = at('2024-11-25')) =>
  ev(source, 'accountability.reviewed', { agencyId: 'ly-market', finding: 'fault_found', measures: '对合同管理责任人诫勉谈话', ...extra }, time);
const ordered = (extra: Record<string, unknown> = {}, source = 'ly-justice', time = at('2024-11-28')) =>
  ev(source, 'rectification.ordered', { rectificationId: 'r1', to: 'ly-market', summary: '健全合同审查制度，三个月内报送整改报告', dueDate: '2025-02-28', ...extra }, time);
const completed = (extra: Record<string, unknown> = {}, source = 'ly-market', time = at('2025-02-20')) =>
  ev(source, 'rectification.completed', { rectificationId: 'r1', summary: '已修订合同管理办法并组织培训', ...extra }, time);

const folded = (events: Parameters<typeof foldCase>[1]): ExistingCase => {
  const state = foldCase(CASE_ID, events);
  if (state.status === 'none') throw new Error('no case');
  return state;
};

describe('case stream: legal disputes of state organs and state enterprises (涉党政机关、国有企业法律纠纷, revision 2)', () => {
  describe('case.registered of kind government_dispute (备案)', () => {
    it('accepts a registration naming the responsible agency and the day the dispute arose', () => {
      given([]).when(published(registered)).then([registered]);
    });

    it('records the 主管单位, 承办单位, amount and arisenAt, and makes the responsible agency party to the case', () => {
      const state = folded([disputeRegistered({ responsibleAgencyId: 'ly-env' })]);
      expect(disputeOf(state)).to.deep.equal({
        responsibleAgencyId: 'ly-env',
        handlingUnit: '辽源市城市建设投资集团有限公司',
        amount: 3_200_000,
        arisenAt: '2024-09-02',
        consultations: [],
        conclusion: null,
      });
      expect(state.agencies).to.deep.equal(['ly-market', 'ly-env']);
    });

    for (const field of ['responsibleAgencyId', 'arisenAt']) {
      it(`rejects a government dispute without ${field} (invalid_data)`, () => {
        const data = { ...(registered.data as Record<string, unknown>) };
        delete data[field];
        given([]).when(published(ev('ly-market', 'case.registered', data, at('2024-09-05')))).thenRejects('invalid_data', new RegExp(field));
      });
    }

    it('rejects a responsible agency that is not configured (unknown_agency)', () => {
      given([]).when(published(disputeRegistered({ responsibleAgencyId: 'ly-nowhere' }))).thenRejects('unknown_agency', /responsibleAgencyId/);
    });

    it('rejects a negative amount (invalid_data)', () => {
      given([]).when(published(disputeRegistered({ amount: -1 }))).thenRejects('invalid_data', /amount/);
    });

    it('rejects dispute fields on a case of another kind (invalid_data)', () => {
      const data = { ...(litigationRegistered.data as Record<string, unknown>), arisenAt: '2024-09-01' };
      given([]).when(published(ev('ly-court', 'case.registered', data, at('2024-09-01')))).thenRejects('invalid_data', /government_dispute/);
    });

    it('reads a registration stored under revision 1 (no responsible agency, no arisenAt) with the registering agency as responsible', () => {
      const revision1 = ev('ly-gov', 'case.registered', { kind: 'government_dispute', title: '市政府与某建设公司工程款纠纷', parties: [{ name: '某建设集团有限公司', role: 'plaintiff', type: 'state_enterprise' }], major: true }, at('2024-09-05'));
      const dispute = disputeOf(folded([revision1]));
      expect(dispute).to.include({ responsibleAgencyId: 'ly-gov', arisenAt: null });
      expect(disputeFiling(dispute!, at('2024-09-05'), deps)).to.equal(null);
    });
  });

  describe('dispute filing period (备案, deadlines.md: 5 working days from arisenAt)', () => {
    // arisen 2024-09-27 (Friday): 09-29 (make-up workday), 09-30, 10-08, 10-09, 10-10
    it('is due 2024-10-10 for a dispute arisen 2024-09-27, and registration that day is on time', () => {
      expect(disputeFiling({ arisenAt: '2024-09-27' }, at('2024-10-10', '17:00'), deps)).to.deep.equal({ dueDate: '2024-10-10', provisional: false, late: false });
    });

    it('counts a registration the day after as late', () => {
      expect(disputeFiling({ arisenAt: '2024-09-27' }, at('2024-10-11'), deps)).to.include({ late: true });
    });

    it('follows the configured number of working days', () => {
      expect(disputeFiling({ arisenAt: '2024-09-27' }, at('2024-10-11'), { ...deps, policy: { ...DEFAULT_DEADLINE_POLICY, disputeFilingWorkingDays: 10 } })).to.include({
        dueDate: '2024-10-16',
        late: false,
      });
    });
  });

  describe('dispute.consulted (会商研判)', () => {
    it('accepts a consultation by the justice bureau and records it, its participants becoming party to the case', () => {
      given([registered]).when(published(consulted())).then([consulted()]);
      const state = folded([registered, consulted()]);
      expect(disputeOf(state)!.consultations).to.deep.equal([{ opinion: '建议积极应诉，同时争取诉前调解', participants: ['ly-market', 'ly-court'], consultedBy: 'ly-justice', consultedAt: at('2024-09-20') }]);
      expect(state.agencies).to.include('ly-court');
    });

    it('accepts a consultation by a government agency, and more than one', () => {
      const second = consulted('ly-gov', ['ly-justice'], at('2024-10-08'));
      given([registered, consulted()]).when(published(second)).then([second]);
      expect(disputeOf(folded([registered, consulted(), second]))!.consultations).to.have.length(2);
    });

    it('rejects a consultation published by a court (unauthorized)', () => {
      given([registered]).when(published(consulted('ly-court'))).thenRejects('unauthorized');
    });

    it('rejects a participant that is not configured (unknown_agency)', () => {
      given([registered]).when(published(consulted('ly-justice', ['ly-market', 'ly-nowhere']))).thenRejects('unknown_agency', /participants/);
    });

    it('rejects a consultation without participants (invalid_data)', () => {
      given([registered]).when(published(consulted('ly-justice', []))).thenRejects('invalid_data');
    });

    it('rejects a consultation on a case that is not a government dispute', () => {
      given([litigationRegistered]).when(published(consulted())).thenRejects('invalid_transition', /government_dispute/);
    });

    it('rejects a consultation on a closed case', () => {
      given([registered, closed('ly-market', 'resolved_substantively')]).when(published(consulted())).thenRejects('invalid_transition', /结案/);
    });

    it('rejects a consultation on an unknown case', () => {
      given([]).when(published(consulted())).thenRejects('unknown_case');
    });
  });

  describe('dispute.concluded (结果与损失)', () => {
    it('accepts a loss reported by the registering agency, with its loss amount', () => {
      const event = concluded('lost', { lossAmount: 1_250_000 });
      given([registered]).when(published(event)).then([event]);
      expect(disputeOf(folded([registered, event]))!.conclusion).to.deep.equal({ outcome: 'lost', lossAmount: 1_250_000, concludedBy: 'ly-market', concludedAt: at('2024-11-15') });
    });

    it('accepts an outcome reported by the justice bureau', () => {
      const event = concluded('mediated', {}, 'ly-justice');
      given([registered]).when(published(event)).then([event]);
    });

    it('accepts the outcome after the case was closed', () => {
      const event = concluded('partially_lost', { lossAmount: 80_000 });
      given([registered, closed('ly-market', 'judged')]).when(published(event)).then([event]);
    });

    it('rejects an outcome from another agency than the registering one or a justice bureau', () => {
      given([registered]).when(published(concluded('won', {}, 'ly-env'))).thenRejects('invalid_transition', /登记（备案）该纠纷的机关/);
    });

    it('rejects a second outcome', () => {
      given([registered, concluded('lost')]).when(published(concluded('won'))).thenRejects('invalid_transition', /只能报告一次/);
    });

    for (const outcome of ['won', 'withdrawn']) {
      it(`rejects a loss amount with the outcome ${outcome} (invalid_data)`, () => {
        given([registered]).when(published(concluded(outcome, { lossAmount: 1000 }))).thenRejects('invalid_data', /lossAmount/);
      });
    }

    it('rejects an unknown outcome and a negative loss (invalid_data)', () => {
      given([registered]).when(published(concluded('lost_badly'))).thenRejects('invalid_data');
      given([registered]).when(published(concluded('lost', { lossAmount: -5 }))).thenRejects('invalid_data');
    });

    it('rejects an outcome on a case that is not a government dispute', () => {
      given([litigationRegistered]).when(published(concluded('lost', {}, 'ly-court'))).thenRejects('invalid_transition', /government_dispute/);
    });
  });

  describe('accountability.reviewed (责任倒查)', () => {
    for (const outcome of ['lost', 'partially_lost']) {
      it(`accepts a review after a dispute ${outcome}`, () => {
        given([registered, concluded(outcome)]).when(published(reviewed())).then([reviewed()]);
      });
    }

    it('accepts a review after a suit the agency lost', () => {
      const lost = ev('ly-court', 'judgment.issued', { judgmentId: 'j1', outcome: 'agency_lost' }, at('2024-11-01'));
      const notice = ev(null, 'notice.issued', { noticeId: noticeIdFor(CASE_ID, { judgmentId: 'j1' }), reason: 'agency_lost', recipients: ['ly-market', 'ly-gov', 'ly-justice'], trigger: 'judgment.issued' }, at('2024-11-01'));
      given([litigationRegistered, lost, notice]).when(published(reviewed())).then([reviewed()]);
    });

    it('accepts a review after a corrective reconsideration decision', () => {
      const decided = ev('ly-justice', 'reconsideration.decided', { decision: 'revoked' }, at('2024-06-20'));
      const notice = ev(null, 'notice.issued', { noticeId: noticeIdFor(CASE_ID, 'reconsideration'), reason: 'reconsideration_corrected', recipients: ['ly-market', 'ly-gov', 'ly-justice'], trigger: 'reconsideration.decided' }, at('2024-06-20'));
      given([reconsiderationRegistered(), decided, notice]).when(published(reviewed())).then([reviewed()]);
    });

    it('records the review and makes the reviewed agency party to the case', () => {
      const state = folded([registered, concluded('lost'), reviewed({ agencyId: 'ly-env' })]);
      expect(accountabilityReviewsOf(state)).to.deep.equal([{ agencyId: 'ly-env', finding: 'fault_found', measures: '对合同管理责任人诫勉谈话', reviewedBy: 'ly-justice', reviewedAt: at('2024-11-25') }]);
      expect(state.agencies).to.include('ly-env');
    });

    it('rejects a review of a dispute not yet concluded, or won', () => {
      given([registered]).when(published(reviewed())).thenRejects('invalid_transition', /责任倒查/);
      given([registered, concluded('won')]).when(published(reviewed())).thenRejects('invalid_transition', /责任倒查/);
    });

    it('rejects a review by a government agency (unauthorized)', () => {
      given([registered, concluded('lost')]).when(published(reviewed({}, 'ly-gov'))).thenRejects('unauthorized');
    });

    it('rejects an agency that is not configured and an unknown finding', () => {
      given([registered, concluded('lost')]).when(published(reviewed({ agencyId: 'ly-nowhere' }))).thenRejects('unknown_agency');
      given([registered, concluded('lost')]).when(published(reviewed({ finding: 'maybe' }))).thenRejects('invalid_data');
    });
  });

  describe('rectification.ordered (以案促管整改)', () => {
    it('accepts an order by the justice bureau and records it', () => {
      given([registered]).when(published(ordered())).then([ordered()]);
      expect(rectificationsOf(folded([registered, ordered()]))['r1']).to.deep.equal({
        id: 'r1',
        from: 'ly-justice',
        to: 'ly-market',
        summary: '健全合同审查制度，三个月内报送整改报告',
        dueDate: '2025-02-28',
        orderedAt: at('2024-11-28'),
        completedAt: null,
        completionSummary: null,
      });
    });

    it('accepts an order by a government agency, on a closed case too', () => {
      const event = ordered({ to: 'ly-env' }, 'ly-gov');
      given([registered, closed('ly-market', 'judged')]).when(published(event)).then([event]);
    });

    it('rejects an order addressed to its sender', () => {
      given([registered]).when(published(ordered({ to: 'ly-justice' }))).thenRejects('invalid_transition', /自身/);
    });

    it('rejects a second order with the same id', () => {
      given([registered, ordered()]).when(published(ordered({ to: 'ly-env' }))).thenRejects('invalid_transition', /r1/);
    });

    it('rejects an addressee that is not configured (unknown_agency)', () => {
      given([registered]).when(published(ordered({ to: 'ly-nowhere' }))).thenRejects('unknown_agency');
    });

    it('rejects a due date before the day of the order (invalid_data)', () => {
      given([registered]).when(published(ordered({ dueDate: '2024-11-27' }))).thenRejects('invalid_data', /dueDate/);
    });

    it('rejects an order by a court (unauthorized) and on an unknown case', () => {
      given([registered]).when(published(ordered({}, 'ly-court'))).thenRejects('unauthorized');
      given([]).when(published(ordered())).thenRejects('unknown_case');
    });
  });

  describe('rectification.completed', () => {
    it('accepts the completion reported by the addressee', () => {
      given([registered, ordered()]).when(published(completed())).then([completed()]);
      expect(rectificationsOf(folded([registered, ordered(), completed()]))['r1']).to.include({ completedAt: at('2025-02-20'), completionSummary: '已修订合同管理办法并组织培训' });
    });

    it('rejects a completion reported by another agency', () => {
      given([registered, ordered()]).when(published(completed({}, 'ly-justice'))).thenRejects('invalid_transition', /负责/);
    });

    it('rejects a second completion', () => {
      given([registered, ordered(), completed()]).when(published(completed())).thenRejects('invalid_transition', /只能报告一次/);
    });

    it('rejects a completion of a rectification the case does not have', () => {
      given([registered]).when(published(completed())).thenRejects('invalid_transition', /r1/);
    });
  });

  describe('rectification clock (deadlines.md: until its dueDate, no holiday shift)', () => {
    it('is a case deadline rectification:<id>, due on the date ordered even on a Sunday', () => {
      const sunday = ordered({ dueDate: '2024-12-29' });
      expect(caseDeadlines(folded([registered, sunday]), deps)).to.deep.equal([
        { name: 'rectification:r1', dueDate: '2024-12-29', provisional: false, suspended: false, metAt: null, stoppedAt: null },
      ]);
    });

    it('stops on completion, after the case was closed too', () => {
      const state = folded([registered, ordered(), closed('ly-market', 'judged'), completed()]);
      expect(caseDeadlines(state, deps)).to.deep.equal([
        { name: 'rectification:r1', dueDate: '2025-02-28', provisional: false, suspended: false, metAt: at('2025-02-20'), stoppedAt: at('2025-02-20') },
      ]);
    });
  });

  describe('timeline summaries', () => {
    it('says each new fact in Chinese', () => {
      expect(describeEvent(registered, directory)).to.include('主管单位 辽源市市场监督管理局').and.include('标的额 320 万元');
      expect(describeEvent(consulted(), directory)).to.equal('辽源市司法局 组织会商研判（参加单位 辽源市市场监督管理局、辽源市中级人民法院）：建议积极应诉，同时争取诉前调解');
      expect(describeEvent(concluded('partially_lost', { lossAmount: 80_000 }), directory)).to.equal('辽源市市场监督管理局 报告纠纷结果：部分败诉，损失 8 万元');
      expect(describeEvent(reviewed(), directory)).to.equal('辽源市司法局 对 辽源市市场监督管理局 责任倒查：发现过错，追责措施：对合同管理责任人诫勉谈话');
      expect(describeEvent(ordered(), directory)).to.equal('辽源市司法局 要求 辽源市市场监督管理局 整改（r1），限 2025-02-28 前完成：健全合同审查制度，三个月内报送整改报告');
      expect(describeEvent(completed(), directory)).to.equal('辽源市市场监督管理局 报告整改完成（r1）：已修订合同管理办法并组织培训');
    });
  });
});
