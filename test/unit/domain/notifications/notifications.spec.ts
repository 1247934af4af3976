import { expect } from 'chai';
import type { ClockFacts } from '../../../../domain/clocks/runningClocks.js';
import { notificationOfClock, notificationsOfEvent } from '../../../../domain/notifications/notifications.js';
import { retryDelayMs } from '../../../../application/notifier.js';

const names: Record<string, string> = { 'xj-proc': '新津区人民检察院', 'xj-market': '新津区市场监督管理局' };
const name = (id: string): string => names[id] ?? id;
const clock = (over: Partial<ClockFacts>): ClockFacts => ({
  id: 'C1:information_notice:H1',
  kind: 'HANDOFF',
  name: 'information_notice:H1',
  caseId: 'C1',
  owner: 'xj-market',
  dueDate: '2026-12-07',
  dueDateProvisional: false,
  running: true,
  visibleTo: ['xj-market', 'xj-proc'],
  ...over,
});

describe('notifications: what an agency is told', () => {
  describe('facts', () => {
    it('given handoff.requested to xj-market, then one notice to it, its id the position and the agency', () => {
      const notices = notificationsOfEvent(
        { type: 'handoff.requested', streamId: 'case-C1', position: 42n, source: 'xj-proc', data: { handoffId: 'H1', to: 'xj-market', purpose: 'information_notice' } },
        name,
      );
      expect(notices).to.have.length(1);
      expect(notices[0]).to.include({ id: '42:xj-market', type: 'handoff_requested', agencyId: 'xj-market', caseId: 'C1', clock: null });
      expect(notices[0]!.text).to.match(/^新津区人民检察院 向贵单位移送「.+」（案件 C1）/);
    });

    it('given a copy notice to two agencies, then one notice each; given a registration, then none', () => {
      const copy = notificationsOfEvent({ type: 'notice.issued', streamId: 'case-C2', position: 7n, source: null, data: { noticeId: 'n1', reason: 'agency_lost', recipients: ['xj-gov', 'xj-justice'] } }, name);
      expect(copy.map((n) => n.id)).to.deep.equal(['7:xj-gov', '7:xj-justice']);
      expect(copy.every((n) => n.type === 'copy_notice')).to.equal(true);
      expect(notificationsOfEvent({ type: 'case.registered', streamId: 'case-C2', position: 1n, source: 'xj-proc', data: { kind: 'civil' } }, name)).to.deep.equal([]);
    });

    it('given a rectification ordered, then the addressee is told with the due date', () => {
      const [notice] = notificationsOfEvent({ type: 'rectification.ordered', streamId: 'case-D1', position: 9n, source: 'xj-justice', data: { rectificationId: 'r1', to: 'xj-market', summary: '整改', dueDate: '2027-01-15' } }, name);
      expect(notice).to.include({ type: 'rectification_ordered', agencyId: 'xj-market', dueDate: '2027-01-15' });
      expect(notice!.text).to.contain('限 2027-01-15 前完成');
    });
  });

  describe('clocks', () => {
    const today = '2026-12-03';
    const lastDueSoon = '2026-12-08'; // three working days after Thursday 2026-12-03

    it('due within the window: due_soon, its id carrying the due date (an extension is told again)', () => {
      const notice = notificationOfClock(clock({}), today, lastDueSoon);
      expect(notice).to.include({ id: 'C1:information_notice:H1:due_soon:2026-12-07', type: 'due_soon', agencyId: 'xj-market', dueDate: '2026-12-07' });
      expect(notificationOfClock(clock({ dueDate: '2026-12-08' }), today, lastDueSoon)?.id).to.equal('C1:information_notice:H1:due_soon:2026-12-08');
    });

    it('due today is due soon, not overdue; due yesterday is overdue', () => {
      expect(notificationOfClock(clock({ dueDate: today }), today, lastDueSoon)?.type).to.equal('due_soon');
      expect(notificationOfClock(clock({ dueDate: '2026-12-02' }), today, lastDueSoon)).to.include({ type: 'overdue', id: 'C1:information_notice:H1:overdue:2026-12-02' });
    });

    it('nothing for a clock due later, suspended (no due date) or stopped', () => {
      expect(notificationOfClock(clock({ dueDate: '2026-12-09' }), today, lastDueSoon)).to.equal(null);
      expect(notificationOfClock(clock({ dueDate: null }), today, lastDueSoon)).to.equal(null);
      expect(notificationOfClock(clock({ running: false, dueDate: '2026-12-01' }), today, lastDueSoon)).to.equal(null);
    });
  });

  it('retries: first after firstRetry, doubling, capped at an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 30_000))).to.deep.equal([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(20, 30_000)).to.equal(3_600_000);
  });
});
