import { expect } from 'chai';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import { MEETINGS, MeetingIndex, meetingsProjection, type MeetingDoc } from '../../../projections/meetings/meetings.projection.js';
import { POSITION_FIELD, projectEvents } from '../../../projections/projection.js';
import { at, eventLog } from './support.js';

// Given a meeting stream (府院联动推进会) → then the dossier document and who finds it.

interface Projected {
  doc: MeetingDoc & { [POSITION_FIELD]: string };
  indexes: Record<string, readonly string[]>;
}

const project = (events: readonly RecordedEvent[], meetingId: string): Projected | undefined =>
  projectEvents(meetingsProjection, events, {}).get(MEETINGS)?.get(meetingId) as Projected | undefined;

function projectOne(events: readonly RecordedEvent[], meetingId: string): Projected {
  const found = project(events, meetingId);
  if (!found) throw new Error(`no meeting document ${meetingId}`);
  return found;
}

describe('meetings projection', () => {
  const e = eventLog();
  const stream = 'meeting-m-2024q3';
  const scheduled = e(
    stream,
    'ly-justice',
    'meeting.scheduled',
    {
      meetingId: 'm-2024q3',
      title: '2024年第三季度府院联动推进会',
      scheduledAt: at('2024-09-20', '14:30'),
      participants: ['ly-court', 'ly-gov', 'ly-market'],
      organizer: 'ly-justice',
    },
    at('2024-09-02'),
  );
  const nominatedLost = e(stream, 'ly-justice', 'meeting.case_nominated', { caseId: 'L2', reason: 'agency_lost' }, at('2024-09-10'));
  const nominatedManual = e(stream, 'ly-justice', 'meeting.case_nominated', { caseId: 'S1', reason: 'manual' }, at('2024-09-11'));
  const held = e(stream, 'ly-justice', 'meeting.held', { attendees: ['ly-court', 'ly-market'] }, at('2024-09-20', '17:00'));
  const resolution = e(stream, 'ly-justice', 'meeting.resolution_recorded', { caseId: 'L2', text: '市场监管局剖析败诉原因，完善执法程序' }, at('2024-09-20', '17:05'));
  const assigned = e(
    stream,
    'ly-justice',
    'action_item.assigned',
    { actionId: 'm-2024q3:A1', caseId: 'L2', text: '报送行政执法程序整改方案', owner: 'ly-market', dueDate: '2024-10-31' },
    at('2024-09-20', '17:10'),
  );
  const assignedNoCase = e(
    stream,
    'ly-justice',
    'action_item.assigned',
    { actionId: 'm-2024q3:A2', caseId: null, text: '组织全市行政机关负责人出庭应诉培训', owner: 'ly-gov', dueDate: '2024-12-15' },
    at('2024-09-20', '17:12'),
  );
  const completed = e(stream, 'ly-market', 'action_item.completed', { actionId: 'm-2024q3:A1', note: '整改方案已报送' }, at('2024-10-25'));
  const lifecycle = [scheduled, nominatedLost, nominatedManual, held, resolution, assigned, assignedNoCase, completed];

  it('scheduling creates the document, found by organizer and participants', () => {
    const p = projectOne([scheduled], 'm-2024q3');
    expect(p.doc.state).to.deep.equal({
      status: 'SCHEDULED',
      id: 'm-2024q3',
      title: '2024年第三季度府院联动推进会',
      scheduledAt: at('2024-09-20', '14:30'),
      organizer: 'ly-justice',
      participants: ['ly-court', 'ly-gov', 'ly-market'],
      attendees: [],
      agenda: [],
      actionItems: [],
      createdAt: at('2024-09-02'),
      heldAt: null,
      cancelledAt: null,
      cancelReason: null,
    });
    expect(p.doc[POSITION_FIELD]).to.equal(scheduled.position.toString());
    expect(p.indexes).to.deep.equal({
      [MeetingIndex.all]: ['1'],
      [MeetingIndex.participant]: ['ly-justice', 'ly-court', 'ly-gov', 'ly-market'],
      [MeetingIndex.owner]: [],
    });
  });

  it('the full cycle: agenda with reasons, held with attendees, resolution, action items, completion', () => {
    const p = projectOne(lifecycle, 'm-2024q3');
    const m = p.doc.state;
    expect(m).to.include({ status: 'HELD', heldAt: at('2024-09-20', '17:00') });
    expect(m.attendees).to.deep.equal(['ly-court', 'ly-market']);
    expect(m.agenda).to.deep.equal([
      { caseId: 'L2', reason: 'agency_lost', resolution: '市场监管局剖析败诉原因，完善执法程序', nominatedAt: at('2024-09-10'), resolvedAt: at('2024-09-20', '17:05') },
      { caseId: 'S1', reason: 'manual', resolution: null, nominatedAt: at('2024-09-11'), resolvedAt: null },
    ]);
    expect(m.actionItems).to.deep.equal([
      {
        actionId: 'm-2024q3:A1',
        meetingId: 'm-2024q3',
        caseId: 'L2',
        text: '报送行政执法程序整改方案',
        owner: 'ly-market',
        dueDate: '2024-10-31',
        assignedAt: at('2024-09-20', '17:10'),
        completedAt: at('2024-10-25'),
        note: '整改方案已报送',
      },
      {
        actionId: 'm-2024q3:A2',
        meetingId: 'm-2024q3',
        caseId: null,
        text: '组织全市行政机关负责人出庭应诉培训',
        owner: 'ly-gov',
        dueDate: '2024-12-15',
        assignedAt: at('2024-09-20', '17:12'),
        completedAt: null,
        note: null,
      },
    ]);
    expect(p.indexes[MeetingIndex.owner]).to.deep.equal(['ly-market', 'ly-gov']);
    expect(p.indexes[MeetingIndex.participant]).to.deep.equal(['ly-justice', 'ly-court', 'ly-gov', 'ly-market']);
    expect(p.doc[POSITION_FIELD]).to.equal(completed.position.toString());
  });

  it('an owner that attended but was not invited is found as a participant', () => {
    const log = eventLog();
    const s = 'meeting-m2';
    const p = projectOne(
      [
        log(s, 'ly-justice', 'meeting.scheduled', { meetingId: 'm2', title: '专题会', scheduledAt: at('2024-11-01'), participants: ['ly-court'], organizer: 'ly-justice' }, at('2024-10-20')),
        log(s, 'ly-justice', 'meeting.held', { attendees: ['ly-court', 'ly-env'] }, at('2024-11-01', '12:00')),
      ],
      'm2',
    );
    expect(p.indexes[MeetingIndex.participant]).to.deep.equal(['ly-justice', 'ly-court', 'ly-env']);
  });

  it('a cancelled meeting keeps its reason', () => {
    const log = eventLog();
    const s = 'meeting-m3';
    const p = projectOne(
      [
        log(s, 'ly-justice', 'meeting.scheduled', { meetingId: 'm3', title: '临时协调会', scheduledAt: at('2024-11-05'), participants: ['ly-gov'], organizer: 'ly-justice' }, at('2024-10-20')),
        log(s, 'ly-justice', 'meeting.cancelled', { reason: '与市委常委会时间冲突' }, at('2024-11-01')),
      ],
      'm3',
    );
    expect(p.doc.state).to.include({ status: 'CANCELLED', cancelledAt: at('2024-11-01'), cancelReason: '与市委常委会时间冲突' });
  });

  it('ignores case streams', () => {
    const log = eventLog();
    const result = projectEvents(meetingsProjection, [log('case-X1', 'ly-market', 'action_item.completed', { actionId: 'm-2024q3:A1' }, at('2024-10-25'))], {});
    expect(result.get(MEETINGS)?.size ?? 0).to.equal(0);
  });

  describe('idempotency', () => {
    it('re-delivering the stream gives the same document and indexes', () => {
      expect(projectOne([...lifecycle, ...lifecycle], 'm-2024q3')).to.deep.equal(projectOne(lifecycle, 'm-2024q3'));
    });

    it('a re-delivered assignment does not add the action item twice, nor undo its completion', () => {
      const p = projectOne([...lifecycle, assigned], 'm-2024q3');
      expect(p.doc.state.actionItems.map((a) => [a.actionId, a.completedAt])).to.deep.equal([
        ['m-2024q3:A1', at('2024-10-25')],
        ['m-2024q3:A2', null],
      ]);
      expect(p.doc[POSITION_FIELD]).to.equal(completed.position.toString());
    });
  });
});
