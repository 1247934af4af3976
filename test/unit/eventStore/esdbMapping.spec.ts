/** The pure half of the EventStoreDB adapter: what can be checked without a server. */
import { expect } from 'chai';
import fc from 'fast-check';
import {
  AccessDeniedError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { ExpectedRevisionConflict, type EventMetadata } from '../../../ports/eventStore.js';
import {
  CLAIMED_TYPE,
  EventStoreAccessDeniedError,
  EventStoreUnavailableError,
  RELEASED_TYPE,
  claimIsPending,
  conflictFromWrongExpectedVersion,
  decodePosition,
  describeEndpoint,
  encodePosition,
  eventIdForIdempotencyKey,
  fromEsdbRevision,
  hasLogPosition,
  idempotencyStreamOf,
  isSystemEvent,
  liveClaims,
  parseIndexRecord,
  parseStoredMetadata,
  revisionMatches,
  toEsdbExpectedRevision,
  toStoredMetadata,
  translateEsdbError,
  uuidV5,
  type IndexRecord,
} from '../../../infra/eventStore/esdbMapping.js';

const UINT64_MAX = (1n << 64n) - 1n;
const context = { endpoint: 'esdb.example:2113', operation: 'appending to case-1' };

describe('EventStoreDB mapping', () => {
  describe('expected revisions', () => {
    it('maps no_stream and any to the client’s constants and a revision to a bigint', () => {
      expect(toEsdbExpectedRevision('no_stream')).to.equal('no_stream');
      expect(toEsdbExpectedRevision('any')).to.equal('any');
      expect(toEsdbExpectedRevision(0)).to.equal(0n);
      expect(toEsdbExpectedRevision(41)).to.equal(41n);
    });

    it('refuses revisions that are not non-negative integers', () => {
      for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) expect(() => toEsdbExpectedRevision(bad)).to.throw(RangeError);
    });

    it('maps the server’s current revision back, no_stream to null', () => {
      expect(fromEsdbRevision('no_stream')).to.equal(null);
      expect(fromEsdbRevision(0n)).to.equal(0);
      expect(fromEsdbRevision(1234n)).to.equal(1234);
      expect(() => fromEsdbRevision(UINT64_MAX)).to.throw(RangeError);
    });

    it('matches expected against actual as the port defines it', () => {
      expect(revisionMatches('any', null)).to.equal(true);
      expect(revisionMatches('any', 3)).to.equal(true);
      expect(revisionMatches('no_stream', null)).to.equal(true);
      expect(revisionMatches('no_stream', 0)).to.equal(false);
      expect(revisionMatches(2, 2)).to.equal(true);
      expect(revisionMatches(2, 3)).to.equal(false);
      expect(revisionMatches(0, null)).to.equal(false);
    });

    it('turns WrongExpectedVersionError into ExpectedRevisionConflict with the actual revision', () => {
      const existing = new WrongExpectedVersionError(undefined, { streamName: 'case-1', current: 4n, expected: 2n });
      const conflict = conflictFromWrongExpectedVersion(existing, 'case-1', 2);
      expect(conflict).to.be.instanceOf(ExpectedRevisionConflict);
      expect(conflict).to.include({ streamId: 'case-1', expected: 2, actual: 4 });
      const missing = new WrongExpectedVersionError(undefined, { streamName: 'case-2', current: 'no_stream', expected: 0n });
      expect(conflictFromWrongExpectedVersion(missing, 'case-2', 0)).to.include({ expected: 0, actual: null });
    });
  });

  describe('positions', () => {
    const esdbPosition = fc.record({ commit: fc.bigInt(0n, UINT64_MAX - 1n), prepare: fc.bigInt(0n, UINT64_MAX - 1n) });

    it('round-trips every commit/prepare pair exactly', () => {
      fc.assert(
        fc.property(esdbPosition, (position) => {
          expect(decodePosition(encodePosition(position))).to.deep.equal(position);
        }),
      );
      for (const position of [
        { commit: 0n, prepare: 0n },
        { commit: 4096n, prepare: 4096n },
        { commit: 4096n, prepare: 4480n },
        { commit: UINT64_MAX - 1n, prepare: UINT64_MAX - 1n },
      ]) {
        expect(decodePosition(encodePosition(position))).to.deep.equal(position);
      }
    });

    it('orders positions as $all does: by commit, then prepare', () => {
      const lexicographic = (a: { commit: bigint; prepare: bigint }, b: { commit: bigint; prepare: bigint }): number =>
        a.commit === b.commit ? Number(a.prepare > b.prepare) - Number(a.prepare < b.prepare) : Number(a.commit > b.commit) - Number(a.commit < b.commit);
      fc.assert(
        fc.property(esdbPosition, esdbPosition, (a, b) => {
          const [x, y] = [encodePosition(a), encodePosition(b)];
          expect(Number(x > y) - Number(x < y)).to.equal(lexicographic(a, b));
        }),
      );
    });

    it('keeps the events of one multi-event append distinct and in order, and after the append before it', () => {
      // one append: commit = the first event's log position, each event its own prepare position
      const earlier = encodePosition({ commit: 1000n, prepare: 1000n });
      const write = [4096n, 4224n, 4352n].map((prepare) => encodePosition({ commit: 4096n, prepare }));
      expect(new Set(write).size).to.equal(3);
      expect(write[0]! > earlier && write[0]! < write[1]! && write[1]! < write[2]!).to.equal(true);
    });

    it('tells a real log position from what servers before 22.6 return for stream reads', () => {
      expect(hasLogPosition({ commit: 4096n, prepare: 4224n })).to.equal(true);
      expect(hasLogPosition(undefined)).to.equal(false);
      expect(hasLogPosition({ commit: 0n, prepare: 0n })).to.equal(false);
      expect(hasLogPosition({ commit: UINT64_MAX, prepare: UINT64_MAX })).to.equal(false);
    });

    it('refuses what is not a log position, and values it did not make', () => {
      expect(() => encodePosition({ commit: UINT64_MAX, prepare: UINT64_MAX })).to.throw(RangeError, /not an EventStoreDB log position/);
      expect(() => encodePosition({ commit: -1n, prepare: 0n })).to.throw(RangeError);
      expect(() => decodePosition(-1n)).to.throw(RangeError);
      expect(() => decodePosition(1n << 128n)).to.throw(RangeError);
    });
  });

  describe('idempotency keys', () => {
    it('derives RFC 4122 version-5 UUIDs (the RFC’s own example)', () => {
      expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).to.equal('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    });

    it('gives the same key the same event id, and different keys different ids', () => {
      expect(eventIdForIdempotencyKey('ly-court/evt-001')).to.equal('b83b2c6c-3f77-5582-b43a-5d507f29c8af');
      expect(eventIdForIdempotencyKey('ly-court/evt-001')).to.equal(eventIdForIdempotencyKey('ly-court/evt-001'));
      expect(eventIdForIdempotencyKey('ly-court/evt-002')).not.to.equal(eventIdForIdempotencyKey('ly-court/evt-001'));
      fc.assert(
        fc.property(fc.string(), (key) => {
          expect(eventIdForIdempotencyKey(key)).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        }),
      );
    });

    it('keeps each key’s claims in its own plain (non-$) stream named by the key’s SHA-256', () => {
      const streamId = idempotencyStreamOf('ly-police/报警-1');
      expect(streamId).to.match(/^liandong\.idempotency-[0-9a-f]{64}$/);
      expect(idempotencyStreamOf('ly-police/报警-1')).to.equal(streamId);
      expect(idempotencyStreamOf('ly-police/报警-2')).not.to.equal(streamId);
    });

    const created = new Date('2024-05-06T01:30:00.000Z');
    const claim = (indexRevision: number, revision = 0): IndexRecord =>
      parseIndexRecord(CLAIMED_TYPE, indexRevision, created, { idempotencyKey: 'k', streamId: 'case-1', revision, eventId: 'e' })!;
    const release = (indexRevision: number, claimRevision: number): IndexRecord =>
      parseIndexRecord(RELEASED_TYPE, indexRevision, created, { claimRevision })!;

    it('reads claim and release records, and ignores anything else', () => {
      expect(claim(0, 7)).to.deep.equal({ kind: 'claimed', indexRevision: 0, createdAt: created, target: { streamId: 'case-1', revision: 7, eventId: 'e' } });
      expect(release(1, 0)).to.deep.equal({ kind: 'released', indexRevision: 1, claimRevision: 0 });
      expect(parseIndexRecord(CLAIMED_TYPE, 0, created, { streamId: 'case-1' })).to.equal(null);
      expect(parseIndexRecord('something.else', 0, created, {})).to.equal(null);
      expect(parseIndexRecord(RELEASED_TYPE, 0, created, null)).to.equal(null);
    });

    it('only unreleased claims can hold the key’s event', () => {
      expect(liveClaims([claim(0), release(1, 0), claim(2, 3)]).map((record) => record.indexRevision)).to.deep.equal([2]);
      expect(liveClaims([claim(0), claim(1)]).map((record) => record.indexRevision)).to.deep.equal([0, 1]);
      expect(liveClaims([])).to.deep.equal([]);
    });

    it('a last claim is pending until the claim timeout, measured from when the server recorded it', () => {
      const at = (ms: number): number => created.getTime() + ms;
      expect(claimIsPending([claim(0)], at(29_999), 30_000)).to.equal(true);
      expect(claimIsPending([claim(0)], at(30_000), 30_000)).to.equal(false);
      expect(claimIsPending([claim(0), release(1, 0)], at(1), 30_000)).to.equal(false);
      expect(claimIsPending([], at(1), 30_000)).to.equal(false);
    });
  });

  describe('events and metadata', () => {
    const platform: EventMetadata = { source: 'ly-court', eventId: 'evt-1', principal: '法院', channel: 'kafka', time: '2024-05-06T09:30:00+08:00' };

    it('treats $-streams and $-types as system events', () => {
      expect(isSystemEvent('$stats-127.0.0.1:2113', 'x')).to.equal(true);
      expect(isSystemEvent('case-1', '$>')).to.equal(true);
      expect(isSystemEvent(idempotencyStreamOf('k'), CLAIMED_TYPE)).to.equal(true);
      expect(isSystemEvent('case-1', 'case.registered')).to.equal(false);
    });

    it('stores platform metadata, key, recordedAt and the chain, and reads them back', () => {
      const stored = toStoredMetadata({ type: 't', data: {}, metadata: platform, idempotencyKey: 'ly-court/evt-1' }, '2024-05-06T01:30:00.000Z', {
        hash: 'ab',
        prevHash: null,
      });
      expect(parseStoredMetadata(JSON.parse(JSON.stringify(stored)))).to.deep.equal({
        platform,
        idempotencyKey: 'ly-court/evt-1',
        recordedAt: '2024-05-06T01:30:00.000Z',
        hash: 'ab',
        prevHash: null,
      });
      expect(toStoredMetadata({ type: 't', data: {}, metadata: platform }, 'r', { hash: 'h', prevHash: 'p' }).idempotencyKey).to.equal(null);
    });

    it('does not take other applications’ events for its own', () => {
      expect(parseStoredMetadata(undefined)).to.equal(null);
      expect(parseStoredMetadata(new Uint8Array([1]))).to.equal(null);
      expect(parseStoredMetadata({ $correlationId: 'x' })).to.equal(null);
      expect(parseStoredMetadata({ platform, idempotencyKey: 5, recordedAt: 'r' })).to.equal(null);
    });

    it('reads an event without a stored hash as hash ""', () => {
      expect(parseStoredMetadata({ platform, idempotencyKey: null, recordedAt: 'r' })).to.include({ hash: '', prevHash: null });
    });
  });

  describe('errors', () => {
    it('says where the server is without repeating credentials', () => {
      expect(describeEndpoint('esdb://admin:changeit@es1.local:2113,es2.local:2113?tls=true')).to.equal('es1.local:2113,es2.local:2113');
      expect(describeEndpoint('esdb+discover://cluster.local:2113')).to.equal('cluster.local:2113');
      expect(describeEndpoint('esdb://127.0.0.1:2113?tls=false')).to.equal('127.0.0.1:2113');
      expect(describeEndpoint('nonsense')).to.equal('(unparseable connection string)');
    });

    it('turns an unreachable server into EventStoreUnavailableError naming the endpoint and the operation', () => {
      const translated = translateEsdbError(new UnavailableError(undefined, '14 UNAVAILABLE: No connection established'), context);
      expect(translated).to.be.instanceOf(EventStoreUnavailableError);
      expect(translated.message).to.equal(
        'EventStoreDB at esdb.example:2113 is not reachable (appending to case-1): 14 UNAVAILABLE: No connection established. ' +
          'Check EVENTSTORE_URL and that the server (or the cluster leader) is up.',
      );
      expect(translated.cause).to.be.instanceOf(UnavailableError);
    });

    it('also recognises the raw gRPC errors the client passes through unconverted (its append path does)', () => {
      const raw = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
      expect(translateEsdbError(raw, context)).to.be.instanceOf(EventStoreUnavailableError);
      const late = Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 });
      expect(translateEsdbError(late, context).message).to.match(/did not answer in time/);
      const anonymous = Object.assign(new Error('16 UNAUTHENTICATED'), { code: 16 });
      expect(translateEsdbError(anonymous, context)).to.be.instanceOf(EventStoreAccessDeniedError);
    });

    it('turns timeouts into EventStoreUnavailableError', () => {
      expect(translateEsdbError(new DeadlineExceededError(undefined, 'deadline'), context)).to.be.instanceOf(EventStoreUnavailableError);
    });

    it('explains refused access, deleted streams and oversized appends', () => {
      const denied = translateEsdbError(new AccessDeniedError(undefined, 'Access denied'), context);
      expect(denied).to.be.instanceOf(EventStoreAccessDeniedError);
      expect(denied.message).to.match(/needs read on \$all/);
      expect(translateEsdbError(StreamDeletedError.fromStreamName('case-9'), context).message).to.match(/stream case-9 has been deleted/);
      expect(translateEsdbError(MaxAppendSizeExceededError.fromMaxAppendSize(1048576), context).message).to.match(/1048576 bytes/);
    });

    it('returns anything else unchanged', () => {
      const unknown = new UnknownError(undefined, 'boom');
      expect(translateEsdbError(unknown, context)).to.equal(unknown);
      const plain = new TypeError('bug');
      expect(translateEsdbError(plain, context)).to.equal(plain);
      expect(translateEsdbError('text', context).message).to.equal('text');
    });
  });
});
