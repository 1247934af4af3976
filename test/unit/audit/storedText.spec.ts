/**
 * Verification from the stored texts (infra/eventStore/eventHash.ts eventHashFromStoredText, the SQLite
 * store's readChainRows, the fast path of infra/audit/verify.ts): the texts the SQLite store now writes are
 * the canonical ones, a match of the stored hash is proof, and everything else takes the slow path with the
 * same findings as before.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { fixedClock } from '../../../infra/clock.js';
import { canonicalJson } from '../../../ports/canonicalJson.js';
import { eventHash, eventHashFromStoredText, type ChainedEvent } from '../../../infra/eventStore/eventHash.js';
import { portOnly } from '../../../infra/eventStore/portOnly.js';
import type { EventMetadata, EventStore, NewEvent } from '../../../ports/eventStore.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { createCheckpointWriter } from '../../../infra/audit/checkpoints.js';
import { signerFromPrivateKey, trustedKeys, type CheckpointSigner } from '../../../infra/audit/signingKey.js';
import type { AuditReport } from '../../../ports/audit.js';
import { verifyStore } from '../../../infra/audit/verify.js';

const event: ChainedEvent = {
  streamId: 'case-XJ-1',
  revision: 2,
  type: 'handoff.requested',
  data: { to: 'xj-procuratorate', handoffId: 'h1', purpose: 'review_prosecution', note: '移送材料', amounts: [1, 2.5, -0, 1e21] },
  metadata: {
    source: 'xj-police',
    eventId: 'evt-7',
    principal: 'police-system',
    channel: 'http',
    time: '2024-09-10T09:00:00+08:00',
    subject: 'XJ-1',
    extensions: { traceparent: '00-abc', nested: { a: 0, time: 'not this one' } },
    causedBy: '17',
  },
  recordedAt: '2024-09-10T01:00:00.123Z',
  prevHash: 'a'.repeat(64),
};

const fromStored = (e: ChainedEvent, data = canonicalJson(e.data), metadata = canonicalJson(e.metadata)): string | null =>
  eventHashFromStoredText(data, metadata, { streamId: e.streamId, revision: e.revision, type: e.type, recordedAt: e.recordedAt, prevHash: e.prevHash });

describe('event hash from the stored texts', () => {
  it('equals the event hash for canonical texts, with or without prevHash and optional metadata', () => {
    expect(fromStored(event)).to.equal(eventHash(event));
    const first = { ...event, revision: 0, prevHash: null };
    expect(fromStored(first)).to.equal(eventHash(first));
    const plain = { ...event, metadata: { source: null, eventId: null, principal: null, channel: 'platform' as const, time: '2024-09-10T09:00:00Z' } };
    expect(fromStored(plain)).to.equal(eventHash(plain));
    // quotes and backslashes in the other fields are written as JSON.stringify writes them
    const quoted = { ...event, streamId: 'case-"1"\\', type: 'a"b' };
    expect(fromStored(quoted)).to.equal(eventHash(quoted));
  });

  it('equals the event hash for any canonical data (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string({ minLength: 1 }), (data, streamId) => {
        const e = { ...event, streamId, data: JSON.parse(JSON.stringify(data)) as Record<string, unknown> };
        const fast = fromStored(e);
        // null, or a text that does not match (a control character in the stream id): never a wrong match
        if (fast !== null && !/[\u0000-\u001f]/.test(streamId)) expect(fast).to.equal(eventHash(e));
      }),
    );
  });

  it('never matches texts that are not the canonical ones', () => {
    const stored = eventHash(event);
    expect(fromStored(event, JSON.stringify(event.data))).to.not.equal(stored); // keys not sorted
    expect(fromStored(event, canonicalJson({ ...event.data, note: '移送材料已改' }))).to.not.equal(stored);
    expect(fromStored({ ...event, recordedAt: '2024-09-10T01:00:00.124Z' })).to.not.equal(stored);
    expect(fromStored({ ...event, type: 'handoff.received' })).to.not.equal(stored);
  });

  it('refuses (null) texts whose split between data and metadata could have been moved', () => {
    // metadata with `,"metadata":` inside: the stored texts can be cut elsewhere and still concatenate to
    // the same hashed text, while neither part is the JSON that was stored
    const e = { ...event, metadata: { ...event.metadata, extensions: { a: 1, metadata: 2 } } };
    const data = canonicalJson(e.data);
    const metadata = canonicalJson(e.metadata);
    const cut = metadata.indexOf(',"metadata":');
    expect(cut).to.be.greaterThan(0);
    const movedData = `${data},"metadata":${metadata.slice(0, cut)}`;
    const movedMetadata = metadata.slice(cut + ',"metadata":'.length);
    expect(`${movedData},"metadata":${movedMetadata}`).to.equal(`${data},"metadata":${metadata}`);
    expect(fromStored(e, movedData, movedMetadata)).to.equal(null);
    expect(fromStored(e)).to.equal(null); // the honest texts too: they take the slow path
  });

  it('refuses (null) metadata that does not end with its time member, and columns of other types', () => {
    expect(fromStored(event, undefined, JSON.stringify(event.metadata))).to.equal(null); // time not last
    expect(fromStored(event, undefined, canonicalJson({ ...event.metadata, time: 'a"b' }))).to.equal(null);
    expect(fromStored({ ...event, revision: '2' as unknown as number })).to.equal(null);
    expect(fromStored({ ...event, streamId: 7 as unknown as string })).to.equal(null);
  });
});

describe('SQLite store: canonical texts and the auditor’s rows', () => {
  let dir: string;
  let store: SqliteEventStore;
  const metadata: EventMetadata = { source: 'ly-court', eventId: 'e-1', principal: 'clerk', channel: 'http', time: '2024-09-10T09:00:00+08:00', subject: 'S-1' };
  const fact = (label: string, extra: Record<string, unknown> = {}): NewEvent => ({ type: 'case.noted', data: { zeta: label, alpha: { y: 1, x: [2, 1] }, note: '移送材料', ...extra }, metadata });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-storedtext-'));
    store = openSqliteEventStore({ path: join(dir, 'liandong.db'), clock: fixedClock('2024-09-10T01:00:00.000Z') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores data and metadata as their canonical JSON, reads back the same values', async () => {
    await store.append([{ streamId: 'case-A', expectedRevision: 'no_stream', events: [fact('A0')] }]);
    const row = store.database.prepare('SELECT data, metadata FROM events WHERE position = 1').get() as { data: string; metadata: string };
    expect(row.data).to.equal('{"alpha":{"x":[2,1],"y":1},"note":"移送材料","zeta":"A0"}');
    expect(row.metadata).to.equal(canonicalJson(metadata));
    const [read] = await store.readAll();
    expect(read!.data).to.deep.equal(fact('A0').data);
    expect(read!.metadata).to.deep.equal(metadata);
    expect(eventHash(read!)).to.equal(read!.hash);
  });

  it('hands the auditor its rows as stored, with positions as numbers, paged', async () => {
    await store.append([{ streamId: 'case-A', expectedRevision: 'no_stream', events: [fact('A0'), fact('A1')] }]);
    await store.append([{ streamId: 'case-B', expectedRevision: 'no_stream', events: [fact('B0')] }]);
    const events = await store.readAll();
    const rows = store.readChainRows(0, 10);
    expect(rows.map((row) => row[0])).to.deep.equal([1, 2, 3]);
    for (const [index, [position, streamId, revision, type, data, metadataText, recordedAt, hash, prevHash]] of rows.entries()) {
      const e = events[index]!;
      expect([BigInt(position), streamId, revision, type, recordedAt, hash, prevHash]).to.deep.equal([e.position, e.streamId, e.revision, e.type, e.recordedAt, e.hash, e.prevHash]);
      expect(eventHashFromStoredText(data, metadataText, { streamId, revision, type, recordedAt, prevHash })).to.equal(hash);
    }
    expect(store.readChainRows(1, 1).map((row) => row[0])).to.deep.equal([2]);
    expect(store.readChainRows(3, 10)).to.deep.equal([]);
  });
});

describe('verifyStore on the SQLite store: fast path and slow path give the same reports', () => {
  let dir: string;
  let store: SqliteEventStore;
  let signer: CheckpointSigner;
  const metadata: EventMetadata = { source: 'ly-court', eventId: null, principal: 'clerk', channel: 'http', time: '2024-09-10T09:00:00+08:00' };
  const fact = (label: string): NewEvent => ({ type: 'case.noted', data: { label, note: '移送材料已签收', amount: 12.5 }, metadata });
  const verify = (on: EventStore = store): Promise<AuditReport> => verifyStore({ store: on, trustedKeys: trustedKeys([signer.publicKey]) });
  /** rewrites every row's texts as the store wrote them before they were canonical (JSON.stringify) */
  const rewriteAsBefore = (): void => {
    const rows = store.database.prepare('SELECT position, data, metadata FROM events').all() as { position: number; data: string; metadata: string }[];
    const update = store.database.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?');
    for (const row of rows) {
      const reversed = (text: string) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(text) as object).reverse()));
      update.run(reversed(row.data), reversed(row.metadata), row.position);
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-verifyfast-'));
    const clock = fixedClock('2024-09-10T01:00:00.000Z');
    store = openSqliteEventStore({ path: join(dir, 'liandong.db'), clock });
    signer = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey);
    const writer = createCheckpointWriter({ store, signer, clock });
    await store.append([{ streamId: 'case-A', expectedRevision: 'no_stream', events: [fact('A0'), fact('A1')] }]);
    await store.append([{ streamId: 'case-B', expectedRevision: 'no_stream', events: [fact('B0')] }]);
    clock.advance(60_000);
    await writer.write();
    await store.append([{ streamId: 'case-A', expectedRevision: 1, events: [fact('A2')] }]);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies a clean store without reading it through readAll, with the generic path’s report', async () => {
    const generic = await verify(portOnly(store));
    let readAllCalls = 0;
    const readAll = store.readAll.bind(store);
    store.readAll = async (options) => {
      readAllCalls += 1;
      return readAll(options);
    };
    const fast = await verify();
    expect(readAllCalls).to.equal(0);
    expect(fast, fast.detail).to.deep.include({ ok: true, checked: 5, checkpoints: 1, sealedThrough: 3n, unsealed: 1 });
    expect(fast).to.deep.equal(generic);
  });

  it('verifies rows written before the texts were canonical (the slow path), as before', async () => {
    rewriteAsBefore();
    const report = await verify();
    expect(report, report.detail).to.deep.include({ ok: true, checked: 5, findingCount: 0 });
    expect(report).to.deep.equal(await verify(portOnly(store)));
  });

  it('finds a changed event the same way on both paths, canonical or not', async () => {
    const change = (text: string) => text.replace('"A1"', '"A9"');
    const row = store.database.prepare('SELECT data FROM events WHERE position = 2').pluck().get() as string;
    store.database.prepare('UPDATE events SET data = ? WHERE position = 2').run(change(row));
    const fast = await verify();
    expect(fast).to.deep.include({ ok: false, firstBrokenPosition: 2n, findingCount: 1 });
    expect(fast.detail).to.match(/流 case-A 修订 1（位置 2）的内容与存储的哈希不符/);
    expect(fast).to.deep.equal(await verify(portOnly(store)));

    rewriteAsBefore();
    expect(await verify()).to.deep.equal(await verify(portOnly(store)));
  });

  it('does not take moved data/metadata texts for the stored event: they fail as the generic path fails', async () => {
    await store.append([
      { streamId: 'case-C', expectedRevision: 'no_stream', events: [{ type: 'case.noted', data: { label: 'C0' }, metadata: { ...metadata, extensions: { a: 1, metadata: 2 } } }] },
    ]);
    const position = Number(await store.headPosition());
    const stored = store.database.prepare('SELECT data, metadata FROM events WHERE position = ?').get(position) as { data: string; metadata: string };
    const cut = stored.metadata.indexOf(',"metadata":');
    // the same concatenation, so the same hashed text: only the check on the split stops a false "ok"
    store.database
      .prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?')
      .run(`${stored.data},"metadata":${stored.metadata.slice(0, cut)}`, stored.metadata.slice(cut + ',"metadata":'.length), position);
    let generic: unknown;
    await verify(portOnly(store)).catch((error: unknown) => (generic = error));
    let fast: unknown;
    await verify().catch((error: unknown) => (fast = error));
    expect(generic).to.be.instanceOf(SyntaxError);
    expect(fast).to.be.instanceOf(SyntaxError);
    expect((fast as Error).message).to.equal((generic as Error).message);
  });
});
