import { expect } from 'chai';
import { attentionDetail, attentionFactsOfCase, attentionFindings, evolveCase, type CaseState, type ExistingCase } from '../../../domain/catalog/index.js';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import { ATTENTION, ATTENTION_INDEX, attentionFacts, attentionProjection, type AttentionContext, type AttentionDoc } from '../../../projections/attention/attention.projection.js';
import { projectEvents } from '../../../projections/projection.js';
import { at, eventLog } from './support.js';

// 社区矫正 on the attention list (revision 2): correction_unreported (报到逾期, 漏管风险) and correction_absconded (脱管).

const ctx: AttentionContext = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };
const names: Record<string, string> = { 'ly-justice': '辽源市司法局', 'ly-court': '辽源市中级人民法院', 'ls-justice': '龙山区司法局' };
const name = (id: string) => names[id] ?? id;

const log = eventLog();
const reg = log('case-K7', 'ly-police', 'case.registered', { kind: 'criminal', title: '王某危险驾驶案', parties: [{ name: '王某', role: 'suspect', type: 'person' }] }, at('2024-08-01'));
// effective 2024-09-20: 报到 within 10 days (社区矫正法 Art. 21) → 2024-09-30, a Monday and a working day
const sentenced = log('case-K7', 'ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted', communityCorrection: true, effectiveAt: '2024-09-20' }, at('2024-09-05'));
const delivered = log('case-K7', 'ly-court', 'handoff.requested', { handoffId: 'cc1', to: 'ls-justice', purpose: 'community_correction' }, at('2024-09-21'));
const receipt = log('case-K7', 'ls-justice', 'handoff.received', { handoffId: 'cc1' }, at('2024-09-23'));
const reported = log('case-K7', 'ls-justice', 'correction.reported', {}, at('2024-10-09'));
const absconded = log('case-K7', 'ls-justice', 'correction.absconded', { note: '电话无法联系' }, at('2024-11-04', '10:30'));
const located = log('case-K7', 'ls-justice', 'correction.located', {}, at('2024-11-20'));

const projectOne = (events: readonly RecordedEvent[]) => {
  const found = projectEvents(attentionProjection, events, ctx).get(ATTENTION)?.get('K7') as { doc: AttentionDoc; indexes: Record<string, readonly string[]> } | undefined;
  if (!found) throw new Error('no attention document');
  return found;
};
const reasons = (events: readonly RecordedEvent[], today: string) => attentionFindings(attentionFacts(projectOne(events).doc), today, null).map((f) => f.reason);

describe('attention: community correction (correction_unreported, correction_absconded)', () => {
  it('files the 报到 clock in its lane under its due date, seen by the case’s agencies', () => {
    const p = projectOne([reg, sentenced, delivered, receipt]);
    expect(p.doc.communityCorrection?.reportDue).to.equal('2024-09-30');
    expect(p.indexes[ATTENTION_INDEX]).to.include.members(['*|U|2024-09-30|', 'v:ls-justice|U|2024-09-30|', 'v:ly-court|U|2024-09-30|']);
  });

  it('is not on the list on the due date, and is correction_unreported the day after, naming the supervising justice bureau', () => {
    expect(reasons([reg, sentenced, delivered, receipt], '2024-09-30')).to.deep.equal([]);
    expect(reasons([reg, sentenced, delivered, receipt], '2024-10-08')).to.deep.equal(['correction_unreported']);
    const facts = attentionFacts(projectOne([reg, sentenced, delivered, receipt]).doc);
    const [finding] = attentionFindings(facts, '2024-10-08', null);
    expect(attentionDetail(facts, finding!, name)).to.equal('社区矫正对象应于 2024-09-30 前向 龙山区司法局 报到，逾期未报到（漏管风险）');
  });

  it('names the court while the files have not been delivered', () => {
    const facts = attentionFacts(projectOne([reg, sentenced]).doc);
    expect(facts.communityCorrection?.agency).to.equal('ly-court');
  });

  it('counts from a judgment.effective published later', () => {
    const log2 = eventLog();
    const r = log2('case-K7', 'ly-police', 'case.registered', reg.data as Record<string, unknown>, reg.metadata.time);
    const issued = log2('case-K7', 'ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted', communityCorrection: true }, at('2024-09-05'));
    const effective = log2('case-K7', 'ly-court', 'judgment.effective', { judgmentId: 'J1', effectiveAt: '2024-10-28' }, at('2024-10-29'));
    // until then from the day of issue (revision 1's reading): 2024-09-05 + 10 days = 2024-09-15, a Sunday → 2024-09-18 after 中秋
    expect(projectOne([r, issued]).doc.communityCorrection?.reportDue).to.equal('2024-09-18');
    // 2024-10-28 + 10 days = 2024-11-07 (Thursday)
    expect(projectOne([r, issued, effective]).doc.communityCorrection?.reportDue).to.equal('2024-11-07');
  });

  it('leaves the list and the lane once the person reported, however late', () => {
    const p = projectOne([reg, sentenced, delivered, receipt, reported]);
    expect(p.doc.communityCorrection?.reportDue).to.equal(null);
    expect(p.indexes[ATTENTION_INDEX]!.filter((e) => e.includes('|U|'))).to.deep.equal([]);
    expect(reasons([reg, sentenced, delivered, receipt, reported], '2024-10-10')).to.deep.equal([]);
  });

  it('is correction_absconded while the person is out of contact, whatever meeting discussed it', () => {
    const events = [reg, sentenced, delivered, receipt, reported, absconded];
    const p = projectOne(events);
    expect(p.indexes[ATTENTION_INDEX]).to.include.members([`*|A|${new Date(at('2024-11-04', '10:30')).toISOString()}`, `v:ls-justice|A|${new Date(at('2024-11-04', '10:30')).toISOString()}`]);
    const facts = attentionFacts(p.doc);
    const discussedLater = Date.parse(at('2024-12-01'));
    const found = attentionFindings(facts, '2024-12-10', discussedLater);
    expect(found.map((f) => f.reason)).to.deep.equal(['correction_absconded']);
    expect(attentionDetail(facts, found[0]!, name)).to.equal('社区矫正对象自 2024-11-04 起脱管，龙山区司法局 尚未报告查找到');
  });

  it('leaves the list once the person is located', () => {
    const events = [reg, sentenced, delivered, receipt, reported, absconded, located];
    expect(projectOne(events).indexes[ATTENTION_INDEX]!.filter((e) => e.includes('|A|'))).to.deep.equal([]);
    expect(reasons(events, '2024-12-10')).to.deep.equal([]);
  });

  it('a case without community correction has none of it', () => {
    const p = projectOne([reg]);
    expect(p.doc.communityCorrection).to.equal(undefined);
    expect(attentionFacts(p.doc).communityCorrection).to.equal(null);
  });

  it('reads the same facts as the case folded afresh, after every event', () => {
    const events = [reg, sentenced, delivered, receipt, reported, absconded, located];
    let state: CaseState = { status: 'none' };
    for (let n = 1; n <= events.length; n++) {
      const e = events[n - 1]!;
      state = evolveCase(state, { type: e.type, data: e.data, time: e.metadata.time, source: e.metadata.source, subject: 'K7' });
      expect(attentionFacts(projectOne(events.slice(0, n)).doc), e.type).to.deep.equal(attentionFactsOfCase(state as ExistingCase, ctx.deadlines));
    }
  });
});
