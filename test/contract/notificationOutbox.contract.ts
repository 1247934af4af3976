/**
 * The NotificationOutbox contract (ports/notifications.ts), run by every adapter:
 *
 *   notificationOutboxContract('sqlite', async () => ({ outbox, reopen, cleanup }));
 *
 * The factory returns an empty outbox; `reopen` opens another on the same storage after `outbox` was closed, to
 * show that what record() acknowledged was kept (a notice made must not be lost, nor a delivery forgotten).
 */
import { expect } from 'chai';
import type { Notification } from '../../domain/notifications/notifications.js';
import type { NotificationOutbox } from '../../ports/notifications.js';

export interface NotificationOutboxFixture {
  outbox: NotificationOutbox;
  reopen(): Promise<NotificationOutbox>;
  cleanup(): Promise<void>;
}

const notice = (id: string, agencyId = 'xj-market', overrides: Partial<Notification> = {}): Notification => ({
  id,
  type: 'handoff_requested',
  agencyId,
  caseId: 'N1',
  clock: null,
  dueDate: null,
  text: `新津区人民检察院 向贵单位移送（${id}）`,
  ...overrides,
});

const T0 = new Date('2026-12-03T01:00:00.000Z');
const later = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const withWebhook = (agencyId: string): boolean => agencyId !== 'xj-police';

export function notificationOutboxContract(adapter: string, open: () => Promise<NotificationOutboxFixture>): void {
  describe(`NotificationOutbox contract: ${adapter}`, function () {
    let fixture: NotificationOutboxFixture;
    let outbox: NotificationOutbox;
    beforeEach(async () => {
      fixture = await open();
      outbox = fixture.outbox;
    });
    afterEach(() => fixture.cleanup());

    it('has no checkpoint until one is recorded; the checkpoint moves with the notices and never back', async () => {
      expect(await outbox.checkpoint()).to.equal(null);
      await outbox.record([], { now: T0, routed: withWebhook });
      expect(await outbox.checkpoint(), 'no position given: no checkpoint').to.equal(null);
      await outbox.record([notice('a')], { now: T0, routed: withWebhook, position: 12n });
      expect(await outbox.checkpoint()).to.equal(12n);
      // a notifier of an earlier lease term finishing late must not send the outbox back over told events
      await outbox.record([notice('b')], { now: T0, routed: withWebhook, position: 7n });
      expect(await outbox.checkpoint()).to.equal(12n);
      expect((await outbox.list({ limit: 10 })).map((n) => n.id)).to.deep.equal(['b', 'a']);
    });

    it('keeps each notice once by id: pending and due at once with a webhook, unrouted without; returns only the new', async () => {
      const first = await outbox.record([notice('a'), notice('p', 'xj-police')], { now: T0, routed: withWebhook, position: 1n });
      expect(first.map((n) => [n.id, n.state, n.attempts, n.nextAttemptAt])).to.deep.equal([
        ['a', 'pending', 0, T0.toISOString()],
        ['p', 'unrouted', 0, null],
      ]);
      expect(first[0]).to.deep.include({ ...notice('a'), createdAt: T0.toISOString(), deliveredAt: null, lastError: null });
      const again = await outbox.record([notice('a'), notice('c')], { now: later(5), routed: withWebhook, position: 2n });
      expect(again.map((n) => n.id), 'a repeat of a kept id is not new').to.deep.equal(['c']);
      expect((await outbox.list({ limit: 10 })).find((n) => n.id === 'a')!.createdAt, 'the first keeping stands').to.equal(T0.toISOString());
      expect(await outbox.counts()).to.deep.equal({ pending: 2, delivered: 0, failed: 0, unrouted: 1 });
    });

    it('hands out due notices oldest first, up to the limit; a delivered one is never due again', async () => {
      await outbox.record([notice('a'), notice('b'), notice('c')], { now: T0, routed: withWebhook });
      await outbox.record([notice('d')], { now: later(10), routed: withWebhook });
      expect((await outbox.due(later(1), 10)).map((n) => n.id), 'd is not due before it was made').to.deep.equal(['a', 'b', 'c']);
      expect((await outbox.due(later(10), 2)).map((n) => n.id)).to.deep.equal(['a', 'b']);
      await outbox.delivered('a', later(11));
      const [a] = await outbox.list({ state: 'delivered', limit: 10 });
      expect(a).to.include({ id: 'a', state: 'delivered', attempts: 1, deliveredAt: later(11).toISOString(), nextAttemptAt: null, lastError: null });
      expect((await outbox.due(later(3600), 10)).map((n) => n.id)).to.deep.equal(['b', 'c', 'd']);
    });

    it('a failed attempt waits for its next time, then is due again; with no next time it has failed for good', async () => {
      await outbox.record([notice('a'), notice('b')], { now: T0, routed: withWebhook });
      await outbox.attemptFailed('a', 'HTTP 503', later(30));
      await outbox.attemptFailed('b', '连接被拒绝', null);
      expect((await outbox.due(later(29), 10)).map((n) => n.id)).to.deep.equal([]);
      const [a] = await outbox.due(later(30), 10);
      expect(a).to.include({ id: 'a', state: 'pending', attempts: 1, lastError: 'HTTP 503', nextAttemptAt: later(30).toISOString() });
      const [b] = await outbox.list({ state: 'failed', limit: 10 });
      expect(b).to.include({ id: 'b', state: 'failed', attempts: 1, lastError: '连接被拒绝', nextAttemptAt: null });
      await outbox.delivered('a', later(31));
      expect((await outbox.list({ state: 'delivered', limit: 10 }))[0]).to.include({ id: 'a', attempts: 2, lastError: null });
      expect(await outbox.counts()).to.deep.equal({ pending: 0, delivered: 1, failed: 1, unrouted: 0 });
    });

    it('lists newest first, by agency and by state, up to the limit', async () => {
      await outbox.record([notice('m1'), notice('p1', 'xj-police'), notice('m2')], { now: T0, routed: withWebhook });
      await outbox.record([notice('m3')], { now: later(1), routed: withWebhook });
      await outbox.delivered('m2', later(2));
      expect((await outbox.list({ limit: 10 })).map((n) => n.id)).to.deep.equal(['m3', 'm2', 'p1', 'm1']);
      expect((await outbox.list({ limit: 2 })).map((n) => n.id)).to.deep.equal(['m3', 'm2']);
      expect((await outbox.list({ agencyId: 'xj-market', limit: 10 })).map((n) => n.id)).to.deep.equal(['m3', 'm2', 'm1']);
      expect((await outbox.list({ agencyId: 'xj-market', state: 'pending', limit: 10 })).map((n) => n.id)).to.deep.equal(['m3', 'm1']);
      expect((await outbox.list({ state: 'unrouted', limit: 10 })).map((n) => n.id)).to.deep.equal(['p1']);
      expect(await outbox.list({ agencyId: 'xj-court', limit: 10 })).to.deep.equal([]);
    });

    it('keeps what it acknowledged: notices, delivery states and the checkpoint are there after a reopen', async () => {
      await outbox.record([notice('a'), notice('b')], { now: T0, routed: withWebhook, position: 40n });
      await outbox.delivered('a', later(1));
      await outbox.attemptFailed('b', 'HTTP 500', later(60));
      const before = await outbox.list({ limit: 10 });
      await outbox.close();
      const reopened = await fixture.reopen();
      try {
        expect(await reopened.checkpoint()).to.equal(40n);
        expect(await reopened.list({ limit: 10 })).to.deep.equal(before);
        // the same id recorded again after the reopen is still not new: a restarted notifier does not tell it twice
        expect(await reopened.record([notice('a')], { now: later(2), routed: withWebhook })).to.deep.equal([]);
      } finally {
        await reopened.close();
      }
    });

    it('refuses to work once closed', async () => {
      await outbox.close();
      let failure: unknown;
      await outbox.checkpoint().catch((e: unknown) => (failure = e));
      expect(failure).to.be.instanceOf(Error);
    });
  });
}
