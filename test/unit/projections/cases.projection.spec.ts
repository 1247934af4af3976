import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { CASES, CaseIndex, casesProjection, type CaseDoc, type CaseProjectionContext } from '../../../projections/cases/cases.projection.js';
import { POSITION_FIELD, projectEvents } from '../../../projections/projection.js';
import { at, eventLog, demoCityEvents } from './support.js';
import { caseDeadlines, evolveCase, linkedCase, type CaseState, type LinkedCase } from '../../../domain/catalog/index.js';
import { boardDocId, HANDOFF_BOARD, handoffBoardProjection, type HandoffBoardDoc } from '../../../projections/handoffBoard/handoffBoard.projection.js';
import { indexesOf } from '../../../projections/cases/cases.projection.js';

// Given stored events → then the case document and the index entries the gateway finds it by.

const ctx: CaseProjectionContext = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };

interface Projected {
  doc: CaseDoc & { [POSITION_FIELD]: string };
  indexes: Record<string, readonly string[]>;
}

function project(events: readonly RecordedEvent[], caseId: string): Projected | undefined {
  return projectEvents(casesProjection, events, ctx).get(CASES)?.get(caseId) as Projected | undefined;
}

function projectOne(events: readonly RecordedEvent[], caseId: string): Projected {
  const found = project(events, caseId);
  if (!found) throw new Error(`no case document ${caseId}`);
  return found;
}

const deadline = (p: Projected, name: string) => p.doc.deadlines.find((d) => d.name === name);

/** a case's handoff, whole and with its clock: the handoff board's document of it (the case keeps its link) */
function boardOf(events: readonly RecordedEvent[], caseId: string, handoffId: string): HandoffBoardDoc {
  const doc = projectEvents(handoffBoardProjection, events, ctx).get(HANDOFF_BOARD)?.get(boardDocId(caseId, handoffId))?.doc;
  if (!doc) throw new Error(`no board document ${caseId}/${handoffId}`);
  return doc as HandoffBoardDoc;
}

const person = (name: string, role: string) => ({ name, role, type: 'person' });

describe('cases projection', () => {
  describe('case.registered', () => {
    it('creates the document with the registration, the position and the indexes a query finds it by', () => {
      const e = eventLog();
      const registered = e(
        'case-XJ-L1',
        'ly-court',
        'case.registered',
        {
          kind: 'administrative_litigation',
          title: '张某诉市市场监督管理局行政处罚案',
          caseNumber: '(2024)吉04行初12号',
          parties: [person('张某', 'plaintiff'), { name: '市市场监督管理局', role: 'defendant', type: 'agency' }],
          defendantAgencyId: 'ly-market',
        },
        at('2024-09-01'),
      );
      const p = projectOne([registered], 'XJ-L1');
      expect(p.doc.state).to.include({
        status: 'open',
        id: 'XJ-L1',
        kind: 'administrative_litigation',
        title: '张某诉市市场监督管理局行政处罚案',
        caseNumber: '(2024)吉04行初12号',
        registeredBy: 'ly-court',
        registeredAt: at('2024-09-01'),
        defendantAgencyId: 'ly-market',
        privateEnterprise: false,
        major: false,
      });
      expect(p.doc.state.agencies).to.deep.equal(['ly-court', 'ly-market']);
      expect(p.doc[POSITION_FIELD]).to.equal(registered.position.toString());
      expect(p.doc.state.handoffs).to.deep.equal({});
      expect(p.doc.deadlines).to.deep.equal([]);
      expect(p.indexes).to.deep.equal({
        [CaseIndex.all]: ['1'],
        [CaseIndex.agency]: ['ly-court', 'ly-market'],
        [CaseIndex.kind]: ['administrative_litigation'],
        [CaseIndex.status]: ['OPEN'],
        [CaseIndex.defendant]: ['ly-market'],
        [CaseIndex.handoffTo]: [],
        [CaseIndex.handoffFrom]: [],
        [CaseIndex.suggestionTo]: [],
        [CaseIndex.suggestionFrom]: [],
        [CaseIndex.noticeRecipient]: [],
        [CaseIndex.has]: [],
      });
    });

    it('starts the reconsideration clock: 30 days for a private enterprise (→ 2024-06-05), 60 days otherwise (→ 2024-07-05)', () => {
      const e = eventLog();
      const registration = (caseId: string, parties: unknown[]) =>
        e(
          `case-${caseId}`,
          'ly-justice',
          'case.registered',
          { kind: 'administrative_reconsideration', title: '不服行政处罚申请复议案', parties, defendantAgencyId: 'ly-market' },
          at('2024-05-06'),
        );
      const events = [
        registration('R-PE', [{ name: '某科技有限公司', role: 'applicant', type: 'private_enterprise' }]),
        registration('R-P', [person('王某', 'applicant')]),
      ];
      const enterprise = projectOne(events, 'R-PE');
      const person_ = projectOne(events, 'R-P');
      expect(enterprise.doc.state.privateEnterprise).to.equal(true);
      expect(enterprise.doc.deadlines).to.deep.equal([
        { name: 'reconsideration_decision', dueDate: '2024-06-05', provisional: false, suspended: false, metAt: null, stoppedAt: null },
      ]);
      expect(person_.doc.deadlines).to.deep.equal([
        { name: 'reconsideration_decision', dueDate: '2024-07-05', provisional: false, suspended: false, metAt: null, stoppedAt: null },
      ]);
    });

    it('keeps a second registration of the same case from changing the document', () => {
      const e = eventLog();
      const first = e('case-C1', 'ly-court', 'case.registered', { kind: 'civil_dispute', title: '买卖合同纠纷', parties: [person('甲', 'applicant')] }, at('2024-09-01'));
      const second = e('case-C1', 'ly-proc', 'case.registered', { kind: 'criminal', title: '另一个标题', parties: [person('乙', 'suspect')] }, at('2024-09-02'));
      const p = projectOne([first, second], 'C1');
      expect(p.doc.state).to.include({ title: '买卖合同纠纷', registeredBy: 'ly-court', kind: 'civil_dispute' });
    });

    it('ignores events of other streams (meetings) and events before a registration', () => {
      const e = eventLog();
      const meeting = e('meeting-m1', 'ly-justice', 'action_item.completed', { actionId: 'm1:A1' }, at('2024-09-01'));
      const orphan = e('case-C9', 'ly-court', 'handoff.requested', { handoffId: 'h1', to: 'ly-justice', purpose: 'entrusted_mediation' }, at('2024-09-01'));
      const result = projectEvents(casesProjection, [meeting, orphan], ctx);
      expect(result.get(CASES)?.size ?? 0).to.equal(0);
    });
  });

  describe('handoff lifecycle', () => {
    const e = eventLog();
    const registered = e('case-M1', 'ly-court', 'case.registered', { kind: 'civil_dispute', title: '王某与赵某买卖合同纠纷', parties: [person('王某', 'applicant')] }, at('2024-09-10'));
    const requested = e('case-M1', 'ly-court', 'handoff.requested', { handoffId: 'h1', to: 'ly-justice', purpose: 'entrusted_mediation' }, at('2024-09-12'));
    const received = e('case-M1', 'ly-justice', 'handoff.received', { handoffId: 'h1' }, at('2024-09-13', '10:30'));
    const completed = e('case-M1', 'ly-justice', 'handoff.completed', { handoffId: 'h1', outcome: 'mediated' }, at('2024-10-16'));

    it('keeps the request as the handoff’s link; no due date while the clock has not started (requested, not yet received)', () => {
      const p = projectOne([registered, requested], 'M1');
      expect(p.doc.state.handoffs).to.deep.equal({
        h1: { id: 'h1', from: 'ly-court', to: 'ly-justice', purpose: 'entrusted_mediation', requestedAt: at('2024-09-12'), receivedAt: null },
      });
      expect(boardOf([registered, requested], 'M1', 'h1')).to.deep.include({ caseId: 'M1', deadline: null });
      expect(boardOf([registered, requested], 'M1', 'h1').handoff).to.include({ status: 'REQUESTED' });
      expect(p.doc.state.agencies).to.deep.equal(['ly-court', 'ly-justice']);
      expect(p.indexes[CaseIndex.handoffTo]).to.deep.equal(['ly-justice']);
      expect(p.indexes[CaseIndex.handoffFrom]).to.deep.equal(['ly-court']);
      expect(p.indexes[CaseIndex.agency]).to.deep.equal(['ly-court', 'ly-justice']);
      expect(p.indexes[CaseIndex.has]).to.deep.equal(['handoffs']);
    });

    it('entrusted_mediation received 2024-09-13: 30 days → Sunday 10-13 → due 2024-10-14', () => {
      const p = projectOne([registered, requested, received], 'M1');
      expect(p.doc.state.handoffs['h1']).to.include({ receivedAt: at('2024-09-13', '10:30') });
      const board = boardOf([registered, requested, received], 'M1', 'h1');
      expect(board.handoff).to.include({ status: 'RECEIVED', receivedAt: at('2024-09-13', '10:30') });
      expect(board.deadline).to.include({ dueDate: '2024-10-14', provisional: false, metAt: null, stoppedAt: null });
      expect(p.doc[POSITION_FIELD]).to.equal(received.position.toString());
    });

    it('completion stops the clock (late here: 10-16 after 10-14) and records the outcome; the case, whose link it leaves as it was, is not written', () => {
      const p = projectOne([registered, requested, received, completed], 'M1');
      const board = boardOf([registered, requested, received, completed], 'M1', 'h1');
      expect(board.handoff).to.include({ status: 'COMPLETED', outcome: 'mediated', completedAt: at('2024-10-16') });
      expect(board.deadline).to.include({ dueDate: '2024-10-14', metAt: at('2024-10-16'), stoppedAt: at('2024-10-16') });
      expect(p.doc[POSITION_FIELD]).to.equal(received.position.toString());
      expect(p).to.deep.equal(projectOne([registered, requested, received], 'M1'));
    });

    it('prosecution_review received 2024-01-31 is due 2024-02-29, extended 15 days → 2024-03-15', () => {
      const log = eventLog();
      const events = [
        log('case-K1', 'ly-police', 'case.registered', { kind: 'criminal', title: '李某盗窃案', parties: [person('李某', 'suspect')] }, at('2024-01-20')),
        log('case-K1', 'ly-police', 'handoff.requested', { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review' }, at('2024-01-30')),
        log('case-K1', 'ly-proc', 'handoff.received', { handoffId: 'h1' }, at('2024-01-31')),
      ];
      expect(boardOf(events, 'K1', 'h1').deadline?.dueDate).to.equal('2024-02-29');
      events.push(log('case-K1', 'ly-proc', 'handoff.extended', { handoffId: 'h1', days: 15, approvedBy: '检察长' }, at('2024-02-20')));
      const extended = boardOf(events, 'K1', 'h1');
      expect(extended.handoff).to.include({ extensionDays: 15, extensionApprovedBy: '检察长' });
      expect(extended.deadline?.dueDate).to.equal('2024-03-15');
    });

    it('community_correction starts at the request: requested 2024-09-28 → 10-03 in the holiday → due 2024-10-08, met by receipt', () => {
      const log = eventLog();
      const events = [
        log('case-K2', 'ly-proc', 'case.registered', { kind: 'criminal', title: '周某危险驾驶案', parties: [person('周某', 'offender')] }, at('2024-08-01')),
        log('case-K2', 'ly-court', 'handoff.requested', { handoffId: 'cc1', to: 'ly-justice', purpose: 'community_correction' }, at('2024-09-28')),
      ];
      expect(boardOf(events, 'K2', 'cc1').deadline).to.include({ dueDate: '2024-10-08', metAt: null });
      events.push(log('case-K2', 'ly-justice', 'handoff.received', { handoffId: 'cc1' }, at('2024-10-08')));
      expect(boardOf(events, 'K2', 'cc1').deadline).to.include({ dueDate: '2024-10-08', metAt: at('2024-10-08') });
    });

    it('a returned handoff (补正) stops its clock without meeting it; a new request points to it', () => {
      const log = eventLog();
      const events = [
        log('case-K3', 'ly-police', 'case.registered', { kind: 'criminal', title: '孙某诈骗案', parties: [person('孙某', 'suspect')] }, at('2024-03-01')),
        log('case-K3', 'ly-police', 'handoff.requested', { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review' }, at('2024-03-04')),
        log('case-K3', 'ly-proc', 'handoff.received', { handoffId: 'h1' }, at('2024-03-05')),
        log('case-K3', 'ly-proc', 'handoff.returned', { handoffId: 'h1', reason: '证据材料不全，请补正' }, at('2024-03-08')),
        log('case-K3', 'ly-police', 'handoff.requested', { handoffId: 'h2', to: 'ly-proc', purpose: 'prosecution_review', previousHandoffId: 'h1' }, at('2024-03-15')),
      ];
      const [h1, h2] = [boardOf(events, 'K3', 'h1'), boardOf(events, 'K3', 'h2')];
      expect(h1.handoff).to.include({ status: 'RETURNED', returnReason: '证据材料不全，请补正' });
      expect(h1.deadline).to.include({ metAt: null, stoppedAt: at('2024-03-08') });
      expect(h2.handoff).to.include({ status: 'REQUESTED', previousHandoffId: 'h1' });
      expect(h2.deadline).to.equal(null);
      expect(Object.keys(projectOne(events, 'K3').doc.state.handoffs)).to.deep.equal(['h1', 'h2']);
    });

    it('an event that changes no handoff’s link and involves no one new leaves the case as it was: nothing is written', () => {
      const log = eventLog();
      const events = [log('case-K4', 'ly-police', 'case.registered', { kind: 'criminal', title: '钱某盗窃案', parties: [person('钱某', 'suspect')] }, at('2024-01-02'))];
      for (let n = 1; n <= 6; n++) events.push(log('case-K4', 'ly-police', 'handoff.requested', { handoffId: `h${n}`, to: 'ly-proc', purpose: 'prosecution_review' }, at(`2024-0${n}-03`)));
      for (let n = 1; n <= 6; n++) events.push(log('case-K4', 'ly-proc', 'handoff.received', { handoffId: `h${n}` }, at(`2024-0${n}-05`)));
      const received = projectOne(events, 'K4');
      expect(Object.values(received.doc.state.handoffs).map((link) => link.receivedAt)).to.deep.equal([1, 2, 3, 4, 5, 6].map((n) => at(`2024-0${n}-05`)));
      events.push(log('case-K4', 'ly-proc', 'handoff.extended', { handoffId: 'h2', days: 15, approvedBy: '检察长' }, at('2024-02-20')));
      events.push(log('case-K4', 'ly-proc', 'handoff.completed', { handoffId: 'h3', outcome: 'prosecuted' }, at('2024-03-25')));
      expect(projectOne(events, 'K4')).to.deep.equal(received);
      // the board has both
      expect(boardOf(events, 'K4', 'h2').deadline?.dueDate).to.equal('2024-03-20');
      expect(boardOf(events, 'K4', 'h3').handoff).to.include({ status: 'COMPLETED', outcome: 'prosecuted' });
      // a handoff to an agency not yet involved changes the case (its agencies), though its link is the same kind
      events.push(log('case-K4', 'ly-police', 'handoff.requested', { handoffId: 'h7', to: 'ly-justice', purpose: 'information_notice' }, at('2024-07-03')));
      expect(projectOne(events, 'K4').doc.state.agencies).to.deep.equal(['ly-police', 'ly-proc', 'ly-justice']);
    });
  });

  describe('copy notice after agency_lost (同步抄告)', () => {
    const e = eventLog();
    const events = [
      e(
        'case-L2',
        'ly-court',
        'case.registered',
        {
          kind: 'administrative_litigation',
          title: '某公司诉市市场监督管理局行政许可案',
          parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }],
          defendantAgencyId: 'ly-market',
        },
        at('2024-08-01'),
      ),
      e('case-L2', 'ly-court', 'judgment.issued', { judgmentId: 'j1', outcome: 'agency_lost' }, at('2024-09-27', '15:00')),
      e(
        'case-L2',
        null,
        'notice.issued',
        { noticeId: 'L2/judgment/j1', reason: 'agency_lost', recipients: ['ly-market', 'ly-gov'], trigger: 'judgment.issued' },
        at('2024-09-27', '15:00'),
      ),
    ];

    it('records the notice with its recipients, a 5-working-day clock per recipient (09-27 → 2024-10-10) and the attention reason', () => {
      const p = projectOne(events, 'L2');
      expect(p.doc.state.judgment).to.include({ id: 'j1', outcome: 'agency_lost' });
      expect(p.doc.state.copyNotices['L2/judgment/j1']).to.deep.include({
        id: 'L2/judgment/j1',
        reason: 'agency_lost',
        recipients: ['ly-market', 'ly-gov'],
        issuedAt: at('2024-09-27', '15:00'),
        acknowledgements: {},
      });
      expect(p.doc.deadlines.filter((d) => d.name.startsWith('notice_ack:'))).to.deep.equal([
        { name: 'notice_ack:L2/judgment/j1:ly-market', dueDate: '2024-10-10', provisional: false, suspended: false, metAt: null, stoppedAt: null },
        { name: 'notice_ack:L2/judgment/j1:ly-gov', dueDate: '2024-10-10', provisional: false, suspended: false, metAt: null, stoppedAt: null },
      ]);
      // the platform's own event does not make the platform an agency of the case
      expect(p.doc.state.agencies).to.deep.equal(['ly-court', 'ly-market', 'ly-gov']);
      expect(p.indexes[CaseIndex.noticeRecipient]).to.deep.equal(['ly-market', 'ly-gov']);
      expect(p.indexes[CaseIndex.has]).to.deep.equal(['notices']);
    });

    it('an acknowledgement meets only that recipient’s clock', () => {
      const ack = e('case-L2', 'ly-market', 'notice.acknowledged', { noticeId: 'L2/judgment/j1' }, at('2024-09-30'));
      const p = projectOne([...events, ack], 'L2');
      expect(p.doc.state.copyNotices['L2/judgment/j1']?.acknowledgements).to.deep.equal({ 'ly-market': at('2024-09-30') });
      expect(deadline(p, 'notice_ack:L2/judgment/j1:ly-market')?.metAt).to.equal(at('2024-09-30'));
      expect(deadline(p, 'notice_ack:L2/judgment/j1:ly-gov')?.metAt).to.equal(null);
    });
  });

  describe('suggestions (司法建议 / 检察建议)', () => {
    const e = eventLog();
    const registered = e('case-S1', 'ly-court', 'case.registered', { kind: 'civil_dispute', title: '物业服务合同纠纷', parties: [person('业主甲', 'plaintiff')] }, at('2024-07-01'));
    const issued = e('case-S1', 'ly-court', 'suggestion.issued', { suggestionId: 's1', to: 'ly-gov', category: 'judicial', summary: '建议加强物业服务监管' }, at('2024-07-31'));
    const received = e('case-S1', 'ly-gov', 'suggestion.received', { suggestionId: 's1' }, at('2024-07-31', '15:00'));
    const replied = e('case-S1', 'ly-gov', 'suggestion.replied', { suggestionId: 's1', adopted: true, summary: '已出台物业监管办法' }, at('2024-09-20'));

    it('a suggestion not yet received or served has no reply clock', () => {
      expect(deadline(projectOne([registered, issued], 'S1'), 'suggestion_reply:s1')).to.equal(undefined);
    });

    it('suggestion received 2024-07-31 is due 2024-09-30 and indexed under both agencies', () => {
      const p = projectOne([registered, issued, received], 'S1');
      expect(p.doc.state.suggestions['s1']).to.include({ from: 'ly-court', to: 'ly-gov', category: 'judicial', urgent: false, repliedAt: null, adopted: null });
      expect(deadline(p, 'suggestion_reply:s1')).to.deep.equal({ name: 'suggestion_reply:s1', dueDate: '2024-09-30', provisional: false, suspended: false, metAt: null, stoppedAt: null });
      expect(p.indexes[CaseIndex.suggestionTo]).to.deep.equal(['ly-gov']);
      expect(p.indexes[CaseIndex.suggestionFrom]).to.deep.equal(['ly-court']);
      expect(p.indexes[CaseIndex.has]).to.deep.equal(['suggestions']);
      expect(p.indexes[CaseIndex.agency]).to.deep.equal(['ly-court', 'ly-gov']);
    });

    it('the reply records adoption and meets the clock', () => {
      const p = projectOne([registered, issued, received, replied], 'S1');
      expect(p.doc.state.suggestions['s1']).to.include({ repliedAt: at('2024-09-20'), adopted: true, replySummary: '已出台物业监管办法' });
      expect(deadline(p, 'suggestion_reply:s1')).to.include({ metAt: at('2024-09-20'), stoppedAt: at('2024-09-20') });
    });

    it('an urgent public-interest suggestion gets 15 days', () => {
      const log = eventLog();
      const p = projectOne(
        [
          log('case-P1', 'ly-proc', 'case.registered', { kind: 'public_interest', title: '河道污染公益诉讼', parties: [person('某化工厂', 'respondent')] }, at('2024-06-01')),
          log('case-P1', 'ly-proc', 'suggestion.issued', { suggestionId: 'p1', to: 'ly-gov', category: 'public_interest', summary: '立即制止排污', urgent: true }, at('2024-06-01')),
          log('case-P1', 'ly-proc', 'suggestion.served', { suggestionId: 'p1', servedAt: '2024-06-03' }, at('2024-06-04')),
        ],
        'P1',
      );
      expect(deadline(p, 'suggestion_reply:p1')?.dueDate).to.equal('2024-06-18');
    });
  });

  describe('reconsideration performance ledger (行政复议决定履行台账)', () => {
    const e = eventLog();
    const registered = e(
      'case-R2',
      'ly-justice',
      'case.registered',
      { kind: 'administrative_reconsideration', title: '刘某不服政府信息公开答复申请复议案', parties: [person('刘某', 'applicant')], defendantAgencyId: 'ly-gov' },
      at('2024-06-03'),
    );
    // 2024-08-17 is a Saturday: a performance date is the decision's own and is not moved
    const decided = e('case-R2', 'ly-justice', 'reconsideration.decided', { decision: 'ordered_performance', performanceDueAt: '2024-08-17' }, at('2024-07-15'));
    const notice = e(
      'case-R2',
      null,
      'notice.issued',
      { noticeId: 'R2/reconsideration', reason: 'reconsideration_corrected', recipients: ['ly-gov'], trigger: 'reconsideration.decided' },
      at('2024-07-15'),
    );
    const performed = e('case-R2', 'ly-gov', 'reconsideration.performed', { summary: '已重新作出答复' }, at('2024-08-10'));

    it('a corrective decision with performanceDueAt is pending performance until reported', () => {
      const p = projectOne([registered, decided, notice], 'R2');
      expect(p.doc.state.reconsideration).to.include({ decision: 'ordered_performance', corrective: true, performanceDueAt: '2024-08-17', performedAt: null });
      expect(deadline(p, 'reconsideration_decision')).to.include({ dueDate: '2024-08-02', metAt: at('2024-07-15') });
      expect(deadline(p, 'reconsideration_performance')).to.deep.equal({
        name: 'reconsideration_performance',
        dueDate: '2024-08-17',
        provisional: false,
        suspended: false,
        metAt: null,
        stoppedAt: null,
      });
      expect(p.indexes[CaseIndex.noticeRecipient]).to.deep.equal(['ly-gov']);
    });

    it('the performance report meets the clock', () => {
      const p = projectOne([registered, decided, notice, performed], 'R2');
      expect(deadline(p, 'reconsideration_performance')?.metAt).to.equal(at('2024-08-10'));
    });
  });

  it('a closed case is found under status CLOSED', () => {
    const e = eventLog();
    const p = projectOne(
      [
        e('case-C2', 'ly-court', 'case.registered', { kind: 'civil_dispute', title: '借款合同纠纷', parties: [person('甲', 'plaintiff')] }, at('2024-09-01')),
        e('case-C2', 'ly-court', 'case.closed', { outcome: 'resolved_substantively' }, at('2024-09-20')),
      ],
      'C2',
    );
    expect(p.doc.state).to.include({ status: 'closed', outcome: 'resolved_substantively', closedBy: 'ly-court' });
    expect(p.indexes[CaseIndex.status]).to.deep.equal(['CLOSED']);
  });

  describe('idempotency: an event at or below the document’s _position changes nothing', () => {
    const e = eventLog();
    const events = [
      e('case-I1', 'ly-court', 'case.registered', { kind: 'civil_dispute', title: '租赁合同纠纷', parties: [person('甲', 'plaintiff')] }, at('2024-09-10')),
      e('case-I1', 'ly-court', 'handoff.requested', { handoffId: 'h1', to: 'ly-justice', purpose: 'entrusted_mediation' }, at('2024-09-12')),
      e('case-I1', 'ly-justice', 'handoff.received', { handoffId: 'h1' }, at('2024-09-13')),
      e('case-I1', 'ly-justice', 'handoff.completed', { handoffId: 'h1', outcome: 'failed' }, at('2024-09-30')),
    ];

    it('re-delivering the whole stream gives the same document and indexes', () => {
      const once = projectOne(events, 'I1');
      const twice = projectOne([...events, ...events], 'I1');
      expect(twice).to.deep.equal(once);
      expect(once.doc[POSITION_FIELD]).to.equal(events[2]!.position.toString());
    });

    it('a late re-delivered request does not reset the receipt of the handoff’s link', () => {
      const p = projectOne([...events, events[1]!], 'I1');
      expect(p.doc.state.handoffs['h1']).to.include({ receivedAt: at('2024-09-13') });
      // the completion changed nothing of the case: the receipt was its last write
      expect(p.doc[POSITION_FIELD]).to.equal(events[2]!.position.toString());
    });

    it('the same event at the same position, applied again, is skipped', () => {
      const p = projectOne([events[0]!, events[1]!, events[1]!], 'I1');
      expect(Object.keys(p.doc.state.handoffs)).to.deep.equal(['h1']);
      expect(p.doc[POSITION_FIELD]).to.equal(events[1]!.position.toString());
    });
  });

  describe('what evolve carries over from the previous document', () => {
    /** folds every event one by one and checks each document against everything computed afresh */
    function checkEveryStep(events: readonly RecordedEvent[]): number {
      const docs = new Map<string, { doc: CaseDoc; indexes: Record<string, readonly string[]> }>();
      /** the domain's own fold of each case, papers and all */
      const folded = new Map<string, CaseState>();
      let checked = 0;
      for (const event of events) {
        const [[, id]] = casesProjection.keys(event, ctx) as [[string, string]];
        const current = docs.get(id);
        const result = casesProjection.evolve(current?.doc ?? null, event, ctx, CASES);
        const input = { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: id };
        const whole = evolveCase(folded.get(id) ?? { status: 'none' }, input);
        folded.set(id, whole);
        if (result.doc === null) {
          docs.delete(id);
          continue;
        }
        const doc = result.doc as CaseDoc;
        const indexes = { ...current?.indexes, ...result.indexes };
        docs.set(id, { doc, indexes });
        const state: LinkedCase = doc.state;
        const where = `${id} after ${event.type} at ${event.position}`;
        // the stored state is the domain's with its handoffs as links — field for field and in the same order, as the
        // asOf view (gateway/readSide/caseHistory.ts) makes it
        expect(whole.status, where).to.not.equal('none');
        const linked = linkedCase(whole as Exclude<CaseState, { status: 'none' }>);
        expect(state, where).to.deep.equal(linked);
        expect(JSON.stringify(state), where).to.equal(JSON.stringify(linked));
        // the whole case's clocks: the links carry all that caseDeadlines reads of a handoff
        expect(doc.deadlines, where).to.deep.equal(caseDeadlines(whole, ctx.deadlines));
        expect(indexes, where).to.deep.equal(indexesOf(state));
        checked++;
      }
      return checked;
    }

    it('gives, after every event of the demo city, the clocks and indexes computed afresh', async () => {
      const events = await demoCityEvents();
      expect(checkEveryStep(events)).to.be.greaterThan(300);
    });

    it('recomputes what a community-correction judgment, a re-request and a close change', () => {
      const log = eventLog();
      const events = [
        log('case-C9', 'ly-court', 'case.registered', { kind: 'criminal', title: '孙某盗窃案', parties: [person('孙某', 'defendant')] }, at('2024-09-02')),
        log('case-C9', 'ly-court', 'handoff.requested', { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review' }, at('2024-09-03')),
        log('case-C9', 'ly-court', 'judgment.issued', { judgmentId: 'j1', outcome: 'convicted', communityCorrection: true }, at('2024-09-20')),
        // the community-correction notice clock is met by the first community_correction request, delivery by its receipt
        log('case-C9', 'ly-court', 'handoff.requested', { handoffId: 'h2', to: 'ly-justice', purpose: 'community_correction' }, at('2024-09-23')),
        log('case-C9', 'ly-justice', 'handoff.received', { handoffId: 'h2' }, at('2024-09-24')),
        // the same handoff id requested again, to another agency: the handoff indexes follow it
        log('case-C9', 'ly-court', 'handoff.requested', { handoffId: 'h1', to: 'ly-justice', purpose: 'entrusted_mediation' }, at('2024-09-25')),
        log('case-C9', 'ly-court', 'suggestion.issued', { suggestionId: 's1', to: 'ly-market', category: 'regulatory', summary: '加强监管' }, at('2024-09-26')),
        log('case-C9', 'ly-court', 'case.closed', { outcome: 'judgment' }, at('2024-10-08')),
      ];
      expect(checkEveryStep(events)).to.equal(events.length);
      const p = projectOne(events, 'C9');
      expect(deadline(p, 'community_correction_notice')?.metAt).to.equal(at('2024-09-23'));
      expect(deadline(p, 'community_correction_delivery')?.metAt).to.equal(at('2024-09-24'));
      expect(p.indexes[CaseIndex.handoffTo]).to.deep.equal(['ly-justice']);
      expect(p.indexes[CaseIndex.status]).to.deep.equal(['CLOSED']);
    });
  });
});
