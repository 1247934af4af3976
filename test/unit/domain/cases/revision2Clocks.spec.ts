import { caseDecider } from '../../../../domain/catalog/index.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import { at, criminalRegistered, ev, litigationRegistered, published, reconsiderationRegistered } from '../support/fixtures.js';

const { given } = deciderSpec(caseDecider);

describe('case stream: revision-2 clock events', () => {
  describe('reconsideration.extended / suspended / resumed (行政复议法 Art. 39, 62)', () => {
    const registered = reconsiderationRegistered();
    const extended = (days = 30) => ev('ly-justice', 'reconsideration.extended', { days, approvedBy: '司法局局长' }, at('2024-06-28'));
    const suspended = ev('ly-justice', 'reconsideration.suspended', { reason: '等待鉴定结论' }, at('2024-05-20'));
    const resumed = ev('ly-justice', 'reconsideration.resumed', {}, at('2024-06-03'));

    it('extends an ordinary-procedure case once', () => {
      given([registered]).when(published(extended())).then([extended()]);
      given([registered, extended()]).when(published(extended(5))).thenRejects('invalid_transition', /只能延长一次/);
    });

    it('refuses to extend a simplified-procedure case (简易程序)', () => {
      given([reconsiderationRegistered({ procedure: 'simplified' })]).when(published(extended())).thenRejects('invalid_transition', /简易程序/);
    });

    it('refuses extension, suspension and resumption after the decision', () => {
      const decided = ev('ly-justice', 'reconsideration.decided', { decision: 'upheld' }, at('2024-06-20'));
      given([registered, decided]).when(published(extended())).thenRejects('invalid_transition', /不再延长/);
      given([registered, decided]).when(published(suspended)).thenRejects('invalid_transition', /不再中止/);
    });

    it('suspends, refuses a second suspension, and resumes only a suspended case', () => {
      given([registered]).when(published(suspended)).then([suspended]);
      given([registered, suspended]).when(published(suspended)).thenRejects('invalid_transition', /不能再次中止/);
      given([registered]).when(published(resumed)).thenRejects('invalid_transition', /没有中止/);
      given([registered, suspended]).when(published(resumed)).then([resumed]);
    });

    it('refuses them on a case of another kind', () => {
      given([litigationRegistered]).when(published(suspended)).thenRejects('invalid_transition', /不是行政复议案件/);
    });
  });

  describe('suggestion.served / suggestion.received', () => {
    const issued = ev('ly-court', 'suggestion.issued', { suggestionId: 'S1', to: 'ly-market', category: 'judicial', summary: '建议' }, at('2024-07-26'));
    const served = (source = 'ly-court') => ev(source, 'suggestion.served', { suggestionId: 'S1', servedAt: '2024-07-31' }, at('2024-08-01'));
    const received = (source = 'ly-market') => ev(source, 'suggestion.received', { suggestionId: 'S1' }, at('2024-08-02'));

    it('the issuer serves it once; no one else may', () => {
      given([litigationRegistered, issued]).when(published(served())).then([served()]);
      given([litigationRegistered, issued]).when(published(served('ly-market'))).thenRejects('invalid_transition', /只有发出机关/);
      given([litigationRegistered, issued, served()]).when(published(served())).thenRejects('invalid_transition', /只能报告一次/);
    });

    it('the 被建议单位 signs for it once; no one else may', () => {
      given([litigationRegistered, issued]).when(published(received())).then([received()]);
      given([litigationRegistered, issued]).when(published(received('ly-court'))).thenRejects('invalid_transition', /被建议单位/);
      given([litigationRegistered, issued, received()]).when(published(received())).thenRejects('invalid_transition', /不能重复签收/);
    });

    it('a 行政复议意见书 comes from a justice bureau; replyDays only on an urgent 检察建议', () => {
      const opinion = ev('ly-justice', 'suggestion.issued', { suggestionId: 'S2', to: 'ly-market', category: 'reconsideration_opinion', summary: '意见书' }, at('2024-05-06'));
      given([reconsiderationRegistered()]).when(published(opinion)).then([opinion]);
      const notUrgent = ev('ly-proc', 'suggestion.issued', { suggestionId: 'S3', to: 'ly-market', category: 'procuratorial', summary: '建议', replyDays: 10 }, at('2024-05-06'));
      given([litigationRegistered]).when(published(notUrgent)).thenRejects('invalid_data', /replyDays/);
    });
  });

  describe('judgment.effective', () => {
    const issued = ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted', communityCorrection: true }, at('2024-09-13'));
    const effective = ev('ly-court', 'judgment.effective', { judgmentId: 'J1', effectiveAt: '2024-09-28' }, at('2024-09-29'));
    it('records the effective date once, of a judgment the case has', () => {
      given([criminalRegistered, issued]).when(published(effective)).then([effective]);
      given([criminalRegistered, issued, effective]).when(published(effective)).thenRejects('invalid_transition', /不能重复/);
      given([criminalRegistered]).when(published(effective)).thenRejects('invalid_transition', /没有编号为「J1」的裁判/);
    });
  });
});
