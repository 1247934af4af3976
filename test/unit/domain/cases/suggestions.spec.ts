import { expect } from 'chai';
import { caseDecider, foldCase } from '../../../../domain/catalog/index.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import { CASE_ID, at, closed, ev, litigationRegistered, published } from '../support/fixtures.js';

const { given } = deciderSpec(caseDecider);

const issued = (source = 'ly-court', category = 'judicial', extra: Record<string, unknown> = {}) =>
  ev(source, 'suggestion.issued', { suggestionId: 'S1', to: 'ly-market', category, summary: '规范行政处罚程序', ...extra }, at('2024-07-31'));
const replied = (source = 'ly-market') => ev(source, 'suggestion.replied', { suggestionId: 'S1', adopted: true, summary: '已整改' }, at('2024-09-10'));

describe('case stream: suggestions (司法建议 / 检察建议)', () => {
  describe('suggestion.issued', () => {
    it('accepts a judicial suggestion from a court', () => {
      given([litigationRegistered]).when(published(issued())).then([issued()]);
    });

    it('accepts a procuratorial suggestion from a procuratorate', () => {
      given([litigationRegistered]).when(published(issued('ly-proc', 'procuratorial'))).then([issued('ly-proc', 'procuratorial')]);
    });

    it('accepts an urgent public-interest suggestion from a procuratorate', () => {
      const event = issued('ly-proc', 'public_interest', { urgent: true });
      given([litigationRegistered]).when(published(event)).then([event]);
    });

    it('rejects a procuratorial suggestion from a court (category not allowed for the kind)', () => {
      given([litigationRegistered]).when(published(issued('ly-court', 'procuratorial'))).thenRejects('unauthorized', /检察建议/);
    });

    it('rejects a judicial suggestion from a procuratorate', () => {
      given([litigationRegistered]).when(published(issued('ly-proc', 'judicial'))).thenRejects('unauthorized');
    });

    it('rejects a suggestion from a government agency (kind not in "by")', () => {
      given([litigationRegistered]).when(published(issued('ly-gov', 'judicial'))).thenRejects('unauthorized');
    });

    it('rejects a suggestion addressed to the issuer itself', () => {
      given([litigationRegistered]).when(published(issued('ly-court', 'judicial', { to: 'ly-court' }))).thenRejects('invalid_transition', /自身/);
    });

    it('rejects an addressee that is not configured', () => {
      given([litigationRegistered]).when(published(issued('ly-court', 'judicial', { to: 'ly-zzz' }))).thenRejects('unknown_agency');
    });

    it('rejects a suggestionId already used in the case', () => {
      given([litigationRegistered, issued()]).when(published(issued())).thenRejects('invalid_transition', /S1/);
    });

    it('rejects an unknown category', () => {
      given([litigationRegistered]).when(published(issued('ly-court', 'advisory'))).thenRejects('invalid_data');
    });

    it('rejects a suggestion on an unknown case', () => {
      given([]).when(published(issued())).thenRejects('unknown_case');
    });

    it('accepts a suggestion after the case was closed (司法建议 often follow the judgment)', () => {
      given([litigationRegistered, closed('ly-court')]).when(published(issued())).then([issued()]);
    });

    it('records the suggestion and involves the addressee', () => {
      const state = foldCase(CASE_ID, [litigationRegistered, issued('ly-proc', 'public_interest', { urgent: true, to: 'ly-env' })]);
      if (state.status === 'none') throw new Error('no case');
      expect(state.suggestions.S1).to.deep.equal({
        id: 'S1',
        from: 'ly-proc',
        to: 'ly-env',
        category: 'public_interest',
        summary: '规范行政处罚程序',
        urgent: true,
        replyDays: null,
        issuedAt: at('2024-07-31'),
        receivedAt: null,
        servedAt: null,
        repliedAt: null,
        adopted: null,
        replySummary: null,
      });
      expect(state.agencies).to.include.members(['ly-proc', 'ly-env']);
    });
  });

  describe('suggestion.replied', () => {
    it('accepts the reply of the addressee', () => {
      given([litigationRegistered, issued()]).when(published(replied())).then([replied()]);
      const state = foldCase(CASE_ID, [litigationRegistered, issued(), replied()]);
      expect(state.status !== 'none' && state.suggestions.S1).to.include({ repliedAt: at('2024-09-10'), adopted: true, replySummary: '已整改' });
    });

    it('rejects a reply by an agency other than the addressee', () => {
      given([litigationRegistered, issued()]).when(published(replied('ly-gov'))).thenRejects('invalid_transition', /只有该机关可以回复/);
    });

    it('rejects a second reply', () => {
      given([litigationRegistered, issued(), replied()]).when(published(replied())).thenRejects('invalid_transition', /只能回复一次/);
    });

    it('rejects a reply to an unknown suggestion', () => {
      given([litigationRegistered]).when(published(replied())).thenRejects('invalid_transition', /S1/);
    });

    it('rejects a reply without adopted', () => {
      given([litigationRegistered, issued()]).when(published(ev('ly-market', 'suggestion.replied', { suggestionId: 'S1', summary: '收到' }))).thenRejects('invalid_data', /adopted/);
    });

    it('accepts a reply after the case was closed', () => {
      given([litigationRegistered, issued(), closed('ly-court')]).when(published(replied())).then([replied()]);
    });

    it('rejects a reply on an unknown case', () => {
      given([]).when(published(replied())).thenRejects('unknown_case');
    });
  });
});
