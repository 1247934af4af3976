import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY, addDays } from '../../../domain/deadlines/index.js';
import { suggestionReplyDeadline } from '../../../domain/catalog/index.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { CASES, casesProjection, type CaseDoc } from '../../../projections/cases/cases.projection.js';
import { POSITION_FIELD, projectEvents } from '../../../projections/projection.js';
import {
  entryOverdue,
  SUGGESTION_INDEX,
  suggestionDocId,
  SuggestionScope,
  suggestionScope,
  SUGGESTIONS,
  suggestionsProjection,
  type SuggestionDoc,
  type SuggestionsContext,
} from '../../../projections/suggestions/suggestions.projection.js';
import { at, eventLog, demoCityEvents } from './support.js';

// Given stored events → then one document per suggestion, and the index entries the list reads.

const ctx: SuggestionsContext = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };

interface Projected {
  doc: SuggestionDoc & { [POSITION_FIELD]: string };
  indexes: Record<string, readonly string[]>;
}

const projected = (events: readonly RecordedEvent[]) => projectEvents(suggestionsProjection, events, ctx).get(SUGGESTIONS) ?? new Map();
const one = (events: readonly RecordedEvent[], caseId: string, suggestionId: string): Projected => {
  const found = projected(events).get(suggestionDocId(caseId, suggestionId)) as Projected | undefined;
  if (!found) throw new Error(`no suggestion document ${caseId}/${suggestionId}`);
  return found;
};

function adminCase() {
  const e = eventLog();
  const registered = e('case-XZ-1', 'yl-court', 'case.registered', { kind: 'administrative_litigation', title: '某公司诉市场监管局案', parties: [], defendantAgencyId: 'yl-market' }, at('2024-09-02'));
  const issued = e('case-XZ-1', 'yl-court', 'suggestion.issued', { suggestionId: 'XZ-1-s1', to: 'yl-market', category: 'judicial', summary: '规范执法程序' }, at('2024-09-10'));
  const received = e('case-XZ-1', 'yl-market', 'suggestion.received', { suggestionId: 'XZ-1-s1' }, at('2024-09-10'));
  return { e, registered, issued, received };
}

describe('suggestions projection', () => {
  describe('suggestion.issued', () => {
    it('before receipt or service the suggestion has no reply clock: never overdue', () => {
      const { registered, issued } = adminCase();
      const p = one([registered, issued], 'XZ-1', 'XZ-1-s1');
      expect(p.doc.deadline).to.equal(null);
      expect(p.indexes[SUGGESTION_INDEX]).to.include('*|2024-09-10T01:00:00.000Z|XZ-1/XZ-1-s1 -');
      for (const value of p.indexes[SUGGESTION_INDEX]!) expect(entryOverdue(value, '2099-01-01'), value).to.equal(false);
    });

    it('creates one document for the suggestion: the suggestion, its running reply clock (from receipt), its parties', () => {
      const { registered, issued, received } = adminCase();
      const p = one([registered, issued, received], 'XZ-1', 'XZ-1-s1');
      expect(p.doc.caseId).to.equal('XZ-1');
      expect(p.doc.suggestion).to.deep.equal({
        id: 'XZ-1-s1',
        from: 'yl-court',
        to: 'yl-market',
        category: 'judicial',
        summary: '规范执法程序',
        urgent: false,
        replyDays: null,
        issuedAt: at('2024-09-10'),
        receivedAt: at('2024-09-10'),
        servedAt: null,
        repliedAt: null,
        adopted: null,
        replySummary: null,
      });
      expect(p.doc.deadline).to.deep.equal(suggestionReplyDeadline(p.doc.suggestion, ctx.deadlines));
      expect(p.doc.deadline).to.include({ name: 'suggestion_reply:XZ-1-s1', metAt: null, stoppedAt: null });
      expect(p.doc.visibleTo).to.deep.equal(['yl-court', 'yl-market']);
      expect(p.doc[POSITION_FIELD]).to.equal(received.position.toString());
      expect(p.doc.deadline!.dueDate, '2 months from receipt 09-10 → 11-10 (Sunday) → 11-11').to.equal('2024-11-11');
      const tail = `|2024-09-10T01:00:00.000Z|XZ-1/XZ-1-s1 ${p.doc.deadline!.dueDate}`;
      expect(p.indexes[SUGGESTION_INDEX]).to.have.members(['*', 't:yl-market', 'ft:yl-court>yl-market', 'v:yl-court', 'v:yl-market'].map((scope) => scope + tail));
    });

    it('writes nothing for the case registration or a reply to a suggestion that was never issued', () => {
      const { e, registered } = adminCase();
      const stray = e('case-XZ-1', 'yl-market', 'suggestion.replied', { suggestionId: 'nope', adopted: true, summary: '已整改' }, at('2024-09-20'));
      expect(projected([registered, stray]).size).to.equal(0);
    });

    it('a suggestion an agency addressed to itself is visible to it once', () => {
      const { e, registered } = adminCase();
      const self = e('case-XZ-1', 'yl-court', 'suggestion.issued', { suggestionId: 'XZ-1-s2', to: 'yl-court', category: 'judicial', summary: '内部' }, at('2024-09-11'));
      expect(one([registered, self], 'XZ-1', 'XZ-1-s2').doc.visibleTo).to.deep.equal(['yl-court']);
    });
  });

  describe('suggestion.replied', () => {
    it('stops the reply clock: the reply is recorded, the entries no longer carry a due date', () => {
      const { e, registered, issued, received } = adminCase();
      const replied = e('case-XZ-1', 'yl-market', 'suggestion.replied', { suggestionId: 'XZ-1-s1', adopted: true, summary: '已整改' }, at('2024-10-08'));
      const p = one([registered, issued, received, replied], 'XZ-1', 'XZ-1-s1');
      expect(p.doc.suggestion).to.include({ repliedAt: at('2024-10-08'), adopted: true, replySummary: '已整改' });
      expect(p.doc.deadline).to.include({ metAt: at('2024-10-08'), stoppedAt: at('2024-10-08') });
      expect(p.doc.deadline).to.deep.equal(suggestionReplyDeadline(p.doc.suggestion, ctx.deadlines));
      expect(p.doc[POSITION_FIELD]).to.equal(replied.position.toString());
      expect(p.indexes[SUGGESTION_INDEX]).to.include('*|2024-09-10T01:00:00.000Z|XZ-1/XZ-1-s1 -');
      for (const value of p.indexes[SUGGESTION_INDEX]!) expect(entryOverdue(value, '2099-01-01'), value).to.equal(false);
    });
  });

  it('an entry is overdue from the day after its due date while the clock runs (isOverdue on the entry)', () => {
    const { registered, issued, received } = adminCase();
    const p = one([registered, issued, received], 'XZ-1', 'XZ-1-s1');
    const due = p.doc.deadline!.dueDate!;
    for (const value of p.indexes[SUGGESTION_INDEX]!) {
      expect(entryOverdue(value, due), `${value} on its due date`).to.equal(false);
      expect(entryOverdue(value, addDays(due, 1)), `${value} the day after`).to.equal(true);
    }
  });

  it('a scope lists in issue order (UTC, whatever the offset), then by case and suggestion id', () => {
    const e = eventLog();
    const events = [
      e('case-B', 'yl-court', 'case.registered', { kind: 'administrative_litigation', title: 'B', parties: [] }, at('2024-09-01')),
      e('case-A', 'yl-court', 'case.registered', { kind: 'administrative_litigation', title: 'A', parties: [] }, at('2024-09-01')),
      // 10:00 in China is 02:00 UTC: after the 01:30Z one, whatever the text says
      e('case-B', 'yl-court', 'suggestion.issued', { suggestionId: 'late', to: 'yl-gov', category: 'judicial', summary: '-' }, '2024-09-10T10:00:00+08:00'),
      e('case-B', 'yl-court', 'suggestion.issued', { suggestionId: 'early', to: 'yl-gov', category: 'judicial', summary: '-' }, '2024-09-10T01:30:00Z'),
      // the same instant: by case, then by id — `s1` before `s1x` although the tails differ
      e('case-B', 'yl-court', 'suggestion.issued', { suggestionId: 's1x', to: 'yl-gov', category: 'judicial', summary: '-' }, '2024-09-12T09:00:00+08:00'),
      e('case-B', 'yl-court', 'suggestion.issued', { suggestionId: 's1', to: 'yl-gov', category: 'judicial', summary: '-' }, '2024-09-12T01:00:00Z'),
      e('case-A', 'yl-court', 'suggestion.issued', { suggestionId: 'z', to: 'yl-gov', category: 'judicial', summary: '-' }, '2024-09-12T09:00:00+08:00'),
    ];
    events.push(e('case-B', 'yl-gov', 'suggestion.replied', { suggestionId: 's1', adopted: false, summary: '-' }, at('2024-09-20')));
    const docs = projected(events);
    const values = [...docs.values()].flatMap((p) => (p as Projected).indexes[SUGGESTION_INDEX]!).filter((v) => v.startsWith('*|'));
    const order = values.sort().map((v) => v.slice(v.indexOf('|', 2) + 1, v.indexOf(' ')));
    expect(order).to.deep.equal(['B/early', 'B/late', 'A/z', 'B/s1', 'B/s1x']);
  });

  describe('the scope a question reads', () => {
    const range = (scope: string) => ({ from: `${scope}|`, to: `${scope}|\u{10ffff}` });
    it('organizers and auditors: all, or the agency asked for', () => {
      expect(suggestionScope({ viewer: null })).to.deep.equal(range(SuggestionScope.all));
      expect(suggestionScope({ viewer: null, toAgency: '' })).to.deep.equal(range(SuggestionScope.all));
      expect(suggestionScope({ viewer: null, toAgency: 'y' })).to.deep.equal(range(SuggestionScope.to('y')));
    });
    it('a viewer: its own scope, what it received, or what it sent to the agency asked for', () => {
      expect(suggestionScope({ viewer: 'x' })).to.deep.equal(range(SuggestionScope.visibleTo('x')));
      expect(suggestionScope({ viewer: 'x', toAgency: 'x' })).to.deep.equal(range(SuggestionScope.to('x')));
      expect(suggestionScope({ viewer: 'x', toAgency: 'y' })).to.deep.equal(range(SuggestionScope.fromTo('x', 'y')));
    });
    it('agency ids cannot move a range: they are encoded', () => {
      expect(SuggestionScope.fromTo('a>b', 'c')).to.not.equal(SuggestionScope.fromTo('a', 'b>c'));
      expect(SuggestionScope.to('a|b')).to.not.include('|');
    });
  });

  it('over every event of the demo city: each suggestion and its reply clock as the case read model has them', async () => {
    const events = await demoCityEvents();
    const cases = projectEvents(casesProjection, events, ctx).get(CASES)!;
    const docs = projected(events);
    let compared = 0;
    for (const { doc } of cases.values()) {
      const c = doc as CaseDoc;
      for (const suggestion of Object.values(c.state.suggestions)) {
        const s = docs.get(suggestionDocId(c.state.id, suggestion.id))?.doc as SuggestionDoc | undefined;
        expect(s, `${c.state.id}/${suggestion.id}`).to.not.equal(undefined);
        expect({ caseId: s!.caseId, suggestion: s!.suggestion, deadline: s!.deadline }).to.deep.equal({
          caseId: c.state.id,
          suggestion,
          deadline: c.deadlines.find((d) => d.name === `suggestion_reply:${suggestion.id}`) ?? null,
        });
        compared += 1;
      }
    }
    expect(docs.size).to.equal(compared);
    expect(compared).to.be.greaterThan(5);
  });
});
