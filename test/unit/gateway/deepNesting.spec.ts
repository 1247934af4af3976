/**
 * Bad input never reaches a 500 (issue 13), over HTTP against the platform wired in this process:
 *  - `POST /v1/events` with events nested thousands of levels deep: each such event is rejected alone
 *    (`invalid_envelope`, kept with its bytes), the rest of the batch answered on its own;
 *  - a body JSON.parse cannot take at all (not a syntax error): one clear 400, kept;
 *  - a stored event nested 5,000 levels deep (written before the ingest check existed, here appended straight
 *    through the event store port) stays readable: `history`, `auditVerify` and `case(asOf)` answer.
 *
 * Deep values are built as JSON text (JSON.parse does not recurse; JSON.stringify would overflow).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { signerFromPrivateKey, trustedKeys } from '../../../infra/audit/signingKey.js';
import { fixedClock } from '../../../infra/clock.js';
import { gql } from '../../e2e/harness.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const COURT = 'test-court-token'; // publisher + viewer of xj-court
const AUDITOR = 'test-auditor-token';

const deepObject = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const deepArray = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const DATA = '{"kind":"civil_dispute","title":"买卖合同纠纷","parties":[{"name":"某公司","role":"plaintiff","type":"enterprise"}]}';
const registerText = (id: string, subject: string, extra = '') =>
  `{"specversion":"1.0","id":"${id}","source":"xj-court","type":"case.registered","subject":"${subject}","time":"2024-09-10T09:00:00+08:00"${extra},"data":${DATA}}`;

describe('deep nesting over HTTP: no 500, nothing lost, nothing unreadable', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'ld-deep-'));
  const clock = fixedClock('2024-09-20T00:00:00.000Z');
  const signer = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey);
  let platform: InProcessPlatform;

  before(async () => {
    platform = await startInProcessPlatform(dir, { clock, ingest: true, auditKeys: trustedKeys([signer.publicKey]) });
  });
  after(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (body: string, contentType: string) => {
    const r = await fetch(`${platform.base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${COURT}`, 'content-type': contentType }, body });
    return { status: r.status, json: (await r.json().catch(() => null)) as Record<string, any> | null };
  };
  const keptRaw = async () => {
    const answer = (await gql(platform.base, COURT, '{ rejections(first: 100) { nodes { code eventId message raw } } }')).json!;
    expect(answer.errors, JSON.stringify(answer.errors)).to.equal(undefined);
    return answer.data!.rejections.nodes as { code: string; eventId: string | null; message: string; raw: string }[];
  };

  it('a batch with events nested 4,500 and 1,000,000 levels: those two rejected alone (kept with their bytes), the others accepted or duplicate', async () => {
    const deepExtension = registerText('deep-ext', 'D-2', `,"ext":${deepObject(4_500)}`);
    const deepElement = deepArray(1_000_000);
    const body = `[\n  ${registerText('ok-1', 'D-1')},\n  ${deepExtension} ,${registerText('ok-3', 'D-3')},${deepElement},\n${registerText('ok-1', 'D-1')}\n]`;
    const r = await post(body, 'application/cloudevents-batch+json');
    expect(r.status, JSON.stringify(r.json)).to.equal(200);
    const results = r.json!.results as { id: string | null; status: string; code?: string; message?: string }[];
    expect(results.map((x) => [x.id, x.status, x.code ?? null])).to.deep.equal([
      ['ok-1', 'accepted', null],
      ['deep-ext', 'rejected', 'invalid_envelope'],
      ['ok-3', 'accepted', null],
      [null, 'rejected', 'invalid_envelope'],
      ['ok-1', 'duplicate', null],
    ]);
    expect(results[1]!.message).to.match(/嵌套层级超过 32 层/);
    const kept = await keptRaw();
    const ext = kept.find((n) => n.eventId === 'deep-ext')!;
    expect(ext.code).to.equal('invalid_envelope');
    expect(ext.raw).to.equal(deepExtension); // the element's own bytes, as sent
    expect(kept.some((n) => n.eventId === null && n.raw === deepElement)).to.equal(true);
  });

  it('a single event with an extension nested 5,000 levels: rejected as invalid_envelope, not stored', async () => {
    const text = registerText('deep-5k', 'D-5', `,"ext":${deepObject(5_000)}`);
    const r = await post(text, 'application/cloudevents+json');
    expect(r.status).to.equal(200);
    expect(r.json!.results).to.have.length(1);
    expect(r.json!.results[0]).to.deep.include({ id: 'deep-5k', status: 'rejected', code: 'invalid_envelope' });
    expect(await platform.store.readStream('case-D-5')).to.have.length(0);
    expect((await keptRaw()).find((n) => n.eventId === 'deep-5k')!.raw).to.equal(text);
  });

  it('a body JSON.parse cannot take (not a syntax error, e.g. its stack or memory ran out): one clear 400 in Chinese, kept', async () => {
    const body = `[${registerText('never-parsed', 'D-6')}]`;
    const parse = JSON.parse;
    JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
      if (text === body) throw new RangeError('Maximum call stack size exceeded');
      return parse(text, reviver);
    }) as typeof JSON.parse;
    let r: Awaited<ReturnType<typeof post>>;
    try {
      r = await post(body, 'application/cloudevents-batch+json');
    } finally {
      JSON.parse = parse;
    }
    expect(r.status).to.equal(400);
    expect(r.json!.message).to.match(/无法解析/);
    expect((await keptRaw()).some((n) => n.raw === body && n.code === 'invalid_envelope')).to.equal(true);
  });

  describe('an event stored 5,000 levels deep before the check existed (appended through the store port)', () => {
    const LEVELS = 5_000;
    before(async () => {
      const metadata = { source: 'xj-court', eventId: 'old-deep', principal: 'court-system', channel: 'http' as const, time: '2024-09-10T09:00:00+08:00', subject: 'OLD-1' };
      await platform.store.append([
        {
          streamId: 'case-OLD-1',
          expectedRevision: 'no_stream',
          events: [
            {
              type: 'case.registered',
              data: JSON.parse(DATA) as Record<string, unknown>,
              metadata: { ...metadata, extensions: { ext: JSON.parse(deepObject(LEVELS)) as unknown } },
            },
            {
              type: 'handoff.requested',
              data: { handoffId: 'h1', to: 'xj-justice', purpose: 'entrusted_mediation', x: JSON.parse(deepArray(LEVELS)) as unknown },
              metadata: { ...metadata, eventId: 'old-deep-2' },
            },
          ],
        },
      ]);
      await platform.runner.waitFor(await platform.store.headPosition().then((p) => p!), 10_000);
    });

    it('history answers: the deep data and metadata as their canonical JSON text, the rest as usual', async () => {
      const answer = (await gql(platform.base, AUDITOR, '{ history(stream: "case-OLD-1") { totalCount nodes { revision type source time data metadata hash prevHash } } }')).json!;
      expect(answer.errors, JSON.stringify(answer.errors)?.slice(0, 500)).to.equal(undefined);
      const nodes = answer.data!.history.nodes as Record<string, unknown>[];
      expect(answer.data!.history.totalCount).to.equal(2);
      expect(nodes.map((n) => [n.revision, n.type, n.source])).to.deep.equal([
        [0, 'case.registered', 'xj-court'],
        [1, 'handoff.requested', 'xj-court'],
      ]);
      expect(nodes[0]!.data).to.deep.equal(JSON.parse(DATA));
      expect(nodes[0]!.metadata).to.equal(
        `{"channel":"http","eventId":"old-deep","extensions":{"ext":${deepObject(LEVELS)}},"principal":"court-system","source":"xj-court","subject":"OLD-1","time":"2024-09-10T09:00:00+08:00"}`,
      );
      expect(nodes[1]!.data).to.equal(`{"handoffId":"h1","purpose":"entrusted_mediation","to":"xj-justice","x":${deepArray(LEVELS)}}`);
      expect(nodes[1]!.metadata).to.deep.include({ eventId: 'old-deep-2' });
      expect(nodes[1]!.prevHash).to.equal(nodes[0]!.hash);
    });

    it('auditVerify checks it, and case(id, asOf) reads the case', async () => {
      const verify = (await gql(platform.base, AUDITOR, '{ auditVerify(stream: "case-OLD-1") { ok checked detail } }')).json!;
      expect(verify.errors, JSON.stringify(verify.errors)?.slice(0, 500)).to.equal(undefined);
      expect(verify.data!.auditVerify).to.deep.include({ ok: true, checked: 2 });
      const asOf = (await gql(platform.base, AUDITOR, '{ case(id: "OLD-1", asOf: "2024-09-21T00:00:00Z") { id handoffs { id } timeline { type } } }')).json!;
      expect(asOf.errors, JSON.stringify(asOf.errors)?.slice(0, 500)).to.equal(undefined);
      expect(asOf.data!.case).to.deep.equal({ id: 'OLD-1', handoffs: [{ id: 'h1' }], timeline: [{ type: 'case.registered' }, { type: 'handoff.requested' }] });
    });
  });
});
