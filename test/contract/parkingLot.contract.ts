/**
 * The ParkingLot contract (ports/parkingLot.ts), run by every adapter:
 *
 *   parkingLotContract('sqlite', async () => ({ lot, reopen, cleanup }));
 *
 * The factory returns an empty lot; `reopen` opens another on the same storage after `lot` was closed, to show that
 * a park() that resolved was durable (events.md §5: a parked event survives restarts).
 */
import { expect } from 'chai';
import { pairKey, type NewParkedEvent, type ParkingLot } from '../../ports/parkingLot.js';

export interface ParkingLotFixture {
  lot: ParkingLot;
  reopen(): Promise<ParkingLot>;
  cleanup(): Promise<void>;
}

const parked = (id: string, overrides: Partial<NewParkedEvent> = {}): NewParkedEvent => {
  const source = overrides.source ?? 'xj-justice';
  const subject = overrides.subject ?? 'C-1';
  const value = { specversion: '1.0', id, source, type: 'handoff.received', subject, time: '2026-12-03T09:00:00+08:00', data: { handoffId: 'h1' } };
  return {
    key: `${source}/${id}`,
    source,
    eventId: id,
    subject,
    type: 'handoff.received',
    agencyId: source,
    principal: 'justice-system',
    channel: 'http',
    receivedAt: '2026-12-03T01:00:00.000Z',
    parkedUntil: '2026-12-03T01:10:00.000Z',
    code: 'invalid_transition',
    message: `案件「${subject}」中没有编号为「h1」的移送`,
    raw: JSON.stringify(value),
    ...overrides,
  };
};

export function parkingLotContract(adapter: string, open: () => Promise<ParkingLotFixture>): void {
  describe(`ParkingLot contract: ${adapter}`, function () {
    let fixture: ParkingLotFixture;
    let lot: ParkingLot;
    beforeEach(async () => {
      fixture = await open();
      lot = fixture.lot;
    });
    afterEach(() => fixture.cleanup());

    it('keeps what it parked, in parking order, with every field as given', async () => {
      const a = parked('a1', { subject: 'C-2', channel: 'kafka', principal: null });
      const b = parked('b1');
      const windows = await lot.park([a, b]);
      expect([...windows]).to.deep.equal([
        [a.key, a.parkedUntil],
        [b.key, b.parkedUntil],
      ]);
      const listed = await lot.list(10);
      expect(listed.map(({ seq: _seq, ...rest }) => rest)).to.deep.equal([a, b]);
      expect(BigInt(listed[0]!.seq) < BigInt(listed[1]!.seq)).to.equal(true);
      expect(await lot.list(1)).to.have.length(1);
    });

    it('numbers a large batch in the order given (parking order is the publishers’ order)', async () => {
      const many = Array.from({ length: 120 }, (_, i) => parked(`m${i}`, { subject: `C-${i % 7}` }));
      await lot.park(many);
      expect((await lot.list(200)).map((e) => e.eventId)).to.deep.equal(many.map((e) => e.eventId));
    });

    it('a resend of a parked event keeps its place and its first window', async () => {
      await lot.park([parked('a1'), parked('a2')]);
      const windows = await lot.park([parked('a1', { parkedUntil: '2026-12-03T02:00:00.000Z', receivedAt: '2026-12-03T01:50:00.000Z' }), parked('a3')]);
      expect(windows.get('xj-justice/a1')).to.equal('2026-12-03T01:10:00.000Z');
      expect((await lot.list(10)).map((e) => e.eventId)).to.deep.equal(['a1', 'a2', 'a3']);
    });

    it('finds a parked event by key, and nothing for another', async () => {
      await lot.park([parked('a1')]);
      expect((await lot.find('xj-justice/a1'))?.message).to.equal('案件「C-1」中没有编号为「h1」的移送');
      expect(await lot.find('xj-justice/zz')).to.equal(null);
      expect(await lot.find('xj-court/a1')).to.equal(null);
    });

    it('says which (publisher, case) pairs wait', async () => {
      await lot.park([parked('a1', { subject: 'C-1' }), parked('c1', { source: 'xj-court', subject: 'C-7' })]);
      const found = await lot.waiting([
        { source: 'xj-justice', subject: 'C-1' },
        { source: 'xj-justice', subject: 'C-7' },
        { source: 'xj-court', subject: 'C-7' },
        { source: 'xj-court', subject: 'C-1' },
      ]);
      expect([...found].sort()).to.deep.equal([pairKey('xj-court', 'C-7'), pairKey('xj-justice', 'C-1')].sort());
      expect((await lot.waiting([])).size).to.equal(0);
    });

    it('releases what ended, ignoring keys it does not hold', async () => {
      await lot.park([parked('a1'), parked('a2'), parked('a3')]);
      await lot.release(['xj-justice/a2', 'xj-justice/none']);
      expect((await lot.list(10)).map((e) => e.eventId)).to.deep.equal(['a1', 'a3']);
      await lot.release(['xj-justice/a1', 'xj-justice/a3']);
      expect(await lot.list(10)).to.deep.equal([]);
      await lot.release([]);
    });

    it('reports count, the longest wait and the soonest window', async () => {
      expect(await lot.stats()).to.deep.equal({ count: 0, oldestReceivedAt: null, nextExpiry: null });
      await lot.park([
        parked('a1', { receivedAt: '2026-12-03T01:05:00.000Z', parkedUntil: '2026-12-03T01:15:00.000Z' }),
        parked('a2', { receivedAt: '2026-12-03T01:02:00.000Z', parkedUntil: '2026-12-03T01:12:00.000Z' }),
      ]);
      expect(await lot.stats()).to.deep.equal({ count: 2, oldestReceivedAt: '2026-12-03T01:02:00.000Z', nextExpiry: '2026-12-03T01:12:00.000Z' });
    });

    it('keeps what the sender wrote freely as written: U+0000, quotes, and non-BMP text in the id and the bytes', async () => {
      const id = 'x\u0000"y\'𠀀';
      const event = parked(id, { raw: `{"id":"x\\u0000","note":"\u0000𠀀"}`, message: `含 \u0000 的说明` });
      await lot.park([event]);
      const [back] = await lot.list(1);
      expect(back).to.deep.include({ key: event.key, eventId: id, raw: event.raw, message: event.message });
      expect(await lot.find(event.key)).to.deep.include({ eventId: id });
      await lot.release([event.key]);
      expect(await lot.find(event.key)).to.equal(null);
    });

    it('what park() acknowledged is there after a reopen (a restart)', async () => {
      await lot.park([parked('a1'), parked('a2')]);
      await lot.release(['xj-justice/a1']);
      await lot.close();
      const again = await fixture.reopen();
      try {
        expect((await again.list(10)).map((e) => e.eventId)).to.deep.equal(['a2']);
      } finally {
        await again.close();
      }
    });
  });
}
