/**
 * The order parked events keep (events.md §5 "in its own publisher's order"), one group of events at a time: a new
 * event waits behind its publisher's parked event of the same case; a parked one tried again waits only behind an
 * older one of its pair that is held again — never behind a newer copy that arrived in the same group (a Kafka
 * redelivery), which would keep both waiting until the window ends.
 */
import { expect } from 'chai';
import { parkingQueue } from '../../../infra/ingest/parking.js';
import { pairKey, type ParkingLot } from '../../../ports/parkingLot.js';

const P = pairKey('xj-justice', 'C-1');
const Q = pairKey('xj-justice', 'C-2');
/** a lot that says which pairs wait, and records what it was asked */
const lotWith = (waiting: string[], asked: string[][] = []) =>
  ({
    async waiting(pairs: readonly { source: string; subject: string }[]) {
      asked.push(pairs.map((p) => pairKey(p.source, p.subject)));
      return new Set(pairs.map((p) => pairKey(p.source, p.subject)).filter((k) => waiting.includes(k)));
    },
  }) as unknown as ParkingLot;

describe('parking queue: who waits behind whom in one group', () => {
  it('a new event waits behind a parked one of its publisher and case in the lot; another case does not', async () => {
    const queue = await parkingQueue(lotWith([P]), [
      { source: 'xj-justice', subject: 'C-1' },
      { source: 'xj-justice', subject: 'C-2' },
    ]);
    expect(queue.aheadOf(P, false)).to.deep.equal({ id: null });
    expect(queue.aheadOf(Q, false)).to.equal(null);
  });

  it('a new event behind a pair this group already tried again goes on, unless one of them is held again', async () => {
    const tried = await parkingQueue(lotWith([P]), [{ source: 'xj-justice', subject: 'C-1' }]);
    expect(tried.aheadOf(P, true)).to.equal(null); // the parked one decided now
    expect(tried.aheadOf(P, false)).to.equal(null); // so the new one need not wait
    const stillHeld = await parkingQueue(lotWith([P]), [{ source: 'xj-justice', subject: 'C-1' }]);
    expect(stillHeld.aheadOf(P, true)).to.equal(null);
    stillHeld.hold(P, 'j1', true);
    expect(stillHeld.aheadOf(P, false)).to.deep.equal({ id: 'j1' });
  });

  it('a parked event tried again is not held up by a newer event held earlier in the group (a redelivered copy)', async () => {
    const queue = await parkingQueue(lotWith([P]), [{ source: 'xj-justice', subject: 'C-1' }]);
    expect(queue.aheadOf(P, false)).to.deep.equal({ id: null });
    queue.hold(P, 'j2', false);
    expect(queue.aheadOf(P, true)).to.equal(null);
    queue.hold(P, 'j1', true);
    expect(queue.aheadOf(P, true)).to.deep.equal({ id: 'j1' });
  });

  it('asks the lot nothing when there is no lot or no new event', async () => {
    const asked: string[][] = [];
    await parkingQueue(lotWith([], asked), []);
    expect(asked).to.deep.equal([]);
    expect((await parkingQueue(undefined, [{ source: 'xj-justice', subject: 'C-1' }])).aheadOf(P, false)).to.equal(null);
  });
});
