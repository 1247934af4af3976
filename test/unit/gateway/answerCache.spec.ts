/**
 * The GraphQL answer cache (gateway/answerCache.ts): which operations may be kept, the size bound, and —
 * through the real router over an embedded platform wired in this process — that a kept answer is served
 * only to the same audience (agency and roles; the principal too when it asks for `me`), on the same day, while
 * the read models have not moved, and is still logged under whoever asked; and that identical requests arriving
 * while an answer is computed wait for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, type OperationDefinitionNode } from 'graphql';
import { answersFromReadModels, audienceOf, createAnswerCache } from '../../../gateway/answerCache.js';
import type { GraphqlRouter } from '../../../gateway/server.js';
import type { AccessLog } from '../../../ports/accessLog.js';
import { fixedClock } from '../../../infra/clock.js';
import type { EventMetadata } from '../../../ports/eventStore.js';
import type { SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import type { ProjectionRunner } from '../../../projections/runner.js';
import { gql } from '../../e2e/harness.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

/** a second organizer of 司法局 (same agency and roles as TEST_CITY's) */
const SECOND_ORGANIZER = { name: 'organizer-2', agencyId: 'xj-justice', roles: ['organizer'], token: 'test-organizer-2-token' };

const operation = (text: string): OperationDefinitionNode => parse(text).definitions[0] as OperationDefinitionNode;

describe('answersFromReadModels: which operations may be kept', () => {
  it('keeps queries whose every root field reads the read models', () => {
    expect(answersFromReadModels(operation('{ meeting(id: "m") { id attention { reason } } handoffs(first: 5) { totalCount } }'))).to.equal(true);
    expect(answersFromReadModels(operation('query Q($id: ID!) { case(id: $id) { id timeline { type } } me { name } }'))).to.equal(true);
  });

  it('never keeps mutations, asOf, the event store, rejections, the access log or root fragments', () => {
    expect(answersFromReadModels(operation('mutation { cancelMeeting(id: "m", reason: "x") { id } }'))).to.equal(false);
    expect(answersFromReadModels(operation('query($t: DateTime) { case(id: "c", asOf: $t) { id } }'))).to.equal(false);
    expect(answersFromReadModels(operation('{ me { name } history(stream: "case-c") { totalCount } }'))).to.equal(false);
    expect(answersFromReadModels(operation('{ auditVerify { ok } }'))).to.equal(false);
    expect(answersFromReadModels(operation('{ rejections { totalCount } }'))).to.equal(false);
    expect(answersFromReadModels(operation('{ accessLog { totalCount } }'))).to.equal(false);
    expect(answersFromReadModels(operation('{ ... on Query { agencies { id } } }'))).to.equal(false);
  });
});

describe('createAnswerCache: an LRU bounded by size', () => {
  const key = (cache: ReturnType<typeof createAnswerCache<string>>, query: string, version = '1') =>
    cache.key({ audience: 'p', today: '2024-09-10', version, query, operationName: null, variables: {} });

  it('gives different keys for a different audience, day, version, query or variables', () => {
    const cache = createAnswerCache<string>({ maxBytes: 1 << 20 });
    const base = { audience: 'p', today: '2024-09-10', version: '7,7', query: '{ me { name } }', operationName: null, variables: { a: 1 } };
    const keys = new Set([
      cache.key(base),
      cache.key({ ...base, audience: 'q' }),
      cache.key({ ...base, today: '2024-09-11' }),
      cache.key({ ...base, version: '8,8' }),
      cache.key({ ...base, query: '{ agencies { id } }' }),
      cache.key({ ...base, variables: { a: 2 } }),
    ]);
    expect(keys.size).to.equal(6);
    expect(cache.key(base)).to.equal(cache.key({ ...base }));
  });

  it('drops the least recently used answers beyond its size', () => {
    // an entry costs its bytes, plain and compressed, + 256
    const cache = createAnswerCache<string>({ maxBytes: 3 * (100 + 20 + 256) });
    const body = Buffer.alloc(100, 'x');
    const gzip = Buffer.alloc(20, 'z');
    for (const q of ['a', 'b', 'c']) cache.set(key(cache, q), { body, gzip, extra: q });
    expect(cache.get(key(cache, 'a'))?.extra).to.equal('a'); // a is now the most recently used
    cache.set(key(cache, 'd'), { body, gzip, extra: 'd' });
    expect(cache.get(key(cache, 'b'))).to.equal(undefined);
    expect(['a', 'c', 'd'].map((q) => cache.get(key(cache, q))?.extra)).to.deep.equal(['a', 'c', 'd']);
    expect(cache.stats()).to.deep.include({ entries: 3, bytes: 3 * (100 + 20 + 256) });
  });

  it('does not keep an answer larger than the whole cache', () => {
    const cache = createAnswerCache<string>({ maxBytes: 1000 });
    cache.set(key(cache, 'big'), { body: Buffer.alloc(1000, 'x'), gzip: Buffer.alloc(10), extra: 'big' });
    expect(cache.get(key(cache, 'big'))).to.equal(undefined);
    expect(cache.stats().entries).to.equal(0);
  });
});

describe('audienceOf: whose answers are the same', () => {
  const organizer = { name: 'organizer', agency: { id: 'xj-justice' }, roles: ['organizer', 'viewer'] };
  const colleague = { name: 'organizer-2', agency: { id: 'xj-justice' }, roles: ['viewer', 'organizer'] };
  const DOSSIER = '{ meeting(id: "m-1") { attention { reason } } }';

  it('is the agency and roles: colleagues with the same roles share, in whatever order the roles are listed', () => {
    expect(audienceOf(organizer, DOSSIER)).to.equal(audienceOf(colleague, DOSSIER));
    expect(audienceOf(organizer, DOSSIER)).not.to.equal(audienceOf({ ...organizer, roles: ['organizer'] }, DOSSIER));
    expect(audienceOf(organizer, DOSSIER)).not.to.equal(audienceOf({ ...organizer, agency: { id: 'xj-gov' } }, DOSSIER));
  });

  it('adds the name when the query shows `me`, however it is written; other words do not', () => {
    for (const query of ['{ me { name } }', '{ who: me { roles } cases { totalCount } }', 'query{me{name}}', '{ cases(agency: "me") { totalCount } }']) {
      expect(audienceOf(organizer, query), query).not.to.equal(audienceOf(colleague, query));
    }
    for (const query of ['{ meetings { id } }', '{ cases { nodes { name_me: title } } }', '{ mean: agencies { id } }']) {
      expect(audienceOf(organizer, query), query).to.equal(audienceOf(colleague, query));
    }
  });
});

describe('createAnswerCache: an answer being computed is waited for, not computed again', () => {
  const answer = (text: string) => ({ body: Buffer.from(text), gzip: Buffer.alloc(0), extra: text });

  it('hands the kept answer to every request that waited for it, and counts them as shared', async () => {
    const cache = createAnswerCache<string>({ maxBytes: 1 << 20 });
    expect(cache.pending('k')).to.equal(undefined);
    const settle = cache.claim('k');
    const waiting = [cache.pending('k'), cache.pending('k')];
    settle(answer('dossier'));
    expect((await Promise.all(waiting)).map((a) => a?.extra)).to.deep.equal(['dossier', 'dossier']);
    expect(cache.stats()).to.deep.include({ waited: 2, shared: 2 });
    expect(cache.pending('k')).to.equal(undefined);
  });

  it('tells the waiting requests when nothing was kept, so they compute their own; a second settle changes nothing', async () => {
    const cache = createAnswerCache<string>({ maxBytes: 1 << 20 });
    const settle = cache.claim('k');
    const waiting = cache.pending('k')!;
    settle(undefined);
    settle(answer('late'));
    expect(await waiting).to.equal(undefined);
    expect(cache.stats()).to.deep.include({ waited: 1, shared: 0 });
  });

  it('an earlier claim, settled late, does not remove a later one of the same key', () => {
    const cache = createAnswerCache<string>({ maxBytes: 1 << 20 });
    const first = cache.claim('k');
    cache.claim('k'); // a waiter that was told "not kept" computes and claims again
    first(undefined);
    expect(cache.pending('k')).not.to.equal(undefined);
  });
});

describe('GraphQL answer cache through the router', function () {
  this.timeout(60_000);
  const ORGANIZER = 'test-organizer-token';
  const COURT = 'test-court-token'; // viewer of xj-court
  const POLICE = 'test-police-token'; // viewer of xj-police
  const ORGANIZER_2 = SECOND_ORGANIZER.token; // the same agency and roles as ORGANIZER
  const dir = mkdtempSync(join(tmpdir(), 'ld-answers-'));
  const clock = fixedClock('2024-09-10T01:00:00.000Z');
  let platform: InProcessPlatform;
  let store: SqliteEventStore;
  let runner: ProjectionRunner;
  let accessLog: AccessLog;
  let graphql: GraphqlRouter;
  let base: string;

  const metadata = (source: string): EventMetadata => ({ source, eventId: null, principal: `${source}-system`, channel: 'http', time: clock.now().toISOString() });
  const register = async (caseId: string, source: string) => {
    const [result] = await store.append([
      {
        streamId: `case-${caseId}`,
        expectedRevision: 'no_stream',
        events: [{ type: 'case.registered', data: { kind: 'civil_dispute', title: `案件${caseId}`, parties: [{ name: '某公司', role: 'plaintiff', type: 'private_enterprise' }] }, metadata: metadata(source) }],
      },
    ]);
    await runner.waitFor(result!.positions.at(-1)!, 10_000);
  };

  before(async () => {
    platform = await startInProcessPlatform(dir, { clock, accessLog: true, answerCacheBytes: 1 << 20, introspection: false, extraPrincipals: [SECOND_ORGANIZER] });
    ({ store, runner, graphql, base } = platform);
    accessLog = platform.accessLog!;
    await register('C-1', 'xj-court');
  });

  after(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const CASES = '{ cases(first: 50) { totalCount nodes { id } } }';
  const ids = async (token: string, query = CASES) => {
    const answer = await gql(base, token, query);
    expect(answer.status).to.equal(200);
    expect(answer.json?.errors, JSON.stringify(answer.json?.errors)).to.equal(undefined);
    return (answer.json!.data!.cases.nodes as { id: string }[]).map((n) => n.id);
  };
  const stats = () => graphql.answerCacheStats()!;
  const logged = async () => (await accessLog.list({ first: 500 })).totalCount;

  it('serves the second identical query from the cache, and logs it like the first', async () => {
    const before = stats();
    const entries = await logged();
    expect(await ids(ORGANIZER)).to.deep.equal(['C-1']);
    expect(await ids(ORGANIZER)).to.deep.equal(['C-1']);
    expect(stats().hits - before.hits).to.equal(1);
    expect((await logged()) - entries).to.equal(2);
    const [last] = (await accessLog.list({ first: 1 })).nodes;
    expect(last).to.deep.include({ principal: 'organizer', operationType: 'query', outcome: 'ok' });
    expect(last!.fields.join(' ')).to.contain('cases');
  });

  it('names a kept answer by an entity tag', async () => {
    const ask = () =>
      fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ORGANIZER}` }, body: JSON.stringify({ query: '{ me { name } }' }) });
    await ask();
    const kept = await ask();
    const tag = kept.headers.get('etag');
    expect(tag).to.match(/^W\/"/);
    expect(await kept.json()).to.deep.equal({ data: { me: { name: 'organizer' } } });
    expect((await ask()).headers.get('etag')).to.equal(tag);
  });

  it('sends a kept answer gzip-compressed to a client that accepts it, and plain to one that does not', async () => {
    const post = (encoding: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const payload = JSON.stringify({ query: CASES });
        const req = request(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ORGANIZER}`, 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) })).on('error', reject);
        });
        req.on('error', reject).end(payload);
      });
    await post('identity'); // computed, now kept
    const hits = stats().hits;
    const zipped = await post('gzip, deflate, br');
    const plain = await post('identity');
    expect(stats().hits - hits).to.equal(2);
    expect(zipped.headers['content-encoding']).to.equal('gzip');
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(zipped.headers.vary).to.match(/accept-encoding/i);
    expect(JSON.parse(gunzipSync(zipped.body).toString('utf8'))).to.deep.equal(JSON.parse(plain.body.toString('utf8')));
    expect(JSON.parse(plain.body.toString('utf8')).data.cases.nodes.length).to.be.greaterThan(0);
  });

  it('answers afresh once an event has moved the read models', async () => {
    expect(await ids(ORGANIZER)).to.deep.equal(['C-1']);
    await register('C-2', 'xj-police');
    expect(await ids(ORGANIZER)).to.deep.equal(['C-1', 'C-2']);
  });

  it('serves a colleague with the same agency and roles what the first was shown, logged under the colleague', async () => {
    expect(await ids(ORGANIZER)).to.deep.equal(['C-1', 'C-2']);
    const hits = stats().hits;
    expect(await ids(ORGANIZER_2)).to.deep.equal(['C-1', 'C-2']);
    expect(stats().hits - hits).to.equal(1);
    const [last] = (await accessLog.list({ first: 1 })).nodes;
    expect(last).to.deep.include({ principal: 'organizer-2', outcome: 'ok' });
    // but `me` is one's own
    const me = async (token: string) => (await gql(base, token, '{ me { name } }')).json?.data?.me.name;
    expect([await me(ORGANIZER), await me(ORGANIZER_2), await me(ORGANIZER), await me(ORGANIZER_2)]).to.deep.equal(['organizer', 'organizer-2', 'organizer', 'organizer-2']);
  });

  it('never hands one principal what another was shown', async () => {
    expect(await ids(ORGANIZER)).to.deep.equal(['C-1', 'C-2']);
    expect(await ids(COURT)).to.deep.equal(['C-1']);
    expect(await ids(POLICE)).to.deep.equal(['C-2']);
    expect(await ids(COURT)).to.deep.equal(['C-1']);
  });

  it('answers afresh on the next day (overdue is counted from today)', async () => {
    await ids(ORGANIZER);
    const hits = stats().hits;
    clock.set('2024-09-11T01:00:00.000Z');
    await ids(ORGANIZER);
    expect(stats().hits).to.equal(hits);
    await ids(ORGANIZER);
    expect(stats().hits).to.equal(hits + 1);
  });

  it('keeps neither answers with errors nor what reads the event store', async () => {
    const hits = stats().hits;
    const history = '{ history(stream: "case-C-1") { totalCount } }';
    for (let i = 0; i < 2; i++) expect((await gql(base, 'test-auditor-token', history)).json?.data?.history.totalCount).to.equal(1);
    // rejections are stored without the read models moving
    for (let i = 0; i < 2; i++) expect((await gql(base, COURT, '{ rejections { totalCount } }')).json?.data?.rejections.totalCount).to.equal(0);
    // a field of the read models, answered with an error: a publisher-only token is no reader; a bad quarter
    for (let i = 0; i < 2; i++) expect((await gql(base, 'test-justice-token', CASES)).json?.errors?.[0]?.extensions?.['code']).to.equal('FORBIDDEN');
    for (let i = 0; i < 2; i++) expect((await gql(base, ORGANIZER, '{ scorecard(quarter: "2024Q9") { quarter } }')).json?.errors?.[0]?.extensions?.['code']).to.equal('BAD_USER_INPUT');
    const bad = '{ case(id: "C-1") { id nosuchfield } }';
    for (let i = 0; i < 2; i++) expect((await gql(base, ORGANIZER, bad)).json?.errors?.[0]?.extensions?.['code']).to.equal('GRAPHQL_VALIDATION_FAILED');
    expect(stats().hits).to.equal(hits);
  });

  it('still refuses a request without a valid token', async () => {
    const answer = await gql(base, 'no-such-token', CASES);
    expect(answer.status).to.equal(401);
  });
});

describe('GraphQL answer cache under concurrent requests (read models answering late, as Redis would)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'ld-answers-slow-'));
  const clock = fixedClock('2024-09-10T01:00:00.000Z');
  let platform: InProcessPlatform;

  before(async () => {
    platform = await startInProcessPlatform(dir, { clock, accessLog: true, answerCacheBytes: 1 << 20, extraPrincipals: [SECOND_ORGANIZER], slowReadsMs: 150 });
  });

  after(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes the answer once for the identical requests that arrive while it is computed', async () => {
    const query = '{ cases(first: 10) { totalCount } handoffs(first: 10) { totalCount } }';
    const tokens = ['test-organizer-token', SECOND_ORGANIZER.token, 'test-organizer-token', SECOND_ORGANIZER.token, 'test-organizer-token', SECOND_ORGANIZER.token];
    const before = platform.graphql.answerCacheStats()!;
    const answers = await Promise.all(tokens.map((token) => gql(platform.base, token, query)));
    const after = platform.graphql.answerCacheStats()!;
    for (const a of answers) expect(a.json?.data, JSON.stringify(a.json)).to.deep.equal({ cases: { totalCount: 0 }, handoffs: { totalCount: 0 } });
    const [hits, misses, waited, shared] = [after.hits - before.hits, after.misses - before.misses, after.waited - before.waited, after.shared - before.shared];
    // a request arriving after the answer was kept is a hit; one arriving while it was computed waits for it
    expect(hits + misses).to.equal(6);
    expect(misses - waited, 'computed once').to.equal(1);
    expect(waited, 'requests arrived while it was computed (reads take 150 ms each)').to.be.at.least(1);
    expect(shared, 'and got its answer').to.equal(waited);
    const logged = (await platform.accessLog!.list({ first: 6 })).nodes.map((e) => e.principal).sort();
    expect(logged).to.deep.equal(['organizer', 'organizer', 'organizer', 'organizer-2', 'organizer-2', 'organizer-2']);
  });

  it('does not make a request that may not be kept wait for an identical one', async () => {
    const history = '{ history(stream: "case-none") { totalCount } }';
    const before = platform.graphql.answerCacheStats()!;
    const answers = await Promise.all([0, 1, 2].map(() => gql(platform.base, 'test-auditor-token', history)));
    for (const a of answers) expect(a.json?.data?.history.totalCount).to.equal(0);
    expect(platform.graphql.answerCacheStats()!.waited - before.waited).to.equal(0);
  });
});
