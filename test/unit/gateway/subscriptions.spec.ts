import { expect } from 'chai';
import { createContext, type GatewayServices } from '../../../gateway/context.js';
import type { Principal } from '../../../gateway/auth.js';
import { subscriptionResolvers } from '../../../gateway/resolvers/subscriptions.js';
import type { ClockView } from '../../../gateway/resolvers/clocks.js';
import type { ClockFacts } from '../../../domain/clocks/runningClocks.js';
import { createInProcessChangeFeed, type ChangeFeed } from '../../../ports/changeFeed.js';
import type { ReadModelStore } from '../../../ports/readModelStore.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import { CLOCKS } from '../../../projections/clocks/clocks.projection.js';
import { CASES, type CaseDoc } from '../../../projections/cases/cases.projection.js';
import { boardDocId, HANDOFF_BOARD } from '../../../projections/handoffBoard/handoffBoard.projection.js';
import type { CaseView } from '../../../gateway/resolvers/cases.js';

/**
 * clockChanged and caseChanged as graphql-js drives them: the iterator `subscribe` returns is pulled with next() and
 * ended with return(). What it yields is what the caller may see (a viewer: clocks whose `visibleTo` names its agency),
 * and once ended it leaves the feed — it reads nothing more.
 */
const clock = (id: string, owner: string, visibleTo: string[]): ClockFacts => ({
  id,
  kind: 'HANDOFF',
  name: `information_notice:${id}`,
  caseId: id.split(':')[0]!,
  owner,
  dueDate: '2026-12-11',
  dueDateProvisional: false,
  running: true,
  visibleTo,
});

const viewer = (agency: string): Principal => ({ name: `${agency}-viewer`, agency: { id: agency, kind: 'government', name: agency }, roles: ['viewer'] });

describe('clockChanged and caseChanged (gateway/resolvers/subscriptions.ts)', () => {
  let store: ReadModelStore;
  let feed: ChangeFeed;
  let reads: number;
  const services = (): GatewayServices => {
    const counting: ReadModelStore = {
      ...store,
      getMany: (collection, ids) => {
        reads++;
        return store.getMany(collection, ids);
      },
    };
    return { readModels: counting, changes: feed, now: () => new Date('2026-12-04T02:00:00Z'), deadlines: {} } as unknown as GatewayServices;
  };
  const subscribe = (principal: Principal, agency: string | null = null) =>
    subscriptionResolvers.Subscription.clockChanged.subscribe(undefined, { agency }, createContext(principal, services()));
  const write = async (docId: string, clocks: ClockFacts[], position: bigint) => {
    await store.commit('clocks', position, [{ collection: CLOCKS, id: docId, doc: { clocks, source: {} } }]);
    await feed.publish({ collection: CLOCKS, ids: [docId] });
  };

  beforeEach(() => {
    store = openEmbeddedReadModelStore({ path: ':memory:' });
    feed = createInProcessChangeFeed();
    reads = 0;
  });
  afterEach(() => store.close());

  it('a viewer is sent only the clocks it may see: the first thing it receives is the later clock of its own agency', async () => {
    const events = subscribe(viewer('xj-court'));
    const first = events.next();
    await write('h:S1/h', [clock('S1:h', 'xj-market', ['xj-proc', 'xj-market'])], 1n);
    await write('h:S2/h', [clock('S2:h', 'xj-market', ['xj-court', 'xj-market'])], 2n);
    const received = (await first) as IteratorResult<ClockView>;
    expect(received.done).to.equal(false);
    expect(received.value.clock.id).to.equal('S2:h');
    await events.return!();
  });

  it('`agency` keeps the clocks that agency owns', async () => {
    const organizer: Principal = { ...viewer('xj-justice'), roles: ['organizer'] };
    const events = subscribe(organizer, 'xj-proc');
    const first = events.next();
    await write('n:S3/n', [clock('S3:n:xj-market', 'xj-market', ['xj-market']), clock('S3:n:xj-proc', 'xj-proc', ['xj-proc'])], 1n);
    expect(((await first) as IteratorResult<ClockView>).value.clock.id).to.equal('S3:n:xj-proc');
    await events.return!();
  });

  it('once the client completes (return), the subscription reads nothing more and a waiting next() ends', async () => {
    const events = subscribe(viewer('xj-market'));
    const waiting = events.next();
    await events.return!();
    expect(await waiting).to.deep.equal({ value: undefined, done: true });
    await write('h:S4/h', [clock('S4:h', 'xj-market', ['xj-market'])], 1n);
    expect(reads, 'no document read after the end').to.equal(0);
    expect(await events.next()).to.deep.equal({ value: undefined, done: true });
  });

  it('caseChanged hears of a case when only the board wrote one of its handoffs, and of no other case', async () => {
    // an acceptance or a completion changes the handoff (the board's document) and leaves the case's link as it was
    const caseDoc = (id: string) => ({ state: { id, agencies: ['xj-court', 'xj-proc'] }, deadlines: [] }) as unknown as CaseDoc;
    await store.commit('cases', 1n, [{ collection: CASES, id: 'S/5 案', doc: caseDoc('S/5 案') }, { collection: CASES, id: 'S6', doc: caseDoc('S6') }]);
    const events = subscriptionResolvers.Subscription.caseChanged.subscribe(undefined, { id: 'S/5 案' }, createContext(viewer('xj-court'), services()));
    const first = events.next();
    await feed.publish({ collection: HANDOFF_BOARD, ids: [boardDocId('S6', 'h1'), boardDocId('S/5', 'h1')] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads, 'a change of other cases is not read').to.equal(0);
    await feed.publish({ collection: HANDOFF_BOARD, ids: [boardDocId('S6', 'h2'), boardDocId('S/5 案', 'h1')] });
    const received = (await first) as IteratorResult<CaseView>;
    expect(received.value.doc.state.id).to.equal('S/5 案');
    await events.return!();
  });

  it('a reader without a read role is refused at subscribe', () => {
    const publisher: Principal = { ...viewer('xj-proc'), roles: ['publisher'] };
    expect(() => subscribe(publisher)).to.throw(/需要/);
  });
});
