/**
 * The auditors' GraphQL (graphql.md; docs/audit.md) against the platform wired in this process as the
 * embedded composition root wires it, with a fixed clock so every recordedAt is known: `case(asOf)` around
 * recordedAt boundaries, `history` from the stored hash chain, `auditVerify`, and the access log entry of
 * every kind of operation.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { AccessLog } from '../../../ports/accessLog.js';
import { createCheckpointWriter } from '../../../infra/audit/checkpoints.js';
import { signerFromPrivateKey, trustedKeys } from '../../../infra/audit/signingKey.js';
import { fixedClock } from '../../../infra/clock.js';
import type { EventMetadata, NewEvent } from '../../../ports/eventStore.js';
import type { SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { gql } from '../../e2e/harness.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const ORGANIZER = 'test-organizer-token';
const AUDITOR = 'test-auditor-token';
const COURT = 'test-court-token'; // publisher + viewer

/** recordedAt of the three appends */
const T1 = '2024-09-10T01:00:00.000Z'; // case.registered (09:00 China time)
const T2 = '2024-09-10T01:00:00.001Z'; // handoff.requested, one millisecond later
const T3 = '2024-09-11T01:00:00.000Z'; // handoff.received, a day later

const metadata = (source: string, time: string): EventMetadata => ({ source, eventId: null, principal: `${source}-system`, channel: 'http', time, subject: 'XJ-1' });

describe('auditors over GraphQL: asOf, history, auditVerify, access log', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'ld-audit-gql-'));
  const clock = fixedClock(T1);
  const signer = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey);
  let platform: InProcessPlatform;
  let store: SqliteEventStore;
  let accessLog: AccessLog;
  let base: string;

  before(async () => {
    platform = await startInProcessPlatform(dir, { clock, accessLog: true, auditKeys: trustedKeys([signer.publicKey]) });
    ({ store, base } = platform);
    accessLog = platform.accessLog!;

    const append = async (at: string, expectedRevision: number | 'no_stream', event: NewEvent) => {
      clock.set(at);
      await store.append([{ streamId: 'case-XJ-1', expectedRevision, events: [event] }]);
    };
    await append(T1, 'no_stream', {
      type: 'case.registered',
      data: { kind: 'civil_dispute', title: '买卖合同纠纷', parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }] },
      metadata: metadata('xj-court', '2024-09-10T09:00:00+08:00'),
    });
    await append(T2, 0, {
      type: 'handoff.requested',
      data: { handoffId: 'h1', to: 'xj-justice', purpose: 'entrusted_mediation' },
      metadata: metadata('xj-court', '2024-09-10T09:00:00+08:00'),
    });
    await append(T3, 1, { type: 'handoff.received', data: { handoffId: 'h1' }, metadata: metadata('xj-justice', '2024-09-11T09:00:00+08:00') });
    clock.set('2024-10-20T02:00:00.000Z');
    await createCheckpointWriter({ store, signer, clock }).write();
  });

  after(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = async (token: string | null, query: string, variables: Record<string, unknown> = {}) => (await gql(base, token, query, variables)).json!;
  const data = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const answer = await ask(token, query, variables);
    expect(answer.errors, JSON.stringify(answer.errors)).to.equal(undefined);
    return answer.data!;
  };

  describe('case(id, asOf): the stream folded up to recordedAt ≤ asOf', () => {
    const asOf = (when: string) =>
      data(AUDITOR, 'query($when: DateTime) { case(id: "XJ-1", asOf: $when) { id handoffs { id status } timeline { type recordedAt } } }', { when }).then((d) => d.case);

    it('does not know the case one millisecond before it was recorded', async () => {
      expect(await asOf('2024-09-10T00:59:59.999Z')).to.equal(null);
      expect(await asOf('2024-09-10T08:59:59.999+08:00')).to.equal(null);
    });

    it('knows it at exactly its recordedAt, in any offset, and up to (not including) the next recordedAt', async () => {
      for (const when of ['2024-09-10T01:00:00.000Z', '2024-09-10T01:00:00Z', '2024-09-10T09:00:00+08:00', '2024-09-09T20:00:00-05:00', '2024-09-10T01:00:00.0009Z']) {
        const known = await asOf(when);
        expect(known, when).to.deep.include({ id: 'XJ-1', handoffs: [] });
        expect(known.timeline.map((entry: { type: string }) => entry.type), when).to.deep.equal(['case.registered']);
      }
    });

    it('takes in an event recorded one millisecond later at exactly that millisecond', async () => {
      expect((await asOf(T2)).handoffs).to.deep.equal([{ id: 'h1', status: 'REQUESTED' }]);
      expect((await asOf('2024-09-11T00:59:59.999Z')).handoffs).to.deep.equal([{ id: 'h1', status: 'REQUESTED' }]);
      const dayLater = await asOf(T3);
      expect(dayLater.handoffs).to.deep.equal([{ id: 'h1', status: 'RECEIVED' }]);
      expect(dayLater.timeline.map((entry: { recordedAt: string }) => entry.recordedAt)).to.deep.equal([T1, T2, T3]);
    });

    it('refuses a time without an offset (it would be read in the server’s time zone) and anything not RFC 3339', async () => {
      for (const when of ['2024-09-10T01:00:00', '2024-09-10', 'Sep 10 2024', 'yesterday']) {
        const answer = await ask(AUDITOR, 'query($when: DateTime) { case(id: "XJ-1", asOf: $when) { id } }', { when });
        expect(answer.errors?.[0]?.extensions?.code, when).to.equal('BAD_USER_INPUT');
      }
    });

    it('is not for viewers', async () => {
      const answer = await ask(COURT, '{ case(id: "XJ-1", asOf: "2024-09-11T00:00:00Z") { id } }');
      expect(answer.errors?.[0]?.extensions?.code).to.equal('FORBIDDEN');
    });
  });

  describe('history(stream)', () => {
    it('hands out the hash chain as stored, page by page, with the total', async () => {
      const stored = await store.readStream('case-XJ-1');
      const first = await data(AUDITOR, '{ history(stream: "case-XJ-1", first: 2) { totalCount nodes { position revision hash prevHash recordedAt channel source } pageInfo { endCursor hasNextPage } } }');
      expect(first.history.totalCount).to.equal(3);
      expect(first.history.pageInfo.hasNextPage).to.equal(true);
      const second = await data(AUDITOR, 'query($after: String) { history(stream: "case-XJ-1", first: 2, after: $after) { nodes { revision hash prevHash } pageInfo { hasNextPage } } }', {
        after: first.history.pageInfo.endCursor,
      });
      expect(second.history.pageInfo.hasNextPage).to.equal(false);
      const nodes = [...first.history.nodes, ...second.history.nodes];
      expect(nodes.map((node: { hash: string; prevHash: string | null }) => [node.hash, node.prevHash])).to.deep.equal(stored.map((event) => [event.hash, event.prevHash]));
      expect(first.history.nodes[0]).to.deep.include({ position: '1', revision: 0, prevHash: null, recordedAt: T1, channel: 'http', source: 'xj-court' });
      expect((await data(AUDITOR, '{ history(stream: "nothing") { totalCount nodes { hash } } }')).history).to.deep.equal({ totalCount: 0, nodes: [] });
    });

    it('is for auditors only', async () => {
      for (const token of [ORGANIZER, COURT]) {
        const answer = await ask(token, '{ history(stream: "case-XJ-1") { totalCount } }');
        expect(answer.errors?.[0]?.extensions?.code).to.equal('FORBIDDEN');
      }
    });
  });

  describe('auditVerify', () => {
    it('reports a clean store, and a changed event at its position', async () => {
      const clean = await data(AUDITOR, '{ auditVerify { ok checked firstBrokenPosition detail } }');
      expect(clean.auditVerify).to.deep.include({ ok: true, checked: 4, firstBrokenPosition: null });
      expect(clean.auditVerify.detail).to.contain('封存至位置 3');
      const one = await data(AUDITOR, '{ auditVerify(stream: "case-XJ-1") { ok checked } }');
      expect(one.auditVerify).to.deep.equal({ ok: true, checked: 4 });

      const original = store.database.prepare('SELECT data FROM events WHERE position = 2').pluck().get() as string;
      store.database.prepare('UPDATE events SET data = ? WHERE position = 2').run(original.replace('entrusted_mediation', 'information_notice'));
      try {
        const broken = await data(AUDITOR, '{ auditVerify { ok checked firstBrokenPosition detail } }');
        expect(broken.auditVerify).to.deep.include({ ok: false, firstBrokenPosition: '2' });
        expect(broken.auditVerify.detail).to.match(/流 case-XJ-1 修订 1（位置 2）的内容与存储的哈希不符/);
      } finally {
        store.database.prepare('UPDATE events SET data = ? WHERE position = 2').run(original);
      }
      const organizer = await ask(ORGANIZER, '{ auditVerify { ok } }');
      expect(organizer.errors?.[0]?.extensions?.code).to.equal('FORBIDDEN');
    });
  });

  describe('the access log', () => {
    it('has an entry for every kind of operation: query, mutation, guard refusal, 401, FORBIDDEN, invalid, bad input', async () => {
      const before = (await accessLog.list({ first: 1 })).nodes[0]?.id ?? '0';
      // a variable the operation does not declare still reaches the log: a secret-looking one as [已隐去]
      await data(COURT, 'query Board { agencies { id } }', { token: 'must-not-be-logged' });
      await data(ORGANIZER, 'mutation Plan($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { id } }', {
        input: { title: '审计专题会', scheduledAt: '2024-10-28T09:00:00+08:00', participants: ['xj-court'] },
      });
      const refused = await gql(base, ORGANIZER, `query Many { ${Array.from({ length: 31 }, (_, index) => `a${index}: agencies { id }`).join(' ')} }`);
      expect(refused.status).to.equal(400);
      expect((await gql(base, null, 'query Sneak { cases { totalCount } }')).status).to.equal(401);
      expect((await gql(base, 'not-a-token', '{ agencies { id } }')).status).to.equal(401);
      await ask(COURT, 'query Peek { history(stream: "case-XJ-1") { totalCount } }');
      await ask(COURT, '{ agencies { id ');
      await ask(AUDITOR, 'query Page { history(stream: "case-XJ-1", first: -1) { totalCount } }');

      const page = await data(
        AUDITOR,
        '{ accessLog(first: 20) { totalCount nodes { id at principal roles agency { id } operationType operationName fields variables outcome errorCodes client durationMs } } }',
      );
      const entries = (page.accessLog.nodes as { id: string }[]).filter((entry) => Number(entry.id) > Number(before)).reverse();
      const summary = entries.map((entry: any) => [entry.principal, entry.operationType, entry.operationName, entry.outcome, entry.errorCodes]);
      expect(summary).to.deep.equal([
        ['court-system', 'query', 'Board', 'ok', []],
        ['organizer', 'mutation', 'Plan', 'ok', []],
        ['organizer', 'query', 'Many', 'refused', ['QUERY_REFUSED']],
        [null, 'query', 'Sneak', 'unauthenticated', ['UNAUTHENTICATED']],
        [null, 'query', null, 'unauthenticated', ['UNAUTHENTICATED']],
        ['court-system', 'query', 'Peek', 'forbidden', ['FORBIDDEN']],
        ['court-system', null, null, 'invalid', ['GRAPHQL_PARSE_FAILED']],
        ['auditor', 'query', 'Page', 'bad_input', ['BAD_USER_INPUT']],
      ]);
      const [board, plan, many, sneak] = entries as any[];
      expect(board).to.deep.include({ roles: ['publisher', 'viewer'], agency: { id: 'xj-court' }, fields: ['agencies'], variables: { token: '[已隐去]' }, client: '127.0.0.1', at: clock.now().toISOString() });
      expect(board.durationMs).to.be.a('number');
      expect(plan.fields).to.deep.equal(['scheduleMeeting(input: $input)']);
      expect(plan.variables.input.title).to.equal('审计专题会');
      expect(many.fields).to.have.length(31);
      expect(sneak).to.deep.include({ roles: [], agency: null, fields: ['cases'], client: '127.0.0.1' });
      expect(JSON.stringify(entries)).to.not.contain('must-not-be-logged');
      expect(JSON.stringify(entries)).to.not.contain('not-a-token');

      // …and the reading of the log is itself logged
      const reading = (await accessLog.list({ first: 1 })).nodes[0]!;
      expect(reading).to.deep.include({ principal: 'auditor', outcome: 'ok' });
      expect(reading.fields[0]).to.match(/^accessLog\(first: 20\)/);
    });

    it('pages newest first, filters by principal, and is for auditors only', async () => {
      const mine = await data(AUDITOR, '{ accessLog(first: 2, principal: "organizer") { totalCount nodes { principal operationName } pageInfo { endCursor hasNextPage } } }');
      expect(mine.accessLog.totalCount).to.be.at.least(2);
      expect(mine.accessLog.nodes.map((node: { principal: string }) => node.principal)).to.deep.equal(['organizer', 'organizer']);
      expect(mine.accessLog.nodes.map((node: { operationName: string }) => node.operationName)).to.deep.equal(['Many', 'Plan']);
      const next = await data(AUDITOR, 'query($after: String) { accessLog(first: 2, principal: "organizer", after: $after) { nodes { operationName } } }', { after: mine.accessLog.pageInfo.endCursor });
      expect(next.accessLog.nodes.every((node: { operationName: string }) => !['Many', 'Plan'].includes(node.operationName))).to.equal(true);
      const bad = await ask(AUDITOR, '{ accessLog(after: "nonsense") { totalCount } }');
      expect(bad.errors?.[0]?.extensions?.code).to.equal('BAD_USER_INPUT');
      for (const token of [ORGANIZER, COURT]) {
        const answer = await ask(token, '{ accessLog { totalCount } }');
        expect(answer.errors?.[0]?.extensions?.code).to.equal('FORBIDDEN');
      }
    });

    it('withholds the answer when the entry cannot be written', async () => {
      const failing = { record: () => Promise.reject(new Error('disk full')) };
      const original = accessLog.record;
      accessLog.record = failing.record;
      try {
        const r = await gql(base, AUDITOR, '{ history(stream: "case-XJ-1") { nodes { data } } }');
        expect(r.status).to.equal(503);
        expect(r.json!.data).to.equal(undefined);
        expect(r.json!.errors![0]!.extensions!.code).to.equal('ACCESS_LOG_UNAVAILABLE');
      } finally {
        accessLog.record = original;
      }
    });
  });
});
