import { expect } from 'chai';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { TEST_CITY } from './fixtures.js';
import { nodeReleaseBannerLines } from '../../infra/nodeRelease.js';
import { cloudEvent, gql, kill, publish, sleep, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';

const COURT = 'test-court-token';
const ORGANIZER = 'test-organizer-token';

const registration = (n: number) =>
  cloudEvent('xj-court', `reg-${n}`, 'case.registered', `XJ-${n}`, '2024-09-10T09:00:00+08:00', {
    kind: 'civil_dispute',
    title: `买卖合同纠纷 ${n}`,
    parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }],
  });

describe('liandong start (e2e): the foundation as a user meets it', function () {
  this.timeout(240_000);
  const dir = tempDir();
  const config = writeConfig(dir, TEST_CITY);
  const dataDir = join(dir, 'data');
  let program: RunningProgram;

  before(async () => {
    program = await startProgram({ config, dataDir });
  });
  after(async () => {
    if (program) await stopProgram(program);
  });

  it('accepts a batch in request order and answers a resend with duplicate and the original position', async () => {
    const batch = [registration(1), registration(2), registration(3)];
    const first = await publish(program.base, COURT, batch);
    expect(first.status).to.equal(200);
    expect(first.json!.results!.map((r) => [r.id, r.status])).to.deep.equal([
      ['reg-1', 'accepted'],
      ['reg-2', 'accepted'],
      ['reg-3', 'accepted'],
    ]);
    const positions = first.json!.results!.map((r) => BigInt(r.position!));
    expect(positions[0]! < positions[1]! && positions[1]! < positions[2]!).to.equal(true);
    const again = await publish(program.base, COURT, registration(2), 'application/cloudevents+json');
    expect(again.json!.results).to.deep.equal([{ id: 'reg-2', status: 'duplicate', position: String(positions[1]) }]);
  });

  describe('bad input gets a clear answer and is kept', () => {
    it('answers 401 without a token or with an unknown one, for ingest and GraphQL', async () => {
      expect((await publish(program.base, null, [registration(9)])).status).to.equal(401);
      expect((await publish(program.base, 'not-a-token', [registration(9)])).status).to.equal(401);
      expect((await gql(program.base, null, '{ agencies { id } }')).status).to.equal(401);
      expect((await gql(program.base, 'not-a-token', '{ agencies { id } }')).status).to.equal(401);
    });

    it('answers 403 to a token without the publisher role', async () => {
      expect((await publish(program.base, 'test-gov-viewer', [registration(9)])).status).to.equal(403);
    });

    it('rejects malformed JSON as invalid_envelope and keeps the bytes', async () => {
      const r = await publish(program.base, COURT, '[{"specversion": "1.0", "id": ');
      expect(r.status).to.equal(200);
      expect(r.json!.results).to.have.length(1);
      expect(r.json!.results![0]).to.include({ status: 'rejected', code: 'invalid_envelope' });
    });

    it('answers 415 for a content type that is not CloudEvents JSON', async () => {
      const r = await publish(program.base, COURT, JSON.stringify(registration(10)), 'text/plain');
      expect(r.status).to.equal(415);
    });

    it('answers 413 for a body over 8 MiB and for a batch over 1,000 events', async () => {
      const big = JSON.stringify([{ ...registration(11), data: { title: 'x'.repeat(9 * 1024 * 1024) } }]);
      expect((await publish(program.base, COURT, big)).status).to.equal(413);
      const many = Array.from({ length: 1001 }, (_, i) => registration(100_000 + i));
      expect((await publish(program.base, COURT, many)).status).to.equal(413);
    });

    it('rejects an event over 64 KiB and one whose source is not the caller, each with its code, others in the batch unaffected', async () => {
      const oversized = { ...registration(12), data: { kind: 'civil_dispute', title: 'x'.repeat(70 * 1024), parties: [{ name: '甲', role: 'plaintiff', type: 'person' }] } };
      const impostor = { ...registration(13), source: 'xj-proc' };
      const fine = registration(14);
      const r = await publish(program.base, COURT, [oversized, impostor, fine]);
      expect(r.json!.results!.map((x) => [x.status, x.code ?? null])).to.deep.equal([
        ['rejected', 'invalid_envelope'],
        ['rejected', 'unauthorized'],
        ['accepted', null],
      ]);
    });

    it('keeps every rejection with its code and raw bytes, filed under the sending agency', async () => {
      const r = await gql(program.base, ORGANIZER, '{ rejections(agency: "xj-court", first: 100) { totalCount nodes { code channel eventId raw } } }');
      expect(r.json!.errors).to.equal(undefined);
      const nodes = r.json!.data!.rejections.nodes as { code: string; eventId: string | null; raw: string }[];
      expect(nodes.map((n) => n.code)).to.include.members(['invalid_envelope', 'unauthorized']);
      expect(nodes.some((n) => n.raw.startsWith('[{"specversion": "1.0", "id": '))).to.equal(true, 'malformed body kept verbatim');
      expect(nodes.find((n) => n.eventId === 'reg-13')?.code).to.equal('unauthorized');
    });
  });

  describe('GraphQL shell', () => {
    it('serves GraphiQL from its own files, with no address outside the platform', async () => {
      const page = await fetch(`${program.base}/graphql`, { headers: { accept: 'text/html' } });
      const html = await page.text();
      expect(page.status).to.equal(200);
      expect(html).to.contain('graphiql');
      expect(html).not.to.match(/https?:\/\//);
      for (const src of html.match(/src="([^"]+)"/g)!.map((s) => s.slice(5, -1))) {
        expect((await fetch(`${program.base}${src}`)).status, src).to.equal(200);
      }
    });

    it('refuses too deep, too many aliases, too large lists and batched operations before resolving', async () => {
      // handoffs → nodes → (case → handoffs)×n: a query that is valid for the schema, only too deep
      const cycle = (n: number) => `{ handoffs { nodes { ${'case { handoffs { '.repeat(n)}id${' } }'.repeat(n)} } } }`;
      const tooDeep = await gql(program.base, ORGANIZER, cycle(5));
      expect(tooDeep.status).to.equal(400);
      expect(tooDeep.json!.errors![0]!.message).to.contain('深度');
      expect((await gql(program.base, ORGANIZER, cycle(4))).json!.errors?.[0]?.message ?? '').not.to.contain('深度');
      const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: agencies { id }`).join(' ')} }`;
      const refusedAliases = await gql(program.base, ORGANIZER, aliases);
      expect(refusedAliases.status).to.equal(400);
      expect(refusedAliases.json!.errors![0]!.message).to.contain('别名');
      const bigPage = await gql(program.base, ORGANIZER, 'query($n: Int) { rejections(first: $n) { totalCount } }', { n: 501 });
      expect(bigPage.json!.errors![0]!.message).to.contain('500');
      const batched = await fetch(`${program.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ORGANIZER}` },
        body: JSON.stringify([{ query: '{ agencies { id } }' }, { query: '{ agencies { id } }' }]),
      });
      expect(batched.status).to.equal(400);
    });

    it('answers /healthz, /readyz and /metrics without a token', async () => {
      expect((await fetch(`${program.base}/healthz`)).status).to.equal(200);
      expect((await fetch(`${program.base}/readyz`)).status).to.equal(200);
      const metrics = await (await fetch(`${program.base}/metrics`)).text();
      expect(metrics).to.match(/liandong_ingested_events_total\{channel="http",status="accepted"\} \d+/);
    });

    it('runs on the Node.js of the test run and says in its banner when that release is past its end of life (issue 19)', async () => {
      // scripts/node-matrix.sh runs npm test on several releases: the program (started through npm and the node on
      // PATH) must be the one under test, not the machine's
      const metrics = await (await fetch(`${program.base}/metrics`)).text();
      expect(metrics).to.contain(`nodejs_version_info{version="${process.version}"`);
      expect(metrics).to.not.contain('liandong_nodejs_');
      for (let waited = 0; !program.output().includes('按 Ctrl+C 停止') && waited < 10_000; waited += 100) await sleep(100);
      const expected = nodeReleaseBannerLines(process.version);
      for (const line of expected) expect(program.output()).to.contain(line.trim()); // a line of the banner at a terminal, a record's msg in JSON
      if (expected.length === 0) expect(program.output()).not.to.match(/(警告|提示)：Node\.js/);
    });
  });

  describe('restarts and crashes', () => {
    it('stops cleanly on SIGTERM and keeps everything across a restart', async () => {
      const stopping = program;
      await stopProgram(stopping, 'SIGTERM');
      // npm itself dies of the signal at once; the platform under it drains and closes its stores, then says so
      expect(stopping.output()).to.contain('已停止。');
      program = await startProgram({ config, dataDir });
      const r = await publish(program.base, COURT, [registration(1), registration(14)]);
      expect(r.json!.results!.map((x) => x.status)).to.deep.equal(['duplicate', 'duplicate']);
    });

    it('loses no acknowledged event and stores none twice when killed with SIGKILL mid-batch', async () => {
      const acknowledged = new Map<string, string>();
      const all = Array.from({ length: 60 }, (_, b) => Array.from({ length: 200 }, (_, i) => registration(1_000_000 + b * 200 + i)));
      let killed = false;
      const senders = all.map(async (batch, b) => {
        await sleep(b * 15);
        if (killed) return;
        try {
          const r = await publish(program.base, COURT, batch);
          for (const x of r.json?.results ?? []) if (x.status === 'accepted' || x.status === 'duplicate') acknowledged.set(x.id!, x.position!);
        } catch {
          /* connection cut by the kill: not acknowledged */
        }
      });
      const deadline = Date.now() + 60_000;
      while (acknowledged.size < 2000 && Date.now() < deadline) await sleep(5);
      kill(program, 'SIGKILL');
      killed = true;
      await Promise.all(senders);
      await stopProgram(program); // the group is gone (SIGKILL cannot be drained)
      expect(acknowledged.size).to.be.greaterThan(1000);

      program = await startProgram({ config, dataDir });
      // every acknowledged event is still there, at the position that was acknowledged
      for (const batch of all) {
        const r = await publish(program.base, COURT, batch);
        for (const x of r.json!.results!) {
          const before = acknowledged.get(x.id!);
          if (before !== undefined) expect([x.status, x.position], x.id!).to.deep.equal(['duplicate', before]);
          else expect(['accepted', 'duplicate']).to.include(x.status);
        }
      }
      await stopProgram(program);
      // and nothing is stored twice
      const db = new Database(join(dataDir, 'liandong.db'), { readonly: true });
      const row = db.prepare("SELECT count(*) AS n, count(DISTINCT idempotency_key) AS keys FROM events WHERE idempotency_key LIKE 'xj-court/reg-10_____'").get() as { n: number; keys: number };
      db.close();
      expect(row.n).to.equal(row.keys);
      expect(row.n).to.equal(all.length * 200, 'every event of the crash run stored once');
      program = await startProgram({ config, dataDir });
    });
  });
});

describe('liandong start (e2e): a bad config stops start-up', function () {
  this.timeout(60_000);
  it('names the line of trouble and starts nothing', () => {
    const dir = tempDir();
    const path = join(dir, 'bad.json');
    const bad = { ...TEST_CITY, agencies: [...TEST_CITY.agencies, { id: 'xj-court', kind: 'tribunal', name: '重复' }] };
    writeFileSync(path, JSON.stringify(bad, null, 2));
    const r = spawnSync('node', ['bin/liandong.mjs', 'start', '--config', path, '--data-dir', join(dir, 'd'), '--port', '0', '--no-demo'], { encoding: 'utf8', timeout: 50_000 });
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.match(/第 \d+ 行/);
    expect(r.stderr).to.contain('kind');
  });
});
