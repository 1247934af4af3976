/**
 * The read models are the same, document by document and index entry by index entry, whichever store holds them:
 * every projection of allProjections() (so a projection added later is covered without touching this file) is
 * rebuilt from the demo city 云岭市's events into the embedded SQLite store and into the real Redis, and applied live
 * into Redis in small batches as `liandong project` does; then every collection's ids, every document and every
 * index — found by recording the index names the projections write, since the port does not list them — are
 * compared: the whole ordered index (findRange page by page, and countRange), and for an ordinary index findIds of
 * every value in it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { chineseDaysCalendar } from '../../infra/calendar/chineseDays.js';
import { fixedClock } from '../../infra/clock.js';
import { parseConfig } from '../../infra/config/loadConfig.js';
import { openEmbeddedReadModelStore } from '../../infra/readModels/embeddedReadModelStore.js';
import { openRedisReadModelStore } from '../../infra/readModels/redisReadModelStore.js';
import { wrapReadModelStore, type DocumentWrite, type IndexEntry, type ReadModelStore } from '../../ports/readModelStore.js';
import { allProjections, type ReadModelContext } from '../../projections/index.js';
import { createProjectionRunner } from '../../projections/runner.js';
import { startInProcessPlatform, type InProcessPlatform } from '../unit/gateway/inProcessPlatform.js';
import { dropRedisPrefix, isolation } from './distributedSupport.js';
import { probeRedis, redisUrl, requireEngine } from './engines.js';

const NOW = '2025-05-20T14:30:00+08:00';
const DEMO_CONFIG = new URL('../../infra/config/demo.config.json', import.meta.url);
const PAGE = 500;
const silent = { info: () => undefined, error: () => undefined };

/** the indexes a store was written with, per collection, and which of them are range-only */
interface Written {
  indexes: Map<string, Set<string>>;
  rangeOnly: Map<string, Set<string>>;
}

/** the store, recording the index names of every write (the port has no way to list a collection's indexes) */
function recording(store: ReadModelStore): { store: ReadModelStore; written: Written } {
  const written: Written = { indexes: new Map(), rangeOnly: new Map() };
  const note = (map: Map<string, Set<string>>, collection: string, names: Iterable<string>): void => {
    let set = map.get(collection);
    if (set === undefined) map.set(collection, (set = new Set()));
    for (const name of names) set.add(name);
  };
  const record = (writes: readonly DocumentWrite[]): void => {
    for (const write of writes) {
      note(written.indexes, write.collection, Object.keys(write.indexes ?? {}));
      note(written.rangeOnly, write.collection, write.rangeIndexes ?? []);
    }
  };
  const wrapped = wrapReadModelStore(store, {
    async commit(projection, position, writes) {
      record(writes);
      await store.commit(projection, position, writes);
    },
  });
  return { store: wrapped, written };
}

/** every entry of an index, in order, page by page (keyset pagination, as the resolvers read) */
async function wholeIndex(store: ReadModelStore, collection: string, index: string): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  let after: IndexEntry | null = null;
  for (;;) {
    const page = await store.findRange(collection, index, { after, limit: PAGE });
    entries.push(...page.entries);
    if (page.next === null) return entries;
    after = page.next;
  }
}

/** where `got` differs from `want`: checkpoints, ids, documents and index entries of every projection */
async function differences(want: ReadModelStore, got: ReadModelStore, indexes: ReadonlyMap<string, ReadonlySet<string>>, rangeOnly: ReadonlyMap<string, ReadonlySet<string>>): Promise<{ problems: string[]; documents: number; entries: number; lookups: number }> {
  const problems: string[] = [];
  let documents = 0;
  let entries = 0;
  let lookups = 0;
  for (const projection of allProjections()) {
    const [a, b] = await Promise.all([want.checkpoint(projection.name), got.checkpoint(projection.name)]);
    if (a !== b) problems.push(`checkpoint ${projection.name}: ${a} ≠ ${b}`);
    for (const collection of projection.collections) {
      const [wantIds, gotIds] = await Promise.all([want.listIds(collection), got.listIds(collection)]);
      if (JSON.stringify(wantIds) !== JSON.stringify(gotIds)) problems.push(`${collection}: ids differ (${wantIds.length} ≠ ${gotIds.length})`);
      const [wantDocs, gotDocs] = await Promise.all([want.getMany(collection, wantIds), got.getMany(collection, wantIds)]);
      wantIds.forEach((id, at) => {
        documents++;
        try {
          expect(gotDocs[at]).to.deep.equal(wantDocs[at]);
        } catch {
          problems.push(`${collection}/${id}: ${JSON.stringify(wantDocs[at]).slice(0, 200)} ≠ ${JSON.stringify(gotDocs[at]).slice(0, 200)}`);
        }
      });
      for (const index of [...(indexes.get(collection) ?? [])].sort()) {
        const [wantEntries, gotEntries] = await Promise.all([wholeIndex(want, collection, index), wholeIndex(got, collection, index)]);
        entries += wantEntries.length;
        if (JSON.stringify(wantEntries) !== JSON.stringify(gotEntries)) {
          problems.push(`${collection}.${index}: entries differ (${wantEntries.length} ≠ ${gotEntries.length}): ${JSON.stringify(firstDifference(wantEntries, gotEntries))}`);
        }
        const [wantCount, gotCount] = await Promise.all([want.countRange(collection, index), got.countRange(collection, index)]);
        if (wantCount !== wantEntries.length || gotCount !== gotEntries.length) {
          problems.push(`${collection}.${index}: countRange ${wantCount} / ${gotCount} for ${wantEntries.length} / ${gotEntries.length} entries`);
        }
        if (rangeOnly.get(collection)?.has(index)) continue;
        // an ordinary index also answers "which ids are filed under this value", from its own structure in Redis
        for (const value of new Set(wantEntries.map((entry) => entry.value))) {
          lookups++;
          const [wantFound, gotFound] = await Promise.all([want.findIds(collection, index, value), got.findIds(collection, index, value)]);
          const fromRange = wantEntries.filter((entry) => entry.value === value).map((entry) => entry.id);
          if (JSON.stringify(wantFound) !== JSON.stringify(gotFound) || JSON.stringify(wantFound) !== JSON.stringify(fromRange)) {
            problems.push(`${collection}.${index} = ${JSON.stringify(value)}: findIds ${wantFound.length} / ${gotFound.length}, range ${fromRange.length}`);
          }
        }
      }
    }
  }
  return { problems, documents, entries, lookups };
}

function firstDifference(a: readonly IndexEntry[], b: readonly IndexEntry[]): { at: number; want?: IndexEntry; got?: IndexEntry } {
  let at = 0;
  while (at < Math.max(a.length, b.length) && JSON.stringify(a[at]) === JSON.stringify(b[at])) at++;
  return { at, want: a[at], got: b[at] };
}

const union = (...maps: ReadonlyMap<string, ReadonlySet<string>>[]): Map<string, Set<string>> => {
  const out = new Map<string, Set<string>>();
  for (const map of maps) for (const [key, set] of map) out.set(key, new Set([...(out.get(key) ?? []), ...set]));
  return out;
};
const sorted = (map: ReadonlyMap<string, ReadonlySet<string>>): [string, string[]][] =>
  [...map].map(([key, set]): [string, string[]] => [key, [...set].sort()]).filter(([, names]) => names.length > 0).sort(([a], [b]) => (a < b ? -1 : 1));

describe('read models equal, document by document, between the embedded store and Redis (demo city, every projection)', function () {
  this.timeout(600_000);
  before(requireEngine('redis', probeRedis));

  const rebuilt = isolation('equal-rebuild').keyPrefix;
  const live = isolation('equal-live').keyPrefix;
  let dir: string;
  let platform: InProcessPlatform;
  const opened: ReadModelStore[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-equal-'));
    platform = await startInProcessPlatform(dir, { clock: fixedClock(NOW), demoCity: true });
  });
  after(async () => {
    for (const store of opened) await store.close();
    await platform?.stop();
    await dropRedisPrefix(rebuilt);
    await dropRedisPrefix(live);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilt into each, and applied live into Redis in small batches: the same ids, documents and index entries', async () => {
    const config = parseConfig(readFileSync(DEMO_CONFIG, 'utf8'), 'demo.config.json');
    const ctx: ReadModelContext = { deadlines: { calendar: chineseDaysCalendar(config.calendar.years), policy: config.deadlines } };
    const projections = allProjections();
    const store = platform.store;
    const head = (await store.headPosition())!;
    expect(head > 100n, 'the demo city has events').to.equal(true);

    const embedded = recording(openEmbeddedReadModelStore({ path: ':memory:' }));
    const redis = recording(await openRedisReadModelStore({ url: redisUrl(), keyPrefix: rebuilt }));
    const followed = recording(await openRedisReadModelStore({ url: redisUrl(), keyPrefix: live }));
    opened.push(embedded.store, redis.store, followed.store);
    const runnerOf = (readModels: ReadModelStore, batchSize?: number) =>
      createProjectionRunner({ store, readModels, projections, ctx, logger: silent, ...(batchSize ? { batchSize } : {}) });
    await runnerOf(embedded.store).rebuild(embedded.store);
    await runnerOf(redis.store).rebuild(redis.store);
    // live: catch-up batches of 97 events, each committed with its checkpoint, as a projector applies them
    const liveRunner = runnerOf(followed.store, 97);
    await liveRunner.start();
    await liveRunner.waitFor(head, 60_000);
    await liveRunner.stop();

    // the projections wrote the same indexes whichever the store
    const indexes = union(embedded.written.indexes, redis.written.indexes, followed.written.indexes);
    const rangeOnly = union(embedded.written.rangeOnly, redis.written.rangeOnly, followed.written.rangeOnly);
    expect(sorted(redis.written.indexes)).to.deep.equal(sorted(embedded.written.indexes));
    expect(sorted(followed.written.indexes)).to.deep.equal(sorted(embedded.written.indexes));
    expect(indexes.size, 'the projections index their documents').to.be.greaterThan(0);

    for (const [label, other] of [
      ['Redis rebuild', redis.store],
      ['Redis, applied live', followed.store],
    ] as const) {
      const { problems, documents, entries, lookups } = await differences(embedded.store, other, indexes, rangeOnly);
      expect(problems, label).to.deep.equal([]);
      expect(documents, 'documents compared').to.be.greaterThan(0);
      console.log(
        `      ${label} = embedded rebuild: ${projections.length} projections, ${head} events, ${documents} documents, ` +
          `${[...indexes.values()].reduce((n, s) => n + s.size, 0)} indexes with ${entries} entries, ${lookups} findIds lookups`,
      );
    }
    for (const projection of projections) expect(await embedded.store.checkpoint(projection.name), projection.name).to.equal(head);
  });
});
