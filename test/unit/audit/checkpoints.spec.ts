import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { fixedClock } from '../../../infra/clock.js';
import type { EventStore, NewEvent } from '../../../ports/eventStore.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import {
  bodyOf,
  CHECKPOINT_STREAM,
  createCheckpointWriter,
  HeadSet,
  parseCheckpoint,
  scheduleCheckpoints,
  signedMessage,
  type CheckpointData,
} from '../../../infra/audit/checkpoints.js';
import { signerFromPrivateKey, trustedKeys, verifySignature } from '../../../infra/audit/signingKey.js';
import { verifyStore } from '../../../infra/audit/verify.js';
import { eventLoopTurns } from '../eventLoopTurns.js';

const fact = (n: number): NewEvent => ({ type: 'case.noted', data: { n }, metadata: { source: 'ly-court', eventId: null, principal: null, channel: 'http', time: '2024-09-10T09:00:00+08:00' } });

async function appendTo(store: EventStore, streamId: string, count: number): Promise<void> {
  const current = await store.readStream(streamId);
  await store.append([{ streamId, expectedRevision: current.length === 0 ? 'no_stream' : current.length - 1, events: Array.from({ length: count }, (_, index) => fact(index)) }]);
}

async function checkpoints(store: EventStore): Promise<CheckpointData[]> {
  return (await store.readStream(CHECKPOINT_STREAM)).map((event) => parseCheckpoint(event) as CheckpointData);
}

describe('signed checkpoints', () => {
  let store: ReturnType<typeof openSqliteEventStore>;
  const signer = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey);
  const clock = fixedClock('2024-09-10T01:00:00.000Z');

  beforeEach(() => {
    store = openSqliteEventStore({ path: ':memory:', clock });
  });
  afterEach(async () => {
    await store.close();
  });

  it('writes nothing for an empty store or when nothing is new', async () => {
    const writer = createCheckpointWriter({ store, signer, clock });
    expect(await writer.write()).to.equal(null);
    await appendTo(store, 'case-a', 2);
    expect(await writer.write()).to.not.equal(null);
    expect(await writer.write(), 'its own checkpoint is not news').to.equal(null);
  });

  it('lists the heads that moved, signs a Merkle root over all heads, and links to the previous checkpoint', async () => {
    const writer = createCheckpointWriter({ store, signer, clock, pageSize: 3 });
    await appendTo(store, 'case-a', 3);
    await appendTo(store, 'case-b', 2);
    const first = await writer.write();
    expect(first).to.deep.include({ position: 6n, covers: 5n, eventCount: 5, streamCount: 2, added: 5, keyId: signer.keyId });
    await appendTo(store, 'case-b', 1);
    await appendTo(store, 'case-c', 1);
    const second = await writer.write();
    expect(second).to.deep.include({ position: 9n, covers: 8n, eventCount: 7, streamCount: 3, added: 2 });

    const [one, two] = await checkpoints(store);
    const stored = await store.readStream(CHECKPOINT_STREAM);
    expect(one!.heads.map(([streamId, revision, position]) => [streamId, revision, position])).to.deep.equal([
      ['case-a', 2, '3'],
      ['case-b', 1, '5'],
    ]);
    expect(two!.heads.map(([streamId, revision, position]) => [streamId, revision, position])).to.deep.equal([
      ['case-b', 2, '7'],
      ['case-c', 0, '8'],
    ]);
    expect([one!.previous, two!.previous]).to.deep.equal([null, stored[0]!.hash]);
    expect([one!.previousPosition, two!.previousPosition, two!.position]).to.deep.equal(['0', '5', '8']);

    // the root is over every head, not only the moved ones
    const all = new HeadSet();
    for (const event of await store.readAll()) if (event.streamId !== CHECKPOINT_STREAM) all.set(event.streamId, { revision: event.revision, position: event.position, hash: event.hash });
    expect(two!.root).to.equal(all.root());
    for (const checkpoint of [one!, two!]) expect(verifySignature(signer.publicKey, signedMessage(bodyOf(checkpoint)), Buffer.from(checkpoint.signature, 'base64'))).to.equal(true);
    expect(verifySignature(signer.publicKey, signedMessage({ ...bodyOf(two!), eventCount: 8 }), Buffer.from(two!.signature, 'base64'))).to.equal(false);
  });

  it('seals the stored rows as the port reads them, a page per turn of the event loop', async () => {
    for (let n = 0; n < 25; n++) await appendTo(store, `case-${n}`, 40);
    // the same store seen only through the port (no readChainRows): what a PostgreSQL or EventStoreDB store offers
    const portOnly = openSqliteEventStore({ path: ':memory:', clock });
    try {
      for (let n = 0; n < 25; n++) await appendTo(portOnly, `case-${n}`, 40);
      const throughPort: EventStore = {
        append: (requests) => portOnly.append(requests),
        readStream: (streamId, options) => portOnly.readStream(streamId, options),
        readAll: (options) => portOnly.readAll(options),
        headPosition: () => portOnly.headPosition(),
        findByIdempotencyKeys: (keys) => portOnly.findByIdempotencyKeys(keys),
        subscribe: (options) => portOnly.subscribe(options),
        close: () => portOnly.close(),
      };
      const turns = eventLoopTurns();
      const fromRows = await createCheckpointWriter({ store, signer, clock, pageSize: 100 }).write();
      turns.stop();
      const fromPort = await createCheckpointWriter({ store: throughPort, signer, clock, pageSize: 100 }).write();
      expect(fromRows).to.deep.equal(fromPort);
      expect(fromRows!.added).to.equal(1000);
      const [a] = await checkpoints(store);
      const [b] = await checkpoints(portOnly);
      expect(bodyOf(a!)).to.deep.equal(bodyOf(b!));
      // ten pages of 100 from a store that reads synchronously: the loop went round between them
      expect(turns.count()).to.be.at.least(9);
    } finally {
      await portOnly.close();
    }
  });

  it('hashes a city of streams into its heads and Merkle tree a slice per turn of the event loop, each moved stream once', async () => {
    // 3,000 streams in one page: what is left after the reading is the heads and the tree
    await store.append(Array.from({ length: 3000 }, (_, n) => ({ streamId: `case-${n}`, expectedRevision: 'no_stream' as const, events: [fact(0), fact(1)] })));
    const turns = eventLoopTurns();
    // a slice of no time: every pause is a turn, so the count shows where the writer pauses, whatever this machine's speed
    const written = await createCheckpointWriter({ store, signer, clock, pageSize: 10_000, sliceMs: 0 }).write();
    turns.stop();
    expect(written).to.deep.include({ added: 6000, streamCount: 3000 });
    const [checkpoint] = await checkpoints(store);
    // each stream listed once, at its newest head
    expect(checkpoint!.heads).to.have.length(3000);
    expect(new Set(checkpoint!.heads.map(([, revision]) => revision))).to.deep.equal(new Set([1]));
    const all = new HeadSet();
    for (const event of await store.readAll()) if (event.streamId !== CHECKPOINT_STREAM) all.set(event.streamId, { revision: event.revision, position: event.position, hash: event.hash });
    expect(checkpoint!.root).to.equal(all.root());
    // a pause after each of the 3,000 heads, one per 2,048 nodes of the tree, one after signing: the old writer did
    // all of it in one stretch
    expect(turns.count()).to.be.at.least(3000);
  });

  it('carries on from the stored checkpoints in a new process, and after another writer got in first', async () => {
    await appendTo(store, 'case-a', 2);
    await createCheckpointWriter({ store, signer, clock }).write();
    const later = createCheckpointWriter({ store, signer, clock });
    const rival = createCheckpointWriter({ store, signer, clock });
    expect(await rival.write(), 'nothing new: but now it knows one checkpoint').to.equal(null);
    await appendTo(store, 'case-b', 1);
    expect(await later.write()).to.deep.include({ eventCount: 3, streamCount: 2, added: 1 });
    await appendTo(store, 'case-a', 1);
    // the rival still thinks there is one checkpoint: its append conflicts, it reloads and writes on top
    expect(await rival.write()).to.deep.include({ eventCount: 4, streamCount: 2, added: 1 });
    expect(await later.write(), 'the rival sealed everything').to.equal(null);
    await appendTo(store, 'case-c', 1);
    expect(await later.write()).to.deep.include({ eventCount: 5, streamCount: 3 });

    const report = await verifyStore({ store, trustedKeys: trustedKeys([signer.publicKey]) });
    expect(report, report.detail).to.deep.include({ ok: true, checkpoints: 4 });
  });

  it('on a schedule: every interval when something is new, and once more when stopped', async () => {
    const writer = createCheckpointWriter({ store, signer, clock });
    const written: bigint[] = [];
    const errors: unknown[] = [];
    const schedule = scheduleCheckpoints({ writer, intervalMs: 20, onWritten: (checkpoint) => written.push(checkpoint.covers), onError: (error) => errors.push(error) });
    await appendTo(store, 'case-a', 1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await appendTo(store, 'case-a', 1);
    const last = await schedule.stop();
    expect(errors).to.deep.equal([]);
    expect(written).to.deep.equal([1n]);
    expect(last).to.deep.include({ covers: 3n });
    expect(await checkpoints(store)).to.have.length(2);
  });
});
