/**
 * GraphQL over HTTP holds for hostile and malformed requests (issue 13, items 2, 6 and 7), through the real
 * router over an embedded platform wired in this process: over-nested variables are a 400 in Chinese, every
 * request that authenticates is in the access log however it ends, `Date`/`DateTime` arguments are checked,
 * no field suggestions leak when introspection is off, no body is read before its token is checked, the
 * standard introspection query passes the guards, and content negotiation and bad parameters are answered the same every time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { getIntrospectionQuery } from 'graphql';
import express from 'express';
import { createAuthenticator } from '../../../gateway/auth.js';
import type { GatewayServices } from '../../../gateway/context.js';
import { createGraphqlRouter, type GraphqlRouter } from '../../../gateway/server.js';
import type { AccessEntry, AccessLog } from '../../../ports/accessLog.js';
import { fixedClock } from '../../../infra/clock.js';
import { parseConfig } from '../../../infra/config/loadConfig.js';
import { createHttpApp, httpLimitsFrom } from '../../../infra/http/app.js';
import { createMetrics } from '../../../infra/http/metrics.js';
import type { ReadModelStore } from '../../../ports/readModelStore.js';
import { TEST_CITY } from '../../e2e/fixtures.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const COURT = 'test-court-token'; // publisher + viewer of xj-court
const ORGANIZER = 'test-organizer-token';

interface Answer {
  status: number;
  type: string | null;
  json: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
}

/** a POST to /graphql with any body (an object is sent as JSON, a string as it is) and any headers */
async function post(base: string, token: string | null, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: Answer['json'] = null;
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    /* not JSON */
  }
  return { status: r.status, type: r.headers.get('content-type'), json };
}

/** `{"query": …, "variables": {"v": [[[…1…]]]}}` with the array `levels` deep, written as text (no recursion here) */
const nestedVariablesBody = (query: string, levels: number, name = 'v'): string =>
  `{"query":${JSON.stringify(query)},"variables":{"${name}":${'['.repeat(levels)}1${']'.repeat(levels)}}}`;

const codeOf = (answer: Answer): unknown => answer.json?.errors?.[0]?.extensions?.['code'];

/** the newest access-log entries, oldest first */
const newest = async (log: AccessLog, n: number) => (await log.list({ first: n })).nodes.reverse();

/** raw HTTP over a socket: what was answered (if anything) within `ms` */
function rawExchange(port: number, write: (socket: Socket) => void, ms = 3000): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, closed });
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n\r\n')) setTimeout(done, 100);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      done();
    });
    socket.on('connect', () => write(socket));
  });
}
const portOf = (base: string): number => Number(new URL(base).port);

describe('GraphQL over HTTP: the protocol holds for hostile and malformed requests', function () {
  this.timeout(60_000);
  const dirOpen = mkdtempSync(join(tmpdir(), 'ld-protocol-a-'));
  const dirPlain = mkdtempSync(join(tmpdir(), 'ld-protocol-b-'));
  const clock = fixedClock('2024-09-10T01:00:00.000Z');
  /** introspection on (as `liandong start` serves by default) */
  let open: InProcessPlatform;
  /** introspection off (production) */
  let plain: InProcessPlatform;

  before(async () => {
    open = await startInProcessPlatform(dirOpen, { clock, accessLog: true, introspection: true });
    plain = await startInProcessPlatform(dirPlain, { clock, accessLog: true, introspection: false });
  });

  after(async () => {
    await open?.stop();
    await plain?.stop();
    rmSync(dirOpen, { recursive: true, force: true });
    rmSync(dirPlain, { recursive: true, force: true });
  });

  describe('over-nested variables', () => {
    for (const [name, which] of [
      ['with introspection on', () => open],
      ['with it off', () => plain],
    ] as const) {
      it(`are refused with 400 in Chinese and logged, ${name}`, async () => {
        const platform = which();
        for (const [query, levels] of [
          ['query Deep { agencies { id } }', 5_000],
          ['query Deep { agencies { id } }', 100_000],
          ['mutation Deep($v: [ID!]!) { recordMeetingHeld(meetingId: "m-x", attendees: $v) { id } }', 5_000],
          ['query Deep { agencies { id } }', 33],
        ] as const) {
          const answer = await post(platform.base, COURT, nestedVariablesBody(query, levels));
          expect(answer.status, `${levels} levels: ${JSON.stringify(answer.json)}`).to.equal(400);
          expect(answer.json?.errors?.[0]?.message).to.match(/变量.*嵌套.*32/);
          expect(codeOf(answer)).to.equal('BAD_REQUEST');
          const [entry] = await newest(platform.accessLog!, 1);
          expect(entry).to.deep.include({ principal: 'court-system', operationName: 'Deep', outcome: 'invalid', errorCodes: ['BAD_REQUEST'] });
        }
      });
    }

    it('up to 32 levels are answered as usual', async () => {
      // the variables object is the first level
      const answer = await post(open.base, COURT, nestedVariablesBody('{ agencies { id } }', 31));
      expect(answer.status, JSON.stringify(answer.json)).to.equal(200);
      expect(answer.json?.data?.agencies).to.have.length.greaterThan(0);
    });
  });

  describe('the access log has every request that authenticates', () => {
    it('records requests refused before their operation runs (bad operationName, variables, extensions, JSON)', async () => {
      for (const platform of [open, plain]) {
        const bodies = [
          { query: 'query A { agencies { id } }', operationName: 42 },
          { query: 'query A { agencies { id } }', variables: 'x' },
          { query: 'query A { agencies { id } }', variables: [1] },
          { query: 'query A { agencies { id } }', extensions: 7 },
          '{"query": "{ agencies { id } }"',
          {},
        ];
        const before = (await platform.accessLog!.list({ first: 1 })).totalCount;
        for (const body of bodies) {
          const answer = await post(platform.base, COURT, body);
          expect(answer.status, JSON.stringify(body)).to.equal(400);
        }
        const entries = await newest(platform.accessLog!, bodies.length);
        expect((await platform.accessLog!.list({ first: 1 })).totalCount - before).to.equal(bodies.length);
        for (const entry of entries) expect(entry).to.deep.include({ principal: 'court-system', outcome: 'invalid' });
      }
    });

    it('writes exactly one entry per request, however it ends', async () => {
      const requests: [string, () => Promise<unknown>][] = [
        ['answered', () => post(open.base, ORGANIZER, { query: '{ agencies { id name } }' })],
        ['the same again', () => post(open.base, ORGANIZER, { query: '{ agencies { id name } }' })],
        ['invalid', () => post(open.base, ORGANIZER, { query: '{ nosuch }' })],
        ['bad input', () => post(open.base, ORGANIZER, { query: '{ meetings(from: "2024-02-30") { id } }' })],
        ['forbidden', () => post(open.base, COURT, { query: '{ history(stream: "case-C-1") { totalCount } }' })],
        ['refused', () => post(open.base, ORGANIZER, { query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: agencies { id }`).join(' ')} }` })],
        ['over-nested', () => post(open.base, ORGANIZER, nestedVariablesBody('{ agencies { id } }', 40))],
        ['operationName', () => post(open.base, ORGANIZER, { query: '{ agencies { id } }', operationName: 1 })],
        ['not JSON', () => post(open.base, ORGANIZER, '{')],
        ['GET', () => fetch(`${open.base}/graphql?query=${encodeURIComponent('{ agencies { id } }')}`, { headers: { authorization: `Bearer ${ORGANIZER}`, accept: 'application/json' } })],
        ['unauthenticated', () => post(open.base, null, { query: '{ agencies { id } }' })],
      ];
      for (const [what, send] of requests) {
        const before = (await open.accessLog!.list({ first: 1 })).totalCount;
        await send();
        expect((await open.accessLog!.list({ first: 1 })).totalCount - before, what).to.equal(1);
      }
    });

    it('records a request over the size limit, and one of another content type', async () => {
      const before = (await plain.accessLog!.list({ first: 1 })).totalCount;
      const big = await post(plain.base, COURT, { query: `{ agencies { id } } # ${'x'.repeat(1_100_000)}` });
      expect(big.status).to.equal(413);
      const text = await post(plain.base, COURT, '{ agencies { id } }', { 'content-type': 'text/plain' });
      expect(text.status).to.equal(400);
      expect((await plain.accessLog!.list({ first: 1 })).totalCount - before).to.equal(2);
      for (const entry of await newest(plain.accessLog!, 2)) expect(entry).to.deep.include({ principal: 'court-system', outcome: 'invalid' });
    });
  });

  describe('Date and DateTime arguments', () => {
    const refused = async (query: string, variables: Record<string, unknown> = {}) => {
      const answer = await post(plain.base, ORGANIZER, { query, variables });
      expect(answer.json?.errors, `${query} ${JSON.stringify(variables)}`).to.be.an('array').that.is.not.empty;
      expect(codeOf(answer), JSON.stringify(answer.json?.errors)).to.equal('BAD_USER_INPUT');
      expect(answer.json?.data ?? null).to.equal(null);
      expect(answer.status).to.equal(400);
      return answer.json!.errors![0]!.message;
    };

    it('refuses a day that does not exist and text that is no date, inline and as variables', async () => {
      expect(await refused('{ meetings(from: "2024-02-30", to: "x") { id } }')).to.match(/日期/);
      await refused('{ meetings(to: "x") { id } }');
      await refused('{ meetings(from: 20240101) { id } }');
      await refused('{ meetings(from: "2024-9-1") { id } }');
      const byVariables = 'query($from: Date, $to: Date) { meetings(from: $from, to: $to) { id } }';
      await refused(byVariables, { from: '2024-02-30' });
      await refused(byVariables, { to: 'x' });
      await refused(byVariables, { from: 20240101 });
    });

    it('refuses a DateTime without an offset or that is no time, inline and as variables', async () => {
      await refused('{ case(id: "C-1", asOf: 5) { id } }');
      await refused('{ case(id: "C-1", asOf: "2024-02-30T09:00:00+08:00") { id } }');
      await refused('query($t: DateTime) { case(id: "C-1", asOf: $t) { id } }', { t: '2024-09-10T09:00:00' });
      await refused('query($t: DateTime) { case(id: "C-1", asOf: $t) { id } }', { t: true });
      await refused('mutation { scheduleMeeting(input: { title: "t", scheduledAt: "明天上午", participants: [] }) { id } }');
    });

    it('accepts real dates and RFC 3339 times', async () => {
      const answer = await post(plain.base, ORGANIZER, { query: '{ meetings(from: "2024-02-29", to: "2024-12-31") { id } case(id: "C-1", asOf: "2024-09-10T09:00:00+08:00") { id } }' });
      expect(answer.json?.errors, JSON.stringify(answer.json?.errors)).to.equal(undefined);
      const byVariables = await post(plain.base, ORGANIZER, {
        query: 'query($from: Date, $t: DateTime) { meetings(from: $from) { id } case(id: "C-1", asOf: $t) { id } }',
        variables: { from: '2024-02-29', t: '2024-09-10T01:00:00.5Z' },
      });
      expect(byVariables.json?.errors, JSON.stringify(byVariables.json?.errors)).to.equal(undefined);
    });
  });

  describe('field suggestions', () => {
    const typos: [string, Record<string, unknown>][] = [
      ['{ casez { totalCount } }', {}],
      ['{ cases { totalCount nodez { id } } }', {}],
      ['{ cases(agensy: "x") { totalCount } }', {}],
      ['{ handoffs(status: REQUESTD) { totalCount } }', {}],
      ['query($s: HandoffStatus) { handoffs(status: $s) { totalCount } }', { s: 'REQUESTD' }],
      ['query($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id } }', { i: { titel: 't', scheduledAt: '2024-09-10T09:00:00+08:00', participants: [] } }],
      ['query($c: Cas) { agencies { id } }', {}],
    ];

    it('are not given when introspection is off', async () => {
      for (const [query, variables] of typos) {
        const answer = await post(plain.base, ORGANIZER, { query, variables });
        expect(answer.json?.errors, query).to.be.an('array').that.is.not.empty;
        for (const error of answer.json!.errors!) {
          expect(error.message, query).to.not.match(/Did you mean|是否想写/i);
          expect(String(error.extensions?.originalMessage ?? ''), query).to.not.match(/Did you mean/i);
        }
      }
    });

    it('are given when introspection is on (the schema is public then)', async () => {
      const answer = await post(open.base, ORGANIZER, { query: '{ casez { totalCount } }' });
      // in Chinese (gateway/graphqlMessages.ts), graphql-js' English beside it
      expect(answer.json?.errors?.[0]?.message).to.match(/是否想写 .*"cases"/);
      expect(answer.json?.errors?.[0]?.extensions?.originalMessage).to.match(/Did you mean .*"cases"/);
    });
  });

  describe('no body is read before its token is checked', () => {
    const head = (extra: string) => `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}\r\n`;

    it('refuses an unauthenticated request with 401 after at most 16 KiB of a 1 MB body', async () => {
      const { answer } = await rawExchange(portOf(open.base), (socket) => {
        socket.write(head('Content-Length: 1048576\r\n'));
        socket.write(`{"query":"{ agencies { id } }","x":"${'x'.repeat(16 * 1024)}`);
      });
      expect(answer).to.match(/^HTTP\/1\.1 401/);
    });

    it('refuses a chunked unauthenticated body after at most 16 KiB', async () => {
      const { answer } = await rawExchange(portOf(open.base), (socket) => {
        socket.write(head('Transfer-Encoding: chunked\r\n'));
        const chunk = 'x'.repeat(4096);
        for (let i = 0; i < 5; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      });
      expect(answer).to.match(/^HTTP\/1\.1 401/);
    });

    it('refuses a bad token before reading its body', async () => {
      const { answer } = await rawExchange(portOf(plain.base), (socket) => socket.write(head('Authorization: Bearer nonsense\r\nContent-Length: 1048576\r\n')));
      expect(answer).to.match(/^HTTP\/1\.1 401/);
    });

    it('still logs a small unauthenticated request with what it asked for, and reads large bodies with a token', async () => {
      expect((await post(plain.base, null, { query: 'query Sneak { cases { totalCount } }' })).status).to.equal(401);
      const [entry] = await newest(plain.accessLog!, 1);
      expect(entry).to.deep.include({ principal: null, operationName: 'Sneak', outcome: 'unauthenticated', fields: ['cases'] });
      const large = await post(plain.base, COURT, { query: `{ agencies { id } } # ${'x'.repeat(600_000)}` });
      expect(large.status).to.equal(200);
    });
  });

  describe('the standard introspection query', () => {
    it('passes the guards when introspection is on', async () => {
      for (const options of [undefined, { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }]) {
        const answer = await post(open.base, ORGANIZER, { query: getIntrospectionQuery(options), operationName: 'IntrospectionQuery' });
        expect(answer.status, JSON.stringify(answer.json?.errors)).to.equal(200);
        expect(answer.json?.data?.__schema.queryType.name).to.equal('Query');
      }
    });

    it('is refused when introspection is off', async () => {
      const answer = await post(plain.base, ORGANIZER, { query: getIntrospectionQuery() });
      expect(answer.status).to.equal(400);
      expect(answer.json?.data ?? null).to.equal(null);
    });

    it('does not carry a deep query of the schema past the depth guard', async () => {
      const tooDeep = `cases { nodes { ${'handoffs { case { '.repeat(5)} id ${'} } '.repeat(5)} } }`;
      const answer = await post(open.base, ORGANIZER, { query: `{ __typename ${tooDeep} }` });
      expect(codeOf(answer), JSON.stringify(answer.json)).to.equal('QUERY_REFUSED');
      const mixed = `{ __schema { queryType { name } } ${tooDeep} }`;
      expect(codeOf(await post(open.base, ORGANIZER, { query: mixed }))).to.equal('QUERY_REFUSED');
    });
  });

  describe('a repeated request is answered the same way every time', () => {
    const QUERY = 'query Agencies { agencies { id } }';

    it('answers a repeated request with the content type it was negotiated, per negotiated type', async () => {
      for (const accept of [null, '*/*', 'application/graphql-response+json', 'application/json', 'application/graphql-response+json, application/json;q=0.9', 'application/json, application/graphql-response+json;q=0.5']) {
        const headers: Record<string, string> = accept === null ? {} : { accept };
        const first = await post(open.base, ORGANIZER, { query: QUERY }, headers);
        const second = await post(open.base, ORGANIZER, { query: QUERY }, headers);
        expect(first.status).to.equal(200);
        expect(second.status).to.equal(200);
        expect(second.type, `Accept: ${accept}`).to.equal(first.type);
        expect(second.json).to.deep.equal(first.json);
      }
      const json = await post(open.base, ORGANIZER, { query: QUERY }, { accept: 'application/json' });
      expect(json.type).to.match(/^application\/json/);
      const graphqlResponse = await post(open.base, ORGANIZER, { query: QUERY }, { accept: 'application/graphql-response+json' });
      expect(graphqlResponse.type).to.match(/^application\/graphql-response\+json/);
    });

    it('refuses an unacceptable Accept every time', async () => {
      for (let i = 0; i < 2; i++) expect((await post(open.base, ORGANIZER, { query: QUERY }, { accept: 'text/csv' })).status).to.equal(406);
    });

    it('answers a bad operationName, variables or extensions the same after good requests of the same query', async () => {
      const bad = [
        { query: QUERY, operationName: 42 },
        { query: QUERY, operationName: 'Nope' },
        { query: QUERY, operationName: ['Agencies'] },
        { query: QUERY, variables: 'x' },
        { query: QUERY, variables: [] },
        { query: QUERY, extensions: 'x' },
      ];
      const firstAnswers = [];
      for (const body of bad) firstAnswers.push(await post(plain.base, ORGANIZER, body));
      // the good request, answered…
      for (let i = 0; i < 2; i++) expect((await post(open.base, ORGANIZER, { query: QUERY })).status).to.equal(200);
      for (let i = 0; i < 2; i++) expect((await post(open.base, ORGANIZER, { query: QUERY, operationName: 'Agencies' })).status).to.equal(200);
      // …and the bad ones are answered as on a server that never saw the good one
      for (const [index, body] of bad.entries()) {
        for (let i = 0; i < 2; i++) {
          const answer = await post(open.base, ORGANIZER, body);
          expect(answer.status, JSON.stringify(body)).to.equal(firstAnswers[index]!.status);
          expect(answer.status, JSON.stringify(body)).to.equal(400);
          expect(codeOf(answer), JSON.stringify(body)).to.equal(codeOf(firstAnswers[index]!));
        }
      }
    });
  });
});

describe('GraphQL over HTTP: a request that fails inside the gateway', function () {
  this.timeout(30_000);
  const config = parseConfig(JSON.stringify(TEST_CITY), 'config.json');
  const agencies = new Map(config.agencies.map((a) => [a.id, a]));
  const entries: AccessEntry[] = [];
  const broken = () => Promise.reject(new Error('读模型存储连接中断（测试注入）'));
  const readModels = { checkpoint: broken, get: broken, getMany: broken, findIds: broken, listIds: broken } as unknown as ReadModelStore;
  /** set: the next call of `now` fails (the request's context is made with it, before any resolver runs) */
  let clockFails = false;
  const now = (): Date => {
    if (clockFails) {
      clockFails = false;
      throw new Error('时钟读取失败（测试注入）');
    }
    return new Date('2024-09-10T01:00:00.000Z');
  };
  const services = { agencies, readModels, now } as unknown as GatewayServices;
  const servers: Server[] = [];
  const routers: GraphqlRouter[] = [];
  let base: string;

  const serve = async (): Promise<string> => {
    const graphql = await createGraphqlRouter({
      services,
      authenticate: createAuthenticator(config.principals, agencies),
      introspection: false,
      graphiql: false,
      accessLog: { record: async (entry) => void entries.push(entry) },
    });
    routers.push(graphql);
    const app = createHttpApp({ metrics: createMetrics(), health: { notReadyReason: async () => null }, routers: [graphql.router] });
    const server: Server = await new Promise((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  };

  before(async () => {
    base = await serve();
  });

  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    for (const graphql of routers) await graphql.stop();
  });

  it('is answered 500 in Chinese, without its cause, and logged under its principal', async () => {
    clockFails = true;
    const answer = await post(base, COURT, { query: 'query Board { cases { totalCount } }' });
    expect(clockFails, 'the failure was injected').to.equal(false);
    expect(answer.status).to.equal(500);
    expect(codeOf(answer)).to.equal('INTERNAL_SERVER_ERROR');
    expect(answer.json?.errors?.[0]?.message).to.match(/平台内部错误/);
    expect(JSON.stringify(answer.json)).to.not.contain('测试注入').and.to.not.contain('时钟');
    expect(entries.at(-1)).to.deep.include({ principal: 'court-system', operationName: 'Board', outcome: 'error', errorCodes: ['INTERNAL_SERVER_ERROR'] });
  });

  it('a resolver that throws is logged as an error', async () => {
    const count = entries.length;
    const answer = await post(base, ORGANIZER, { query: 'query Cases { cases { totalCount } }' });
    expect(answer.json?.errors).to.be.an('array').that.is.not.empty;
    expect(entries.length).to.equal(count + 1);
    expect(entries.at(-1)).to.deep.include({ principal: 'organizer', operationName: 'Cases', outcome: 'error' });
  });
});

describe('HTTP server: a cap on concurrent connections', function () {
  this.timeout(30_000);
  let server: Server;
  let port: number;

  before(async () => {
    const app = createHttpApp({ metrics: createMetrics(), health: { notReadyReason: async () => null }, routers: [express.Router()], limits: { maxConnections: 3 } });
    server = await new Promise((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      socket.on('error', reject);
    });
  const healthz = (socket: Socket): Promise<string> =>
    new Promise((resolve) => {
      let answer = '';
      const timer = setTimeout(() => resolve(answer), 2000);
      socket.on('data', (chunk) => {
        answer += chunk.toString();
        if (answer.includes('"ok"')) {
          clearTimeout(timer);
          resolve(answer);
        }
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(answer);
      });
      socket.on('error', () => undefined);
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    });

  it('serves up to the cap and closes connections beyond it', async () => {
    const held = [await open(), await open(), await open()];
    for (const socket of held) expect(await healthz(socket)).to.match(/^HTTP\/1\.1 200/);
    const extra = await open();
    expect(await healthz(extra)).to.equal('');
    held[0]!.destroy();
    // until the server has seen the close (polled, not a fixed pause): then one place is free again
    const connections = () => new Promise<number>((ok) => server!.getConnections((_e, n) => ok(n)));
    for (const deadline = Date.now() + 10_000; (await connections()) >= 3 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
    const next = await open();
    expect(await healthz(next)).to.match(/^HTTP\/1\.1 200/);
    for (const socket of [...held, extra, next]) socket.destroy();
  });

  it('is configured in the config file (http.maxConnections, default 1024)', () => {
    expect(parseConfig(JSON.stringify(TEST_CITY), 'c.json').http.maxConnections).to.equal(1024);
    expect(parseConfig(JSON.stringify({ ...TEST_CITY, http: { maxConnections: 50 } }), 'c.json').http.maxConnections).to.equal(50);
    expect(() => parseConfig(JSON.stringify({ ...TEST_CITY, http: { maxConnections: 0 } }), 'c.json')).to.throw(/maxConnections|连接/);
  });

  it('is overridden by LIANDONG_MAX_CONNECTIONS, refused in Chinese when that is no positive integer', () => {
    const config = parseConfig(JSON.stringify({ ...TEST_CITY, http: { maxConnections: 50 } }), 'c.json');
    expect(httpLimitsFrom(config, {})).to.deep.equal({ maxConnections: 50 });
    expect(httpLimitsFrom(config, { LIANDONG_MAX_CONNECTIONS: '200' })).to.deep.equal({ maxConnections: 200 });
    for (const bad of ['0', '-1', '1.5', 'many']) {
      expect(() => httpLimitsFrom(config, { LIANDONG_MAX_CONNECTIONS: bad }), bad)
        .to.throw(/LIANDONG_MAX_CONNECTIONS/)
        .with.property('constructor')
        .that.has.property('name', 'StartupError');
    }
  });
});
