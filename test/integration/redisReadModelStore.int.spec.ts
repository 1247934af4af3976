/**
 * The Redis read model store against a real server (REDIS_URL, default 127.0.0.1:6379): the shared contract
 * suite, then what only this adapter promises — a commit cut off before EXEC or refused before MULTI leaves
 * nothing, a stale owner's commit fails, two racing writers cannot both win, deployments under different key
 * prefixes never see each other, reset leaves no key behind — and rough timings (printed, not asserted).
 * Every store gets a random key prefix whose keys are deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { DocumentWrite, ReadModelStore } from '../../ports/readModelStore.js';
import { indexMember, redisReadModelKeys } from '../../infra/readModels/redisKeys.js';
import { CheckpointConflictError, openRedisReadModelStore, type RedisReadModelStoreOptions } from '../../infra/readModels/redisReadModelStore.js';
import { measureOrderedIndex, readModelStoreContract } from '../contract/readModelStore.contract.js';
import { probeRedis, redisUrl, requireEngine } from './engines.js';

const freshPrefix = (): string => `liandong:test:${randomBytes(6).toString('hex')}:`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Redis read model store (real server)', function () {
  before(requireEngine('redis', probeRedis));

  let adminConnection: Redis | undefined;
  const admin = (): Redis => (adminConnection ??= new Redis(redisUrl(), { connectionName: 'liandong-test-admin' }));
  after(async () => {
    await adminConnection?.quit();
  });

  const keysUnder = async (prefix: string): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await admin().scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found.sort();
  };
  const dropPrefix = async (prefix: string): Promise<void> => {
    const keys = await keysUnder(prefix);
    for (let at = 0; at < keys.length; at += 1000) await admin().unlink(...keys.slice(at, at + 1000));
  };

  readModelStoreContract('Redis', async () => {
    const keyPrefix = freshPrefix();
    const open = (): Promise<ReadModelStore> => openRedisReadModelStore({ url: redisUrl(), keyPrefix });
    let store = await open();
    return {
      get store() {
        return store;
      },
      reopen: async () => (await store.close(), (store = await open())),
      cleanup: async () => (await store.close(), await dropPrefix(keyPrefix)),
    };
  });

  describe('Redis adapter', function () {
    let prefix: string;
    const stores: ReadModelStore[] = [];
    const open = async (options: Partial<RedisReadModelStoreOptions> = {}): Promise<ReadModelStore> => {
      const store = await openRedisReadModelStore({ url: redisUrl(), keyPrefix: prefix, ...options });
      stores.push(store);
      return store;
    };

    beforeEach(() => {
      prefix = freshPrefix();
    });

    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await dropPrefix(prefix);
    });

    /** what a reader sees of the handoffs collection: every document, index value and the checkpoint */
    const snapshot = async (store: ReadModelStore, indexValues: readonly string[] = ['a', 'b', 'c']) => ({
      checkpoint: await store.checkpoint('handoffs'),
      ids: await store.listIds('handoffs'),
      docs: await store.getMany('handoffs', await store.listIds('handoffs')),
      toAgency: await Promise.all(indexValues.map((value) => store.findIds('handoffs', 'toAgency', value))),
    });

    const baseline: DocumentWrite[] = [
      { collection: 'handoffs', id: 'h-1', doc: { v: 1 }, indexes: { toAgency: ['a'] } },
      { collection: 'handoffs', id: 'h-2', doc: { v: 1 }, indexes: { toAgency: ['a'] } },
    ];
    const next: DocumentWrite[] = [
      { collection: 'handoffs', id: 'h-1', doc: { v: 2 }, indexes: { toAgency: ['b'] } },
      { collection: 'handoffs', id: 'h-2', doc: null },
      { collection: 'handoffs', id: 'h-3', doc: { v: 2 }, indexes: { toAgency: ['c'] } },
    ];

    /** the CLIENT LIST line of connections with this name, as key → value */
    const clients = async (name: string): Promise<Record<string, string>[]> => {
      const list = (await admin().client('LIST')) as string;
      return list
        .split('\n')
        .filter((line) => line.includes(` name=${name} `))
        .map((line) => Object.fromEntries(line.split(' ').map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)])));
    };

    /** waits until `count` connections named `name` are inside MULTI, held there by the pause */
    const waitInsideMulti = async (name: string, count: number): Promise<Record<string, string>[]> => {
      const deadline = Date.now() + 3000;
      for (;;) {
        const inside = (await clients(name)).filter((client) => client['multi'] !== '-1');
        if (inside.length >= count) return inside;
        if (Date.now() > deadline) throw new Error(`no ${count} connection(s) ${name} inside MULTI`);
        await sleep(2);
      }
    };

    /**
     * Runs `during` while Redis holds back write commands (Redis 7 postpones a client at the first write it sends
     * after MULTI, so its EXEC cannot run). `during` must not wait for a write to finish.
     */
    const withWritesPaused = async (during: () => Promise<void>): Promise<void> => {
      await admin().client('PAUSE', 2000, 'WRITE');
      try {
        await during();
      } finally {
        await admin().client('UNPAUSE');
      }
    };

    describe('atomic commits', () => {
      it('leaves nothing of a commit whose connection is cut before EXEC, and commits again afterwards', async () => {
        const connectionName = `rm-test-${randomBytes(4).toString('hex')}`;
        const store = await open({ connectionName });
        await store.commit('handoffs', 1n, baseline);
        const before = await snapshot(store);

        let attempt: Promise<unknown> | undefined;
        await withWritesPaused(async () => {
          attempt = store.commit('handoffs', 2n, next).then(
            () => 'committed',
            (error: unknown) => error,
          );
          const [writer] = await waitInsideMulti(`${connectionName}:writer`, 1);
          await admin().client('KILL', 'ID', writer!['id']!);
        });

        expect(await attempt).to.be.instanceOf(Error);
        expect(await snapshot(store)).to.deep.equal(before);
        expect(await store.get('handoffs', 'h-3')).to.equal(null);

        await store.commit('handoffs', 2n, next);
        expect(await snapshot(store)).to.deep.equal({
          checkpoint: 2n,
          ids: ['h-1', 'h-3'],
          docs: [{ v: 2 }, { v: 2 }],
          toAgency: [[], ['h-1'], ['h-3']],
        });
      });

      it('refuses before MULTI when a key it would write holds a foreign value of another type', async () => {
        // Redis runs the rest of a transaction when one command fails with WRONGTYPE; the check keeps that from happening
        const store = await open();
        await store.commit('handoffs', 1n, baseline);
        const before = await snapshot(store);
        const foreign = redisReadModelKeys(prefix).index('handoffs', indexMember('toAgency', 'c'));
        await admin().set(foreign, 'not a sorted set');

        let failure: unknown;
        await store.commit('handoffs', 2n, next).catch((error: unknown) => (failure = error));
        expect(String(failure)).to.contain(foreign).and.contain('holds a string');
        expect(await snapshot(store, ['a', 'b'])).to.deep.equal({ ...before, toAgency: before.toAgency.slice(0, 2) });
        expect(await admin().get(foreign)).to.equal('not a sorted set');

        await admin().del(foreign);
        await store.commit('handoffs', 2n, next);
        expect(await store.findIds('handoffs', 'toAgency', 'c')).to.deep.equal(['h-3']);
      });
    });

    describe('single owner per projection', () => {
      it('refuses the commit of a store whose checkpoint another writer moved (a stale owner)', async () => {
        const stale = await open();
        const current = await open();
        await stale.commit('handoffs', 1n, baseline);
        await current.commit('handoffs', 2n, [{ collection: 'handoffs', id: 'h-9', doc: { owner: 'current' }, indexes: { toAgency: ['a'] } }]);
        const before = await snapshot(current);

        let failure: unknown;
        await stale.commit('handoffs', 3n, next).catch((error: unknown) => (failure = error));
        expect(failure).to.be.instanceOf(CheckpointConflictError);
        expect(String(failure)).to.contain('checkpoint is 2').and.contain('last committed 1');
        expect(await snapshot(current)).to.deep.equal(before);
      });

      it('refuses a commit at or below the stored checkpoint', async () => {
        await (await open()).commit('handoffs', 5n, baseline);
        const late = await open();
        for (const position of [5n, 4n]) {
          let failure: unknown;
          await late.commit('handoffs', position, next).catch((error: unknown) => (failure = error));
          expect(failure).to.be.instanceOf(CheckpointConflictError);
          expect(String(failure)).to.contain('already at 5');
        }
        expect(await late.get('handoffs', 'h-3')).to.equal(null);
        expect(await late.checkpoint('handoffs')).to.equal(5n);
      });

      it('commits several projections at once through one store, more of them than writer connections', async () => {
        const store = await open({ maxWriters: 2 });
        const projections = ['cases', 'meetings', 'handoffs', 'scorecards', 'suggestions', 'notices'];
        for (let round = 1; round <= 10; round++) {
          await Promise.all(
            projections.map((projection) =>
              store.commit(projection, BigInt(round), [
                { collection: `${projection}-docs`, id: `d-${round}`, doc: { round }, indexes: { round: [String(round % 3)] } },
              ]),
            ),
          );
        }
        for (const projection of projections) {
          expect(await store.checkpoint(projection)).to.equal(10n);
          expect(await store.listIds(`${projection}-docs`)).to.have.length(10);
          expect(await store.findIds(`${projection}-docs`, 'round', '0')).to.deep.equal(['d-3', 'd-6', 'd-9']);
        }
      });

      it('lets exactly one of two writers racing on one projection win (WATCH), and nothing of the other', async () => {
        await (await open()).commit('handoffs', 1n, baseline);
        const name = `rm-race-${randomBytes(4).toString('hex')}`;
        const first = await open({ connectionName: name });
        const second = await open({ connectionName: name });
        const write = (owner: string): DocumentWrite[] =>
          Array.from({ length: 50 }, (_, index) => ({
            collection: 'handoffs',
            id: `${owner}-${index}`,
            doc: { owner },
            indexes: { toAgency: [owner] },
          }));

        let attempts: Promise<PromiseSettledResult<void>[]> | undefined;
        await withWritesPaused(async () => {
          attempts = Promise.allSettled([first.commit('handoffs', 2n, write('first')), second.commit('handoffs', 3n, write('second'))]);
          await waitInsideMulti(`${name}:writer`, 2);
        });
        const outcomes = await attempts!;

        const won = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
        const lost = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult | undefined;
        expect(won).to.not.equal(-1);
        expect(lost?.reason).to.be.instanceOf(CheckpointConflictError);
        const [winner, loser] = won === 0 ? ['first', 'second'] : ['second', 'first'];
        const reader = await open();
        expect(await reader.checkpoint('handoffs')).to.equal(won === 0 ? 2n : 3n);
        expect(await reader.findIds('handoffs', 'toAgency', winner!)).to.have.length(50);
        expect(await reader.findIds('handoffs', 'toAgency', loser!)).to.deep.equal([]);
        expect(await reader.listIds('handoffs')).to.have.length(52);
      });
    });

    describe('keys', () => {
      it('keeps deployments under different key prefixes apart, also when one prefix extends the other', async () => {
        const outer = await open();
        const inner = await open({ keyPrefix: `${prefix}eu:` });
        const siblingPrefix = freshPrefix();
        const sibling = await open({ keyPrefix: siblingPrefix });
        try {
          for (const [store, owner] of [
            [outer, 'outer'],
            [inner, 'inner'],
            [sibling, 'sibling'],
          ] as const) {
            await store.commit('handoffs', owner === 'outer' ? 1n : 7n, [
              { collection: 'handoffs', id: 'h-1', doc: { owner }, indexes: { toAgency: [owner] } },
              { collection: 'handoffs', id: `only-${owner}`, doc: { owner }, indexes: { toAgency: ['a'] } },
            ]);
          }
          for (const [store, owner] of [
            [outer, 'outer'],
            [inner, 'inner'],
            [sibling, 'sibling'],
          ] as const) {
            expect(await store.get('handoffs', 'h-1')).to.deep.equal({ owner });
            expect(await store.listIds('handoffs')).to.deep.equal(['h-1', `only-${owner}`]);
            expect(await store.findIds('handoffs', 'toAgency', 'a')).to.deep.equal([`only-${owner}`]);
            expect(await store.findIds('handoffs', 'toAgency', owner)).to.deep.equal(['h-1']);
            expect(await store.checkpoint('handoffs')).to.equal(owner === 'outer' ? 1n : 7n);
          }

          await outer.reset(['handoffs'], ['handoffs']);
          expect(await outer.listIds('handoffs')).to.deep.equal([]);
          expect(await inner.listIds('handoffs')).to.deep.equal(['h-1', 'only-inner']);
          expect(await inner.findIds('handoffs', 'toAgency', 'a')).to.deep.equal(['only-inner']);
          expect(await inner.checkpoint('handoffs')).to.equal(7n);
          expect(await sibling.listIds('handoffs')).to.deep.equal(['h-1', 'only-sibling']);
        } finally {
          await sibling.close();
          await dropPrefix(siblingPrefix);
        }
      });

      it('keeps names containing ":" apart: collections, indexes and values', async () => {
        const store = await open();
        await store.commit('p', 1n, [
          { collection: 'cases', id: 'x', doc: { in: 'cases' }, indexes: { 'a:b': ['c'], a: ['b:c'] } },
          { collection: 'cases:ix', id: 'x', doc: { in: 'cases:ix' }, indexes: { a: ['b'] } },
          { collection: 'cases:ix:a', id: 'y', doc: { in: 'cases:ix:a' } },
        ]);
        expect(await store.get('cases', 'x')).to.deep.equal({ in: 'cases' });
        expect(await store.get('cases:ix', 'x')).to.deep.equal({ in: 'cases:ix' });
        expect(await store.findIds('cases', 'a:b', 'c')).to.deep.equal(['x']);
        expect(await store.findIds('cases', 'a', 'b:c')).to.deep.equal(['x']);
        expect(await store.findIds('cases', 'a', 'b')).to.deep.equal([]);
        expect(await store.listIds('cases:ix:a')).to.deep.equal(['y']);
        await store.reset(['p'], ['cases']);
        expect(await store.get('cases:ix', 'x')).to.deep.equal({ in: 'cases:ix' });
        expect(await store.findIds('cases:ix', 'a', 'b')).to.deep.equal(['x']);
      });

      it('leaves no key of the reset collections behind, also index keys emptied earlier', async () => {
        const store = await open();
        const keys = redisReadModelKeys(prefix);
        await store.commit('handoffs', 1n, [
          ...Array.from({ length: 30 }, (_, index) => ({
            collection: 'handoffs',
            id: `h-${index}`,
            doc: { index },
            indexes: { toAgency: [`agency-${index % 7}`], dueDate: [`2024-06-${String(1 + (index % 28)).padStart(2, '0')}`] },
          })),
          { collection: 'kept', id: 'k-1', doc: {}, indexes: { toAgency: ['agency-1'] } },
        ]);
        await store.commit('handoffs', 2n, [{ collection: 'handoffs', id: 'h-0', doc: null }]);
        await store.commit('other', 1n, []);

        await store.reset(['handoffs'], ['handoffs']);

        expect(await keysUnder(prefix)).to.deep.equal(
          [
            keys.checkpoint('other'),
            keys.documents('kept'),
            keys.ids('kept'),
            keys.entries('kept'),
            keys.indexRegistry('kept'),
            keys.index('kept', indexMember('toAgency', 'agency-1')),
            keys.range('kept', 'toAgency'),
          ].sort(),
        );
      });

      it('writes a range-only index as its range set alone, and reset finds it there', async () => {
        const store = await open();
        const keys = redisReadModelKeys(prefix);
        const board = (index: number) => ({
          collection: 'board',
          id: `h-${index}`,
          doc: { index },
          indexes: { board: ['*', 't:a', 'f:b'].map((scope) => `${scope}|R|${index}`), toAgency: ['a'] },
          rangeIndexes: ['board'],
        });
        await store.commit('board', 1n, Array.from({ length: 50 }, (_, index) => board(index)));
        await store.commit('board', 2n, [{ collection: 'board', id: 'h-0', doc: null, rangeIndexes: ['board'] }, { ...board(1), indexes: { board: ['*|E|1'] } }]);
        const collectionKeys = [keys.documents('board'), keys.ids('board'), keys.entries('board'), keys.indexRegistry('board'), keys.range('board', 'board')];
        // 147 board entries, no key per value: only the ordinary index has one
        expect(await keysUnder(prefix)).to.deep.equal(
          [...collectionKeys, keys.range('board', 'toAgency'), keys.index('board', indexMember('toAgency', 'a')), keys.checkpoint('board')].sort(),
        );
        expect(await admin().smembers(keys.indexRegistry('board'))).to.have.members(['board', indexMember('toAgency', 'a')]);
        expect(await store.countRange('board', 'board')).to.equal(3 * 48 + 1);
        expect(await store.findIds('board', 'board', '*|E|1')).to.deep.equal(['h-1']);
        expect(await store.findIds('board', 'toAgency', 'a')).to.have.length(49);

        await store.reset(['board'], ['board']);
        expect(await keysUnder(prefix)).to.deep.equal([]);
      });

      it('hands out a fresh copy on every read', async () => {
        const store = await open();
        await store.commit('p', 1n, [{ collection: 'cases', id: 'c-1', doc: { tags: ['a'] } }]);
        const first = (await store.get<{ tags: string[] }>('cases', 'c-1'))!;
        first.tags.push('changed');
        expect(Object.isFrozen(first)).to.equal(false);
        expect(await store.get('cases', 'c-1')).to.deep.equal({ tags: ['a'] });
      });
    });

    describe('volume (timings printed, not asserted)', function () {
      this.timeout(180_000);

      const agencies = ['ly-court', 'ly-procuratorate', 'ly-police', 'ly-justice', 'ly-gov'];
      const handoffDoc = (id: string, round: number) => ({
        handoffId: id,
        toAgency: agencies[round % 5],
        status: round % 2 === 0 ? 'REQUESTED' : 'RECEIVED',
        note: '移送材料：起诉书、证据目录及证据材料',
        _position: String(round),
      });

      it('one commit of 50,000 documents, then one replacing the index entries of 10,000', async () => {
        const store = await open();
        const id = (index: number): string => `h-${String(index).padStart(6, '0')}`;
        let started = performance.now();
        await store.commit(
          'handoffs',
          1n,
          Array.from({ length: 50_000 }, (_, index) => ({
            collection: 'handoffs',
            id: id(index),
            doc: handoffDoc(id(index), index),
            indexes: { toAgency: [agencies[index % 5]!], status: ['REQUESTED'] },
          })),
        );
        const insert = performance.now() - started;
        started = performance.now();
        await store.commit(
          'handoffs',
          2n,
          Array.from({ length: 10_000 }, (_, index) => ({
            collection: 'handoffs',
            id: id(index * 5),
            doc: handoffDoc(id(index * 5), 1),
            indexes: { status: ['RECEIVED'] },
          })),
        );
        const replace = performance.now() - started;
        console.log(`      Redis: commit of 50,000 new documents ${insert.toFixed(0)} ms; of 10,000 with replaced entries ${replace.toFixed(0)} ms`);

        expect(await store.listIds('handoffs')).to.have.length(50_000);
        expect(await store.findIds('handoffs', 'status', 'REQUESTED')).to.have.length(40_000);
        const received = await store.findIds('handoffs', 'status', 'RECEIVED');
        expect(received).to.have.length(10_000);
        expect(received.slice(0, 2)).to.deep.equal([id(0), id(5)]);
        expect(await store.findIds('handoffs', 'toAgency', 'ly-court')).to.have.length(10_000);
      });

      it('an ordered index of 100,000 entries', async () => {
        console.log(`      Redis: ${await measureOrderedIndex(await open(), 'clocks', 'clocks')}`);
      });

      it('100 commits of 1,000 documents, and getMany of 500', async () => {
        const store = await open();
        const pool = 20_000;
        const durations: number[] = [];
        const total = performance.now();
        for (let round = 0; round < 100; round++) {
          const writes: DocumentWrite[] = Array.from({ length: 1000 }, (_, index) => {
            const id = `h-${String((round * 1000 + index * 7919) % pool).padStart(5, '0')}`;
            return { collection: 'handoffs', id, doc: handoffDoc(id, round), indexes: { toAgency: [agencies[round % 5]!], status: [round % 2 === 0 ? 'REQUESTED' : 'RECEIVED'] } };
          });
          const started = performance.now();
          await store.commit('handoffs', BigInt(round + 1), writes);
          durations.push(performance.now() - started);
        }
        const elapsed = performance.now() - total;
        const ids = await store.listIds('handoffs');
        const sample = Array.from({ length: 500 }, (_, index) => ids[(index * 37) % ids.length]!);
        const reads: number[] = [];
        for (let attempt = 0; attempt < 50; attempt++) {
          const started = performance.now();
          const docs = await store.getMany<{ handoffId: string }>('handoffs', sample);
          reads.push(performance.now() - started);
          expect(docs.map((doc) => doc?.handoffId)).to.deep.equal(sample);
        }
        const findStarted = performance.now();
        const found = await store.findIds('handoffs', 'toAgency', 'ly-justice');
        const find = performance.now() - findStarted;
        console.log(
          `      Redis: 100 commits × 1,000 documents (2 indexes each) in ${elapsed.toFixed(0)} ms — per commit median ${quantile(durations, 0.5).toFixed(1)} ms, ` +
            `p95 ${quantile(durations, 0.95).toFixed(1)} ms (${((100_000 / elapsed) * 1000).toFixed(0)} documents/s); ` +
            `getMany of 500: median ${quantile(reads, 0.5).toFixed(2)} ms, p95 ${quantile(reads, 0.95).toFixed(2)} ms; ` +
            `findIds → ${found.length} ids ${find.toFixed(1)} ms`,
        );
        expect(await store.checkpoint('handoffs')).to.equal(100n);
        expect(ids.length).to.be.greaterThan(0);
      });
    });
  });
});

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
