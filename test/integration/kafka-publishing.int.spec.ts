/**
 * What docs/publishing.md tells agencies to run, run against the real broker: the kafkajs example file,
 * the exact kcat command lines from the document, `liandong publish --kafka`, and embedded mode
 * (`liandong start` with KAFKA_BROKERS) consuming Kafka next to HTTP.
 */
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import type { Agency } from '../../domain/shared/agencies.js';
import { agencyTopic } from '../../infra/kafka/topics.js';
import { TEST_CITY } from '../e2e/fixtures.js';
import { freePort, gql, writeConfig } from '../e2e/harness.js';
import { kafkaBrokers, probeKafka, requiredEngines, requireEngine } from './engines.js';
import {
  cleanUpKafka,
  cloudEvent,
  connectedProducer,
  kafkaIngested,
  readStoreFile,
  runId,
  startInProcessIngest,
  startLiandongProcess,
  stopLiandongProcess,
  structured,
  tempDir,
  testKafka,
  waitFor,
  type InProcessIngest,
  type LiandongProcess,
} from './kafkaSupport.js';

const run = promisify(execFile);
const DOC = readFileSync('docs/publishing.md', 'utf8');

/** fenced code blocks of a language, in document order */
const codeBlocks = (lang: string): string[] => [...DOC.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

/** `kcat …` command lines of the bash blocks, continuation lines joined as the shell would */
const kcatCommands = (): string[] =>
  codeBlocks('bash')
    .map((block) => block.replace(/\\\n\s*/g, ''))
    .flatMap((block) => block.split('\n'))
    .filter((line) => line.startsWith('kcat '));

describe('Publishing to Kafka as docs/publishing.md says (real broker)', function () {
  this.timeout(180_000);
  before(requireEngine('kafka', probeKafka));

  const id = runId();
  // Real topic names (`liandong.agency.<id>`, as in the document) made unique by a per-run agency id.
  const agency: Agency = { id: `int-${id}`, kind: 'court', name: '集成测试法院' };
  const groupId = `liandong-int-publishing-${id}`;
  const env = { ...process.env, KAFKA_BROKERS: kafkaBrokers().join(','), AGENCY: agency.id };
  let admin: Admin;
  let producer: Producer;
  let ingest: InProcessIngest;

  before(async function () {
    const kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    producer = await connectedProducer(kafka);
    ingest = await startInProcessIngest({ prefix: 'liandong.', groupId, agencies: new Map([[agency.id, agency]]) });
  });

  after(async function () {
    await ingest?.stop().catch(() => undefined);
    await ingest?.store.close();
    await producer?.disconnect().catch(() => undefined);
    if (admin) {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.deleteTopics({ topics: [agencyTopic('liandong.', agency.id)] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  const resultFor = (eventId: string) => ingest.reports.flatMap((r) => r.results.map((x) => ({ ...x, partition: r.partition }))).find((x) => x.id === eventId);
  const waitForResult = (eventId: string) => waitFor(`the result for ${eventId}`, 30_000, () => resultFor(eventId));

  it('runs the kafkajs example of the document: the file is the one shown, and its event is accepted', async function () {
    const example = readFileSync('docs/examples/publish-kafkajs.mjs', 'utf8');
    expect(codeBlocks('js'), 'the document shows docs/examples/publish-kafkajs.mjs verbatim').to.include(example);
    const { stdout } = await run(process.execPath, ['docs/examples/publish-kafkajs.mjs'], { env, timeout: 60_000 });
    expect(stdout).to.match(new RegExp(`已写入 liandong\\.agency\\.${agency.id} 分区 \\d 位移 \\d+`));
    expect(await waitForResult('reg-YL-2024-0001')).to.include({ status: 'accepted' });
    const [stored] = await ingest.store.readStream('case-YL-2024-0001');
    expect(stored!.metadata).to.include({ source: agency.id, channel: 'kafka', eventId: 'reg-YL-2024-0001' });
  });

  it('shows the example event file verbatim and has two kcat producer lines and one rejections reader', function () {
    expect(JSON.parse(codeBlocks('json')[0]!)).to.deep.equal(JSON.parse(readFileSync('docs/examples/case-registered.json', 'utf8')));
    expect(kcatCommands().map((c) => c.slice(0, 7))).to.deep.equal(['kcat -P', 'kcat -P', 'kcat -C']);
  });

  describe('the kcat command lines of the document', function () {
    before(function () {
      if (spawnSync('kcat', ['-V']).error) {
        const required = requiredEngines();
        if (required.has('kafka') || required.has('all')) throw new Error('kcat is not installed but REQUIRE_ENGINES includes kafka: apt-get install -y kcat');
        console.log('kcat not installed — skipping the kcat examples (apt-get install -y kcat)');
        this.skip();
      }
    });

    const commands = kcatCommands();
    const dir = tempDir('ld-kcat-');

    it('structured then binary with kcat: both accepted, in order, on the partition kafkajs would choose for the key', async function () {
      // the example files, with this run's agency as the source
      const registered = JSON.parse(readFileSync('docs/examples/case-registered.json', 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'case-registered.json'), JSON.stringify({ ...registered, source: agency.id }, null, 2) + '\n');
      copyFileSync('docs/examples/case-closed.data.json', join(dir, 'case-closed.data.json'));
      for (const command of commands.filter((c) => c.startsWith('kcat -P'))) {
        await run('bash', ['-c', command], { cwd: dir, env, timeout: 60_000 });
      }
      const reg = await waitForResult('reg-YL-2024-0002');
      const close = await waitForResult('close-YL-2024-0002');
      expect(reg).to.include({ status: 'accepted' });
      expect(close).to.include({ status: 'accepted' });
      const stream = await ingest.store.readStream('case-YL-2024-0002');
      expect(stream.map((e) => [e.type, e.metadata.eventId])).to.deep.equal([
        ['case.registered', 'reg-YL-2024-0002'],
        ['case.closed', 'close-YL-2024-0002'],
      ]);
      expect(stream[1]!.data).to.deep.equal({ outcome: 'withdrawn', note: '原告撤诉，裁定准许' });

      // murmur2_random in kcat = kafkajs' DefaultPartitioner: one case, one partition, whichever client sent it
      const topic = agencyTopic('liandong.', agency.id);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const expected = Partitioners.DefaultPartitioner()({ topic, partitionMetadata: meta.topics[0]!.partitions, message: { key: 'YL-2024-0002', value: null } });
      expect([reg.partition, close.partition]).to.deep.equal([expected, expected]);
    });

    it('reads this agency’s rejections with the kcat consumer line', async function () {
      const impostor = cloudEvent('yl-proc', 'reg-YL-2024-0009', 'case.registered', 'YL-2024-0009', '2024-09-10T09:30:00+08:00', { kind: 'civil_dispute', title: 'x', parties: [{ name: '甲', role: 'plaintiff', type: 'person' }] });
      await producer.send({ topic: agencyTopic('liandong.', agency.id), acks: -1, messages: [structured(impostor)] });
      expect(await waitForResult('reg-YL-2024-0009')).to.include({ status: 'rejected', code: 'unauthorized' });
      const reader = commands.find((c) => c.startsWith('kcat -C'))!;
      const out = await waitFor('the rejection on liandong.rejections', 30_000, async () => {
        const { stdout } = await run('bash', ['-c', reader], { cwd: dir, env, timeout: 30_000 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
        return stdout.includes('reg-YL-2024-0009') ? stdout : undefined;
      }, 500);
      const line = out.trim().split('\n').find((l) => l.includes('reg-YL-2024-0009'))!;
      expect(line.startsWith(`${agency.id} {`)).to.equal(true);
      expect(JSON.parse(line.slice(agency.id.length + 1))).to.include({ code: 'unauthorized', eventId: 'reg-YL-2024-0009', agencyId: agency.id });
    });
  });

  it('liandong publish --kafka writes a file of events to the agency topic, key = subject', async function () {
    const dir = tempDir('ld-publish-');
    const file = join(dir, 'events.json');
    const time = '2024-09-11T10:00:00+08:00';
    writeFileSync(
      file,
      JSON.stringify([
        cloudEvent(agency.id, 'reg-YL-2024-0003', 'case.registered', 'YL-2024-0003', time, { kind: 'civil_dispute', title: '借款合同纠纷', parties: [{ name: '李某', role: 'plaintiff', type: 'person' }] }),
        cloudEvent(agency.id, 'close-YL-2024-0003', 'case.closed', 'YL-2024-0003', time, { outcome: 'other' }),
      ]),
    );
    const { stdout } = await run(process.execPath, ['bin/liandong.mjs', 'publish', '--kafka', '--brokers', kafkaBrokers().join(','), '--agency', agency.id, '--file', file], {
      env: { ...process.env, KAFKA_LOG_LEVEL: 'nothing' },
      timeout: 60_000,
    });
    expect(stdout).to.contain('reg-YL-2024-0003\tkey YL-2024-0003\t→ liandong.agency.');
    expect(stdout).to.contain('共 2 条已写入');
    expect(await waitForResult('reg-YL-2024-0003')).to.include({ status: 'accepted' });
    expect(await waitForResult('close-YL-2024-0003')).to.include({ status: 'accepted' });
  });

  describe('embedded mode with KAFKA_BROKERS (liandong start)', function () {
    const prefix = `liandong-int.${id}.embedded.`;
    const embeddedGroup = `liandong-int-embedded-${id}`;
    const dir = tempDir('ld-embedded-');
    let program: LiandongProcess | undefined;

    after(async function () {
      if (program) await stopLiandongProcess(program, 'SIGKILL');
      await cleanUpKafka(admin, prefix, [embeddedGroup]);
    });

    it('consumes the agency topics next to HTTP: facts stored, rejections queryable in GraphQL, clean stop', async function () {
      const port = freePort();
      const base = `http://127.0.0.1:${port}`;
      program = await startLiandongProcess({
        args: ['start', '--config', writeConfig(dir, TEST_CITY), '--data-dir', join(dir, 'data'), '--port', String(port), '--no-demo'],
        env: { KAFKA_TOPIC_PREFIX: prefix, KAFKA_GROUP_ID: embeddedGroup },
        ready: `${prefix}rejections`,
      });
      expect(program.output()).to.contain('嵌入式平台已就绪');
      expect(program.output()).to.contain(`${prefix}agency.xj-court`);

      const good = cloudEvent('xj-court', 'emb-1', 'case.registered', 'XJ-EMB-1', '2024-09-10T09:00:00+08:00', { kind: 'civil_dispute', title: '嵌入式经 Kafka', parties: [{ name: '甲', role: 'plaintiff', type: 'person' }] });
      // a closing without its outcome (invalid_data); an unknown case would be parked first (events.md §5)
      const bad = cloudEvent('xj-court', 'emb-2', 'case.closed', 'XJ-EMB-404', '2024-09-10T09:00:00+08:00', {});
      await producer.send({ topic: agencyTopic(prefix, 'xj-court'), acks: -1, messages: [structured(good), structured(bad)] });

      const rejection = await waitFor('the Kafka rejection in GraphQL', 60_000, async () => {
        const r = await gql(base, 'test-court-token', '{ rejections(first: 10) { totalCount nodes { code channel eventId raw } } }');
        return r.json?.data?.rejections?.totalCount === 1 ? r.json.data.rejections.nodes[0] : undefined;
      }, 250);
      expect(rejection).to.deep.include({ code: 'invalid_data', channel: 'kafka', eventId: 'emb-2' });
      // What Kafka brought is counted in /metrics like what HTTP brings. The rejection is kept (and so
      // queryable) before its chunk is counted, so the counters are read once both messages are counted.
      const counted = (metrics: string) => (['accepted', 'duplicate', 'rejected'] as const).map((status) => kafkaIngested(metrics, status));
      const metrics = await waitFor('both Kafka messages counted in /metrics', 30_000, async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        return counted(text).reduce((a, b) => a + b, 0) >= 2 ? text : undefined;
      }, 100);
      expect(counted(metrics), metrics).to.deep.equal([1, 0, 1]);

      const code = await stopLiandongProcess(program, 'SIGTERM');
      expect(code, program.output().slice(-2000)).to.equal(0);
      expect(program.output()).to.contain('已停止。');
      const { facts } = readStoreFile(join(dir, 'data', 'liandong.db'));
      expect(facts.map((f) => f.eventId)).to.deep.equal(['emb-1']);
    });
  });
});
