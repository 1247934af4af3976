/**
 * The ecosystem's conventions (issue 17, item 5), over HTTP against the platform wired in this process:
 *  - CloudEvents HTTP binary mode (one event: attributes in `ce-*` headers, `data` as the body) beside
 *    structured mode, with the same checks and answers, rejected ones kept;
 *  - `/metrics` parsed as Prometheus text: prom-client's default set under its standard names, liandong's own
 *    under `liandong_`, counters ending `_total` and liandong's gauges not, routes labelled by what was asked
 *    (POST /graphql is `/graphql`), rejections counted by `code`;
 *  - messages in Chinese only (no validator English), a JSON 404 for an address nothing serves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { fixedClock } from '../../../infra/clock.js';
import { gql } from '../../e2e/harness.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const COURT = 'test-court-token'; // publisher + viewer of xj-court
const DATA = '{"kind":"civil_dispute","title":"买卖合同纠纷","parties":[{"name":"某公司","role":"plaintiff","type":"enterprise"}]}';
const ceHeaders = (id: string, subject: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'ce-specversion': '1.0',
  'ce-id': id,
  'ce-source': 'xj-court',
  'ce-type': 'case.registered',
  'ce-subject': subject,
  'ce-time': '2024-09-10T09:00:00+08:00',
  ...extra,
});
/** English a validator would write ("must be equal to constant", "Invalid input: expected number") */
const ENGLISH = /\b(must|should|invalid input|expected|received|required property)\b/i;

interface Result {
  id: string | null;
  status: string;
  position?: string;
  code?: string;
  message?: string;
}

describe('conventions: CloudEvents binary mode, Prometheus names, Chinese messages, JSON 404', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'ld-conventions-'));
  const clock = fixedClock('2024-09-20T00:00:00.000Z');
  let platform: InProcessPlatform;

  before(async () => {
    platform = await startInProcessPlatform(dir, { clock, ingest: true });
  });
  after(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (headers: Record<string, string>, body: string, token: string | null = COURT) => {
    const r = await fetch(`${platform.base}/v1/events`, { method: 'POST', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body });
    return { status: r.status, json: (await r.json().catch(() => null)) as { results?: Result[]; error?: string; message?: string } | null };
  };
  const kept = async () => {
    const answer = (await gql(platform.base, COURT, '{ rejections(first: 100) { nodes { code eventId message raw } } }')).json!;
    expect(answer.errors, JSON.stringify(answer.errors)).to.equal(undefined);
    return answer.data!.rejections.nodes as { code: string; eventId: string | null; message: string; raw: string }[];
  };
  const metrics = async (): Promise<ParsedFamily[]> => {
    const r = await fetch(`${platform.base}/metrics`);
    expect(r.headers.get('content-type')).to.match(/^text\/plain/);
    return parsePrometheusTextFormat(await r.text());
  };
  const sample = (families: ParsedFamily[], name: string, labels: Record<string, string>): number => {
    const family = families.find((f) => f.name === name);
    const found = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    return found?.value === undefined ? NaN : Number(found.value);
  };

  describe('CloudEvents HTTP binary mode', () => {
    it('accepts one event sent as ce-* headers with data as the body, and it is readable at once', async () => {
      const r = await post({ ...ceHeaders('bin-1', 'B-1'), 'content-type': 'application/json' }, DATA);
      expect(r.status, JSON.stringify(r.json)).to.equal(200);
      expect(r.json!.results).to.have.length(1);
      expect(r.json!.results![0]).to.include({ id: 'bin-1', status: 'accepted' });
      const answer = (await gql(platform.base, COURT, '{ case(id: "B-1") { title } }')).json!;
      expect(answer.data?.case).to.deep.equal({ title: '买卖合同纠纷' });
    });

    it('answers the same event sent again in structured mode as a duplicate at the same position', async () => {
      const first = await post({ ...ceHeaders('bin-2', 'B-2'), 'content-type': 'application/json; charset=utf-8' }, DATA);
      const structured = `{"specversion":"1.0","id":"bin-2","source":"xj-court","type":"case.registered","subject":"B-2","time":"2024-09-10T09:00:00+08:00","datacontenttype":"application/json","data":${DATA}}`;
      const again = await post({ 'content-type': 'application/cloudevents+json' }, structured);
      expect(first.json!.results![0]!.status).to.equal('accepted');
      expect(again.json!.results![0]).to.deep.equal({ id: 'bin-2', status: 'duplicate', position: first.json!.results![0]!.position });
    });

    it('reads percent-encoded header values as UTF-8 (the binding’s encoding of non-ASCII attributes)', async () => {
      const r = await post({ ...ceHeaders('bin-%E8%A1%A5%E6%AD%A3-1', 'B-3'), 'content-type': 'application/json' }, DATA);
      expect(r.json!.results![0]).to.include({ id: 'bin-补正-1', status: 'accepted' });
    });

    it('rejects a bad attribute with the structured mode’s code and a Chinese message, and keeps what was sent', async () => {
      const r = await post({ ...ceHeaders('bin-bad', 'B-4', { 'ce-specversion': '0.3' }), 'content-type': 'application/json' }, DATA);
      expect(r.status).to.equal(200);
      const result = r.json!.results![0]!;
      expect(result).to.include({ id: 'bin-bad', status: 'rejected', code: 'invalid_envelope' });
      expect(result.message).to.contain('/specversion').and.not.match(ENGLISH);
      const raw = (await kept()).find((k) => k.eventId === 'bin-bad')!.raw;
      expect(raw).to.contain('ce-specversion: 0.3').and.contain('ce-subject: B-4').and.contain(DATA);
    });

    it('checks the body as the event’s data: a wrong field type is invalid_data in Chinese', async () => {
      const r = await post({ ...ceHeaders('bin-data', 'B-5'), 'content-type': 'application/json' }, DATA.replace('"买卖合同纠纷"', '42'));
      const result = r.json!.results![0]!;
      expect(result).to.include({ status: 'rejected', code: 'invalid_data' });
      expect(result.message).to.contain('/title').and.not.match(ENGLISH);
    });

    it('answers 415 for ce-* headers with a body that is not JSON, and for JSON without ce-* headers; both kept', async () => {
      const before = (await kept()).length;
      const text = await post({ ...ceHeaders('bin-text', 'B-6'), 'content-type': 'text/plain' }, 'hello');
      expect(text.status).to.equal(415);
      expect(text.json!.message).to.contain('application/json');
      const bare = await post({ 'content-type': 'application/json' }, DATA);
      expect(bare.status).to.equal(415);
      expect(bare.json!.message).to.contain('ce-*');
      const after = await kept();
      expect(after.length).to.equal(before + 2);
      expect(after.some((k) => k.raw.includes('ce-id: bin-text') && k.raw.endsWith('hello'))).to.equal(true);
    });

    it('asks for a token first (401), as structured mode does', async () => {
      const r = await post({ ...ceHeaders('bin-anon', 'B-7'), 'content-type': 'application/json' }, DATA, null);
      expect(r.status).to.equal(401);
    });
  });

  describe('/metrics', () => {
    it('keeps prom-client’s default metrics under their standard names, unprefixed', async () => {
      const defaults = new Registry();
      collectDefaultMetrics({ register: defaults });
      const standard = new Set((await defaults.getMetricsAsJSON()).map((m) => m.name));
      const names = new Set((await metrics()).map((f) => f.name));
      for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info']) {
        expect(names.has(name), name).to.equal(true);
      }
      for (const name of names) expect(name.startsWith('liandong_') || standard.has(name), `${name}: neither liandong's own nor prom-client's default set`).to.equal(true);
      expect([...names].filter((n) => /^liandong_(process|nodejs)_/.test(n))).to.deep.equal([]);
    });

    it('names counters *_total and none of liandong’s gauges so', async () => {
      const families = await metrics();
      const counters = families.filter((f) => f.type === 'COUNTER').map((f) => f.name);
      expect(counters).to.include.members(['liandong_ingested_events_total', 'liandong_rejected_events_total', 'process_cpu_seconds_total']);
      for (const name of counters) expect(name, name).to.match(/_total$/);
      const gauges = families.filter((f) => f.type === 'GAUGE' && f.name.startsWith('liandong_')).map((f) => f.name);
      expect(gauges).to.include('liandong_projection_lag_events');
      for (const name of gauges) expect(name, name).to.not.match(/_total$/);
    });

    it('counts rejections by code, per channel', async () => {
      const before = await metrics();
      const rejected = (code: string, families: ParsedFamily[]) => sample(families, 'liandong_rejected_events_total', { channel: 'http', code });
      expect(rejected('unknown_type', before)).to.be.a('number').and.not.NaN; // every code's series exists before its first rejection
      await post({ ...ceHeaders('bin-unknown-type', 'B-8', { 'ce-type': 'case.teleported' }), 'content-type': 'application/json' }, DATA);
      await post({ ...ceHeaders('bin-bad-2', 'B-9', { 'ce-specversion': '2.0' }), 'content-type': 'application/json' }, DATA);
      const after = await metrics();
      expect(rejected('unknown_type', after) - rejected('unknown_type', before)).to.equal(1);
      expect(rejected('invalid_envelope', after) - rejected('invalid_envelope', before)).to.equal(1);
      expect(rejected('case_exists', after) - rejected('case_exists', before)).to.equal(0);
      const status = (families: ParsedFamily[]) => sample(families, 'liandong_ingested_events_total', { channel: 'http', status: 'rejected' });
      expect(status(after) - status(before)).to.equal(2);
    });

    it('labels requests by the route asked, POST /graphql included, and an unknown address as other', async () => {
      await gql(platform.base, COURT, '{ case(id: "B-1") { title } }');
      await fetch(`${platform.base}/no/such/address`);
      const families = await metrics();
      const requests = families.find((f) => f.name === 'liandong_http_requests_total')!;
      const series = requests.metrics.map((m) => m.labels!);
      expect(series.some((l) => l.method === 'POST' && l.route === '/graphql' && l.status === '200')).to.equal(true);
      expect(series.some((l) => l.method === 'POST' && l.route === '/v1/events')).to.equal(true);
      expect(series.some((l) => l.route === 'other' && l.status === '404')).to.equal(true);
      expect(series.filter((l) => l.route === 'other').every((l) => l.status === '404')).to.equal(true);
    });
  });

  describe('answers a program can read', () => {
    it('an address nothing serves is a JSON 404 in Chinese, not an HTML page', async () => {
      for (const [method, path] of [['GET', '/nope'], ['POST', '/v1/nope'], ['DELETE', '/v1/events']] as const) {
        const r = await fetch(`${platform.base}${path}`, { method });
        expect(r.status, `${method} ${path}`).to.equal(404);
        expect(r.headers.get('content-type')).to.match(/^application\/json/);
        const body = (await r.json()) as { error: string; message: string };
        expect(body.error).to.equal('not_found');
        expect(body.message).to.contain(path).and.match(/没有这个地址/);
      }
    });

    it('every answer carries a request id, the caller’s own when it sends one', async () => {
      const mine = await fetch(`${platform.base}/healthz`, { headers: { 'x-request-id': 'lb-7f3a' } });
      expect(mine.headers.get('x-request-id')).to.equal('lb-7f3a');
      const fresh = await fetch(`${platform.base}/healthz`);
      expect(fresh.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    });

    it('an unparseable structured body is rejected with a Chinese message pointing at the spot', async () => {
      const r = await post({ 'content-type': 'application/cloudevents+json' }, '{"specversion":"1.0",}');
      const result = r.json!.results![0]!;
      expect(result).to.include({ status: 'rejected', code: 'invalid_envelope' });
      // V8 of Node 20 names the position, of Node 22 and 24 the line and column: either is said in Chinese
      expect(result.message).to.match(/JSON 解析失败：第 (\d+ 个字符|1 行第 22 列)附近不是合法的 JSON/).and.not.match(ENGLISH);
    });
  });
});
