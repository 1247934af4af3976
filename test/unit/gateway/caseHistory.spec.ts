import { expect } from 'chai';
import { caseDeadlines, foldCase, handoffDeadline, handoffsOf, linkedCase, type ExistingCase } from '../../../domain/catalog/index.js';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { createCaseHistory, type CaseHistoryOptions, type CaseThen } from '../../../gateway/readSide/caseHistory.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import type { EventStore, ReadStreamOptions, RecordedEvent } from '../../../ports/eventStore.js';
import { at, eventLog } from '../projections/support.js';

// case(id, asOf) from snapshots must answer exactly what folding every event recorded by asOf answers.

const deadlines = { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY };
const CASE = 'XJ-X1';
const STREAM = `case-${CASE}`;
const PURPOSES = ['prosecution_review', 'community_correction', 'entrusted_mediation', 'information_notice'] as const;

/** A stream that grows, and every readStream call it answered (what was asked, how many events it returned). */
function fakeStore() {
  const events: RecordedEvent[] = [];
  const reads: { streamId: string; fromRevision: number; returned: number }[] = [];
  const store: Pick<EventStore, 'readStream'> = {
    async readStream(streamId: string, options: ReadStreamOptions = {}) {
      const fromRevision = options.fromRevision ?? 0;
      const found = events.filter((e) => e.streamId === streamId && e.revision >= fromRevision).slice(0, options.maxCount ?? Infinity);
      reads.push({ streamId, fromRevision, returned: found.length });
      // the store hands out fresh objects each time, as the real adapters do
      return structuredClone(found);
    },
  };
  return { events, reads, store };
}

/** A case with `handoffs` handoffs (requested, received, completed, some extended), a suggestion and a copy notice; recorded one minute apart. */
function growCase(events: RecordedEvent[], handoffs: number, options: { caseId?: string; recordedAt?: (i: number) => string } = {}) {
  const caseId = options.caseId ?? CASE;
  const streamId = `case-${caseId}`;
  const recorded = eventLog();
  const start = Date.parse(at('2024-09-02'));
  const add = (source: string | null, type: string, data: Record<string, unknown>) => {
    const i = events.filter((e) => e.streamId === streamId).length;
    const time = new Date(start + i * 3_600_000).toISOString();
    const event = recorded(streamId, source, type, data, time);
    event.revision = i;
    if (options.recordedAt) event.recordedAt = options.recordedAt(i);
    events.push(event);
  };
  add('xj-police', 'case.registered', { kind: 'criminal', title: '某案', parties: [{ name: '张某', role: 'suspect', type: 'person' }] });
  for (let h = 0; h < handoffs; h += 1) {
    const handoffId = `${caseId}-h${h}`;
    add('xj-police', 'handoff.requested', { handoffId, to: 'xj-proc', purpose: PURPOSES[h % PURPOSES.length] });
    add('xj-proc', 'handoff.received', { handoffId });
    if (h % 3 === 0) add('xj-proc', 'handoff.extended', { handoffId, days: 5, approvedBy: '检察长' });
    if (h % 2 === 0) add('xj-proc', 'handoff.completed', { handoffId, outcome: '完成' });
    if (h === 2) add('xj-proc', 'suggestion.issued', { suggestionId: 's1', to: 'xj-police', category: 'procuratorial', summary: '建议' });
    if (h === 4) add(null, 'notice.issued', { noticeId: 'n1', reason: 'judgment', recipients: ['xj-gov', 'xj-justice'], trigger: 'judgment.issued' });
    if (h === 5) add('xj-gov', 'notice.acknowledged', { noticeId: 'n1' });
  }
}

/** What case(id, asOf) answered before snapshots: fold every event recorded by `limit`, every clock counted afresh. */
async function reference(store: Pick<EventStore, 'readStream'>, caseId: string, limit: number): Promise<CaseThen | null> {
  const known = (await store.readStream(`case-${caseId}`)).filter((e) => Date.parse(e.recordedAt) <= limit);
  const state = foldCase(caseId, known.map((e) => ({ type: e.type, data: e.data, time: e.metadata.time, source: e.metadata.source })));
  if (state.status === 'none') return null;
  return {
    doc: { state: linkedCase(state), deadlines: caseDeadlines(state, deadlines) },
    handoffs: handoffsOf(state).map((handoff) => ({ handoff, deadline: handoffDeadline(handoff, deadlines) })),
  };
}

/** every recordedAt of the stream, a millisecond before and after it, and before the first */
const limitsOf = (events: readonly RecordedEvent[]): number[] => {
  const times = [...new Set(events.map((e) => Date.parse(e.recordedAt)))];
  return [Math.min(...times) - 60_000, ...times.flatMap((t) => [t - 1, t, t + 1])];
};

const history = (store: Pick<EventStore, 'readStream'>, options: Partial<CaseHistoryOptions> = {}) => createCaseHistory({ events: store, deadlines, ...options });

describe('case history (case(id, asOf) from snapshots)', () => {
  it('answers exactly what folding the known events answers, at every asOf, in any order, with snapshots evicted', async () => {
    const { events, store } = fakeStore();
    growCase(events, 24);
    const limits = limitsOf(events);
    const shuffled = [...limits].sort((a, b) => ((a * 7919) % 101) - ((b * 7919) % 101));
    // small bounds: checkpoints, folding on from them, and evictions all happen
    const small = history(store, { maxSnapshotsPerStream: 3, checkpointEvery: 7 });
    const roomy = history(store);
    for (const limit of [...limits, ...[...limits].reverse(), ...shuffled]) {
      const want = await reference(store, CASE, limit);
      expect(await small.caseAt(CASE, limit), `asOf ${new Date(limit).toISOString()}`).to.deep.equal(want);
      expect(await roomy.caseAt(CASE, limit)).to.deep.equal(want);
    }
  });

  it('is null for a case not registered by asOf, and for a stream that does not exist', async () => {
    const { events, store } = fakeStore();
    growCase(events, 2);
    const h = history(store);
    expect(await h.caseAt(CASE, Date.parse(events[0]!.recordedAt) - 1)).to.equal(null);
    expect(await h.caseAt('nobody', Date.now())).to.equal(null);
  });

  it('reads only the events appended since, and folds on from the nearest snapshot instead of from the first event', async () => {
    const { events, reads, store } = fakeStore();
    growCase(events, 20);
    const h = history(store, { checkpointEvery: 1000 });
    const total = events.length;
    const middle = Date.parse(events[30]!.recordedAt);
    await h.caseAt(CASE, middle);
    expect(reads.map((r) => r.returned).reduce((a, b) => a + b, 0)).to.equal(total); // first sight: the recordedAt of every event
    reads.length = 0;

    // the same asOf again: one read past the known head, nothing folded
    const again = await h.caseAt(CASE, middle);
    expect(reads).to.deep.equal([{ streamId: STREAM, fromRevision: total, returned: 0 }]);
    expect(again).to.deep.equal(await reference(store, CASE, middle));

    // a later asOf: only the events between the snapshot (31 events) and it
    const later = Date.parse(events[40]!.recordedAt);
    const want = await reference(store, CASE, later);
    reads.length = 0;
    expect(await h.caseAt(CASE, later)).to.deep.equal(want);
    expect(reads).to.deep.equal([
      { streamId: STREAM, fromRevision: total, returned: 0 },
      { streamId: STREAM, fromRevision: 31, returned: 10 },
    ]);
  });

  it('sees events appended after the stream was first read', async () => {
    const { events, store } = fakeStore();
    growCase(events, 3);
    const h = history(store);
    const everything = Date.parse('2030-01-01T00:00:00Z');
    const before = await h.caseAt(CASE, everything);
    const count = events.length;
    growCase(events, 6); // same stream: requests handoffs h0..h5 again, h3..h5 are new
    expect(events.length).to.be.greaterThan(count);
    const after = await h.caseAt(CASE, everything);
    expect(Object.keys(after!.doc.state.handoffs)).to.have.length(6);
    expect(after!.handoffs).to.have.length(6);
    expect(Object.keys(before!.doc.state.handoffs)).to.have.length(3);
    expect(after).to.deep.equal(await reference(store, CASE, everything));
  });

  it('keeps the clock of every handoff the later events did not touch (same object), and recounts the changed ones', async () => {
    const { events, store } = fakeStore();
    growCase(events, 10);
    const h = history(store);
    const early = (await h.caseAt(CASE, Date.parse(events[20]!.recordedAt)))!;
    const late = (await h.caseAt(CASE, Date.parse(events.at(-1)!.recordedAt)))!;
    const byId = (then: CaseThen) => new Map(then.handoffs.map((h) => [h.handoff.id, h]));
    const [before, after] = [byId(early), byId(late)];
    const untouched = [...before.keys()].filter((id) => before.get(id)!.handoff === after.get(id)!.handoff);
    const changed = [...before.keys()].filter((id) => before.get(id)!.handoff !== after.get(id)!.handoff);
    expect(untouched).to.not.be.empty;
    for (const id of untouched) expect(after.get(id)!.deadline).to.equal(before.get(id)!.deadline);
    for (const id of changed) expect(after.get(id)!.deadline).to.deep.equal(handoffDeadline(after.get(id)!.handoff, deadlines));
  });

  it('folds the known events afresh when recordedAt went back between appends (they are not the first k events)', async () => {
    const { events, store } = fakeStore();
    // the clock went back an hour after revision 10: revisions 11.. were recorded "before" 6..10
    const base = Date.parse('2024-10-01T00:00:00Z');
    growCase(events, 8, { recordedAt: (i) => new Date(base + i * 60_000 - (i > 10 ? 3_600_000 : 0)).toISOString() });
    const h = history(store, { checkpointEvery: 2 });
    const limit = Date.parse(events[8]!.recordedAt);
    const want = await reference(store, CASE, limit);
    const prefix = foldCase(CASE, events.slice(0, 9).map((e) => ({ type: e.type, data: e.data, time: e.metadata.time, source: e.metadata.source })));
    expect(want!.doc.state).to.not.deep.equal(linkedCase(prefix as ExistingCase)); // the later revisions count: this is not a prefix
    expect(await h.caseAt(CASE, limit)).to.deep.equal(want);
    for (const l of limitsOf(events)) expect(await h.caseAt(CASE, l)).to.deep.equal(await reference(store, CASE, l));
  });

  it('keeps at most maxStreams streams: a forgotten one is read from its first event again', async () => {
    const { events, reads, store } = fakeStore();
    growCase(events, 2, { caseId: 'A' });
    growCase(events, 2, { caseId: 'B' });
    const h = history(store, { maxStreams: 1 });
    const now = Date.parse('2030-01-01T00:00:00Z');
    await h.caseAt('A', now);
    await h.caseAt('B', now);
    reads.length = 0;
    await h.caseAt('B', now);
    expect(reads.map((r) => r.fromRevision)).to.deep.equal([events.filter((e) => e.streamId === 'case-B').length]);
    reads.length = 0;
    await h.caseAt('A', now);
    expect(reads[0]).to.deep.include({ streamId: 'case-A', fromRevision: 0 });
  });
});
