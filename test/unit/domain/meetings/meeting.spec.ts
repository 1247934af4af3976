import { expect } from 'chai';
import {
  fold,
} from '../../../../domain/shared/decider.js';
import {
  meetingDecider,
  routeOf,
  type MeetingCommand,
  type MeetingState,
} from '../../../../domain/catalog/index.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import { agency, at, directory, ev, factOf, publishedToMeeting } from '../support/fixtures.js';

const { given } = deciderSpec(meetingDecider);

const M = 'M-2024-10';
const organizer = agency('ly-justice');
const NOW = at('2024-10-08', '10:00');

const schedule = (extra: Partial<Extract<MeetingCommand, { type: 'ScheduleMeeting' }>> = {}): MeetingCommand => ({
  type: 'ScheduleMeeting',
  meetingId: M,
  title: '2024年第四季度府院联动推进会',
  scheduledAt: at('2024-10-20', '14:30'),
  participants: ['ly-court', 'ly-gov', 'ly-market'],
  organizer,
  agencies: directory,
  now: NOW,
  ...extra,
});
const nominate = (caseId = 'C-1', reason?: string): MeetingCommand => ({ type: 'NominateCase', meetingId: M, caseId, reason, organizer, now: NOW });
const hold = (attendees = ['ly-court', 'ly-gov', 'ly-market']): MeetingCommand => ({ type: 'RecordMeetingHeld', meetingId: M, attendees, organizer, agencies: directory, now: at('2024-10-20', '17:00') });
const resolve = (caseId = 'C-1', text = '市场监管局一个月内重新作出处理'): MeetingCommand => ({ type: 'RecordResolution', meetingId: M, caseId, text, organizer, now: at('2024-10-20', '17:05') });
const assign = (extra: Partial<Extract<MeetingCommand, { type: 'AssignActionItem' }>> = {}): MeetingCommand => ({
  type: 'AssignActionItem',
  meetingId: M,
  caseId: 'C-1',
  text: '重新作出行政处罚决定',
  owner: 'ly-market',
  dueDate: '2024-11-20',
  organizer,
  agencies: directory,
  now: at('2024-10-20', '17:10'),
  ...extra,
});
const complete = (by = 'ly-market', actionId = `${M}:A1`, note?: string): MeetingCommand => ({
  type: 'CompleteActionItem',
  meetingId: M,
  actionId,
  by: agency(by),
  note,
  time: at('2024-11-10'),
});
const cancel = (reason = '主要领导出差'): MeetingCommand => ({ type: 'CancelMeeting', meetingId: M, reason, organizer, now: at('2024-10-10') });

const scheduled = ev(
  'ly-justice',
  'meeting.scheduled',
  { meetingId: M, title: '2024年第四季度府院联动推进会', scheduledAt: at('2024-10-20', '14:30'), participants: ['ly-court', 'ly-gov', 'ly-market'], organizer: 'ly-justice' },
  NOW,
);
const nominated = ev('ly-justice', 'meeting.case_nominated', { caseId: 'C-1', reason: 'manual' }, NOW);
const held = ev('ly-justice', 'meeting.held', { attendees: ['ly-court', 'ly-gov', 'ly-market'] }, at('2024-10-20', '17:00'));
const resolved = ev('ly-justice', 'meeting.resolution_recorded', { caseId: 'C-1', text: '市场监管局一个月内重新作出处理' }, at('2024-10-20', '17:05'));
const assigned = (n = 1, caseId: string | null = 'C-1') =>
  ev('ly-justice', 'action_item.assigned', { actionId: `${M}:A${n}`, caseId, text: '重新作出行政处罚决定', owner: 'ly-market', dueDate: '2024-11-20' }, at('2024-10-20', '17:10'));
const completed = ev('ly-market', 'action_item.completed', { actionId: `${M}:A1` }, at('2024-11-10'));
const cancelled = ev('ly-justice', 'meeting.cancelled', { reason: '主要领导出差' }, at('2024-10-10'));

const SCHEDULED = [scheduled];
const HELD = [scheduled, nominated, held];
const CANCELLED = [scheduled, cancelled];

describe('meeting stream (府院联动推进会)', () => {
  describe('no meeting yet', () => {
    it('schedules a meeting', () => {
      given([]).when(schedule()).then([scheduled]);
    });

    it('lists each participant once', () => {
      given([]).when(schedule({ participants: ['ly-court', 'ly-gov', 'ly-court', 'ly-market'] })).then([scheduled]);
    });

    it('rejects a participant that is not configured', () => {
      given([]).when(schedule({ participants: ['ly-court', 'ly-unknown'] })).thenRejects('unknown_agency', /ly-unknown/);
    });

    it('rejects a meeting time without an offset', () => {
      given([]).when(schedule({ scheduledAt: '2024-10-20T14:30:00' })).thenRejects('invalid_data', /scheduledAt/);
    });

    it('rejects an empty title', () => {
      given([]).when(schedule({ title: '  ' })).thenRejects('invalid_data', /title/);
    });

    it('rejects a malformed meeting id', () => {
      given([]).when(schedule({ meetingId: 'M 2024/10' })).thenRejects('invalid_data');
    });

    it('rejects nominating a case to a meeting that does not exist', () => {
      given([]).when(nominate()).thenRejects('invalid_transition', /不存在/);
    });

    it('rejects completing an action item of a meeting that does not exist', () => {
      given([]).when(complete()).thenRejects('invalid_transition', /不存在/);
    });
  });

  describe('SCHEDULED', () => {
    it('rejects scheduling the same meeting again', () => {
      given(SCHEDULED).when(schedule()).thenRejects('invalid_transition', /重复安排/);
    });

    it('nominates a case with reason manual by default', () => {
      given(SCHEDULED).when(nominate()).then([nominated]);
    });

    it('nominates a case with an attention reason', () => {
      given(SCHEDULED).when(nominate('C-2', 'overdue_handoff')).then([ev('ly-justice', 'meeting.case_nominated', { caseId: 'C-2', reason: 'overdue_handoff' }, NOW)]);
    });

    it('rejects a case already on the agenda', () => {
      given([...SCHEDULED, nominated]).when(nominate()).thenRejects('invalid_transition', /重复列入/);
    });

    it('rejects a malformed case id', () => {
      given(SCHEDULED).when(nominate('bad id!')).thenRejects('invalid_data');
    });

    it('records a resolution for a case on the agenda', () => {
      given([...SCHEDULED, nominated]).when(resolve()).then([resolved]);
    });

    it('rejects a resolution for a case not on the agenda', () => {
      given(SCHEDULED).when(resolve('C-9')).thenRejects('invalid_transition', /不在会议/);
    });

    it('rejects an empty resolution', () => {
      given([...SCHEDULED, nominated]).when(resolve('C-1', '')).thenRejects('invalid_data');
    });

    it('records the meeting as held', () => {
      given(SCHEDULED).when(hold()).then([held]);
    });

    it('rejects an attendee that is not configured', () => {
      given(SCHEDULED).when(hold(['ly-court', 'ly-ghost'])).thenRejects('unknown_agency');
    });

    it('rejects assigning an action item before the meeting is held', () => {
      given(SCHEDULED).when(assign()).thenRejects('invalid_transition', /已召开/);
    });

    it('cancels the meeting', () => {
      given(SCHEDULED).when(cancel()).then([cancelled]);
    });

    it('rejects a cancellation without a reason', () => {
      given(SCHEDULED).when(cancel(' ')).thenRejects('invalid_data');
    });
  });

  describe('HELD', () => {
    it('rejects recording the meeting held twice', () => {
      given(HELD).when(hold()).thenRejects('invalid_transition', /重复记录/);
    });

    it('rejects a cancellation after the meeting was held', () => {
      given(HELD).when(cancel()).thenRejects('invalid_transition', /取消/);
    });

    it('still takes nominations and resolutions', () => {
      given(HELD).when(nominate('C-2')).then([ev('ly-justice', 'meeting.case_nominated', { caseId: 'C-2', reason: 'manual' }, NOW)]);
      given(HELD).when(resolve()).then([resolved]);
    });

    it('assigns action items with ids meetingId:A1, :A2, …', () => {
      given(HELD).when(assign()).then([assigned(1)]);
      given([...HELD, assigned(1)]).when(assign({ caseId: null })).then([assigned(2, null)]);
    });

    it('rejects an action item with an impossible due date', () => {
      given(HELD).when(assign({ dueDate: '2024-11-31' })).thenRejects('invalid_data', /dueDate/);
    });

    it('rejects an action item owned by an agency that is not configured', () => {
      given(HELD).when(assign({ owner: 'ly-nobody' })).thenRejects('unknown_agency');
    });

    it('rejects an action item without text', () => {
      given(HELD).when(assign({ text: '' })).thenRejects('invalid_data');
    });
  });

  describe('action item assigned', () => {
    const ASSIGNED = [...HELD, assigned(1)];

    it('completes by the owner', () => {
      given(ASSIGNED).when(complete()).then([completed]);
    });

    it('keeps the note of the completion', () => {
      given(ASSIGNED).when(complete('ly-market', `${M}:A1`, '已重新作出决定')).then([ev('ly-market', 'action_item.completed', { actionId: `${M}:A1`, note: '已重新作出决定' }, at('2024-11-10'))]);
    });

    it('rejects completion by an agency other than the owner', () => {
      given(ASSIGNED).when(complete('ly-gov')).thenRejects('invalid_transition', /责任单位/);
    });

    it('rejects completing an unknown action item', () => {
      given(ASSIGNED).when(complete('ly-market', `${M}:A7`)).thenRejects('invalid_transition', /A7/);
    });

    it('rejects a second completion', () => {
      given([...ASSIGNED, completed]).when(complete()).thenRejects('invalid_transition', /重复/);
    });

    it('accepts a published completion whose subject is the case of the item', () => {
      given(ASSIGNED).when(publishedToMeeting(completed, 'C-1')).then([completed]);
    });

    it('accepts a published completion whose subject is the meeting for an item without a case', () => {
      const noCase = ev('ly-market', 'action_item.completed', { actionId: `${M}:A2` }, at('2024-11-10'));
      given([...ASSIGNED, assigned(2, null)]).when(publishedToMeeting(noCase, M)).then([noCase]);
    });

    it('rejects a published completion about another case', () => {
      given(ASSIGNED).when(publishedToMeeting(completed, 'C-2')).thenRejects('invalid_data', /subject/);
    });

    it('builds the meeting state', () => {
      const state = fold(meetingDecider, [...ASSIGNED, resolved, completed]) as Exclude<MeetingState, { status: 'none' }>;
      expect(state).to.deep.include({
        status: 'HELD',
        id: M,
        title: '2024年第四季度府院联动推进会',
        scheduledAt: at('2024-10-20', '14:30'),
        organizer: 'ly-justice',
        participants: ['ly-court', 'ly-gov', 'ly-market'],
        attendees: ['ly-court', 'ly-gov', 'ly-market'],
        agenda: [{ caseId: 'C-1', reason: 'manual', resolution: '市场监管局一个月内重新作出处理', nominatedAt: NOW, resolvedAt: at('2024-10-20', '17:05') }],
      });
      expect(state.actionItems).to.deep.equal([
        {
          actionId: `${M}:A1`,
          meetingId: M,
          caseId: 'C-1',
          text: '重新作出行政处罚决定',
          owner: 'ly-market',
          dueDate: '2024-11-20',
          assignedAt: at('2024-10-20', '17:10'),
          completedAt: at('2024-11-10'),
          note: null,
        },
      ]);
    });

    it('is routed to the meeting stream when published', () => {
      expect(routeOf(factOf(completed, 'C-1'))).to.deep.equal({ streamId: `meeting-${M}`, kind: 'meeting' });
    });
  });

  describe('CANCELLED', () => {
    it('rejects a nomination', () => {
      given(CANCELLED).when(nominate()).thenRejects('invalid_transition', /已取消/);
    });

    it('rejects a resolution', () => {
      given([scheduled, nominated, cancelled]).when(resolve()).thenRejects('invalid_transition', /已取消/);
    });

    it('rejects recording the meeting held', () => {
      given(CANCELLED).when(hold()).thenRejects('invalid_transition');
    });

    it('rejects assigning an action item', () => {
      given(CANCELLED).when(assign()).thenRejects('invalid_transition');
    });

    it('rejects a second cancellation', () => {
      given(CANCELLED).when(cancel()).thenRejects('invalid_transition', /重复取消/);
    });

    it('records the cancellation', () => {
      const state = fold(meetingDecider, CANCELLED);
      expect(state).to.include({ status: 'CANCELLED', cancelledAt: at('2024-10-10'), cancelReason: '主要领导出差' });
    });
  });
});
