import { expect } from 'chai';
import type { ChangeFeed, ReadModelChange } from '../../ports/changeFeed.js';

/**
 * What every ChangeFeed adapter promises (ports/changeFeed.ts), run by each adapter's spec. `open` returns a feed
 * to publish on and one to follow (the same one in process; two processes' worth of connections across Redis).
 */
export function changeFeedContract(open: () => Promise<{ publisher: ChangeFeed; follower: ChangeFeed }>): void {
  let feeds: { publisher: ChangeFeed; follower: ChangeFeed };
  beforeEach(async () => {
    feeds = await open();
  });
  afterEach(async () => {
    await feeds.publisher.close();
    if (feeds.follower !== feeds.publisher) await feeds.follower.close();
  });

  /** collects what a listener hears; `next(k)` resolves once it has heard k changes */
  const collector = () => {
    const heard: ReadModelChange[] = [];
    let waiting: { count: number; resolve: () => void } | null = null;
    return {
      heard,
      listener: (change: ReadModelChange) => {
        heard.push(change);
        if (waiting && heard.length >= waiting.count) waiting.resolve();
      },
      next: (count: number) => (heard.length >= count ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { count, resolve }))),
    };
  };

  it('every listener present hears each change, in the order published, with its collection and ids', async () => {
    const a = collector();
    const b = collector();
    feeds.follower.subscribe(a.listener);
    feeds.follower.subscribe(b.listener);
    await feeds.follower.listening();
    await feeds.publisher.publish({ collection: 'clocks', ids: ['h:C1/H1', 'c:C1'] });
    await feeds.publisher.publish({ collection: 'cases', ids: ['C1'] });
    await Promise.all([a.next(2), b.next(2)]);
    for (const heard of [a.heard, b.heard]) {
      expect(heard).to.deep.equal([
        { collection: 'clocks', ids: ['h:C1/H1', 'c:C1'] },
        { collection: 'cases', ids: ['C1'] },
      ]);
    }
  });

  it('a listener that unsubscribed hears nothing more; the others carry on', async () => {
    const gone = collector();
    const staying = collector();
    const unsubscribe = feeds.follower.subscribe(gone.listener);
    feeds.follower.subscribe(staying.listener);
    await feeds.follower.listening();
    await feeds.publisher.publish({ collection: 'cases', ids: ['C1'] });
    await Promise.all([gone.next(1), staying.next(1)]);
    unsubscribe();
    await feeds.publisher.publish({ collection: 'cases', ids: ['C2'] });
    // the staying listener hearing C2 shows C2 has been delivered: the other would have heard it by now
    await staying.next(2);
    expect(gone.heard.map((c) => c.ids)).to.deep.equal([['C1']]);
    expect(staying.heard.map((c) => c.ids)).to.deep.equal([['C1'], ['C2']]);
  });

  it('a listener that throws does not keep the change from the others', async () => {
    const after = collector();
    feeds.follower.subscribe(() => {
      throw new Error('a broken view');
    });
    feeds.follower.subscribe(after.listener);
    await feeds.follower.listening();
    await feeds.publisher.publish({ collection: 'clocks', ids: ['a:1'] });
    await after.next(1);
    expect(after.heard).to.deep.equal([{ collection: 'clocks', ids: ['a:1'] }]);
  });
}
