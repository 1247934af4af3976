/**
 * `npm run bench [-- --quick]` (bench/cli.ts): the benchmark suite (docs/benchmarks.md). Runs every measurement in turn with
 * a progress display, prints a table and writes bench/results.json.
 *
 * Order of a run (each step needs the one before):
 *   1. the workload (bench/workload.ts) — full: 10,000 cases, 1,000,000 events; quick: 1,000 and 30,000 — and
 *      the paced publisher's own workload (new cases, for step 5);
 *   2. the real program started empty (RSS baseline), the workload sent over HTTP (ingest_http) with /healthz
 *      polled throughout, the two liaison meetings made through GraphQL, a few dossier queries, its peak RSS
 *      (rss_1m), then stopped;
 *   3. in this process, with nothing else running: the ingest baselines (ceiling, Emmett in memory), PostgreSQL
 *      ingest against Emmett's PostgreSQL store (ingest_postgres), and on the program's event store the raw
 *      scan, the rebuilds (rebuild_embedded, rebuild_redis), the audit (audit_verify, chain_overhead), then
 *      `liandong replay` as its own process (its peak RSS, in rss_1m);
 *   4. a read-only GraphQL server over the program's data: asof_p50;
 *   5. the program again (no answer is kept anywhere since issue 14): /healthz idle; each GraphQL question
 *      (dossier, board, clocks, scorecard) at 50 clients with no ingest (the baseline), then again while the
 *      paced publisher sends 200 events/s through POST /v1/events, /healthz polled during each flood
 *      (graphql_*_p99); /healthz during auditVerify (healthz_p99_under_load);
 *   6. Kafka (ingest_kafka), on topics of its own.
 * Engines that are not reachable, and audit code that is not there yet, make their metrics "skipped".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { openSqliteEventStore } from '../infra/eventStore/sqliteEventStore.js';
import { openRedisReadModelStore } from '../infra/readModels/redisReadModelStore.js';
import { chainCost, verifyRate } from './audit.js';
import { kafkaBrokers, probeKafka, probeRedis, redisUrl } from './engines.js';
import { BOARD_QUERY, CASE_QUERY, CLOCKS_QUERY, DOSSIER_QUERY, checkQuery, measureLatency, scorecardQuery, settle, startGraphqlServer, type LatencyRun } from './graphql.js';
import { closeAgent, graphql } from './http.js';
import { idleFor, pollHealthzWhile, verifyLoad, type HealthzRun } from './healthz.js';
import { ceiling, emmettInMemory, ingestOverHttp, type BaselineRun, type IngestRun } from './ingestHttp.js';
import { ingestPostgres, postgresAdminUrl, probePostgres } from './ingestPostgres.js';
import { kafkaIngestVsBare } from './ingestKafka.js';
import { createMeetings } from './meetings.js';
import { startPacedPublisher, type PublisherWindow } from './pacedPublisher.js';
import { BIN, processMemory, spawnNode, startProgram, stopAllChildren } from './program.js';
import { createProgress, type Progress, type Step } from './progress.js';
import { dropRedisPrefix, projectionContext, rawScan, rebuildEmbedded, rebuildInto, type Rate } from './rebuild.js';
import { formatTable, ratioOf, skipped, writeResults, type Metric } from './results.js';
import { buildWorkload, busiestQuarter, DEMO_CONFIG_PATH, demoConfig, publisherTokens, tokenWithRole, type Workload } from './workload.js';

export interface BenchOptions {
  quick: boolean;
  /** where results.json goes (default bench/results.json) */
  out?: string;
}

interface Sizes {
  cases: number;
  events: number;
  longCaseEvents: number;
  kafkaCases: number;
  kafkaEvents: number;
  graphqlSeconds: number;
  warmupSeconds: number;
  asOfSeconds: number;
  emmettSeconds: number;
  /** liandong's PostgreSQL ingest stops after this long; Emmett's PostgreSQL store gets the same events */
  postgresSeconds: number;
  chainSample: number;
}

/** events/s of the paced publisher during the GraphQL floods (issue 14 "while ingest runs at 200 events/s") */
const PUBLISH_RATE = 200;

const FULL: Sizes = {
  cases: 10_000,
  events: 1_000_000,
  longCaseEvents: 1000,
  kafkaCases: 2000,
  kafkaEvents: 100_000,
  graphqlSeconds: 10,
  warmupSeconds: 2,
  asOfSeconds: 5,
  emmettSeconds: 30,
  postgresSeconds: 60,
  chainSample: 200_000,
};
const QUICK: Sizes = {
  cases: 1000,
  events: 30_000,
  longCaseEvents: 1000,
  kafkaCases: 1500,
  kafkaEvents: 30_000,
  graphqlSeconds: 4,
  warmupSeconds: 1,
  asOfSeconds: 2,
  emmettSeconds: 10,
  postgresSeconds: 20,
  chainSample: 30_000,
};

const MiB = 1024 * 1024;
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results.json');
const errorText = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0]! : String(e));

export async function runBench(options: BenchOptions): Promise<number> {
  const sizes = options.quick ? QUICK : FULL;
  const runId = randomBytes(4).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'liandong-bench-'));
  const dataDir = join(dir, 'data');
  const progress = createProgress();
  const metrics: Metric[] = [];
  const started = Date.now();
  const redisPrefix = `liandong:bench:${runId}:`;
  let interrupted = false;

  const cleanUp = async () => {
    progress.stop();
    closeAgent();
    await stopAllChildren();
    await dropRedisPrefix(redisUrl(), redisPrefix).catch(() => undefined);
    // LIANDONG_BENCH_KEEP=1 keeps the data directories, e.g. to profile a query against them
    if (process.env.LIANDONG_BENCH_KEEP === '1') console.error(`数据保留在 data kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: string) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n收到 ${signal}：停止基准测试，清理子进程与临时数据…`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));

  try {
    const config = demoConfig();
    const agencyIds = config.agencies.map((a) => a.id);
    const brokers = kafkaBrokers();
    const [kafkaProblem, redisProblem] = await Promise.all([probeKafka(brokers), probeRedis(redisUrl())]);

    // 1. workload
    const building = progress.step('生成负载 workload', 1, '');
    const now = new Date();
    const workload = await buildWorkload({ cases: sizes.cases, events: sizes.events, longCaseEvents: sizes.longCaseEvents, now });
    // what the paced publisher sends in step 5: new cases (ids of their own), enough for every flood at 200/s
    const floodSeconds = 4 * (sizes.graphqlSeconds + sizes.warmupSeconds) + 120;
    const liveEvents = PUBLISH_RATE * floodSeconds;
    const live = await buildWorkload({ cases: Math.max(50, Math.round(liveEvents / 30)), events: liveEvents, longCaseEvents: 0, now, idPrefix: 'live' });
    const quarter = busiestQuarter(workload);
    building.done(`${workload.cases.length.toLocaleString()} cases, ${workload.events.toLocaleString()} events; publisher ${live.events.toLocaleString()}; busiest quarter ${quarter}`);

    // 2. the program: ingest over HTTP, meetings, RSS
    const program = await startProgram({ config: DEMO_CONFIG_PATH, dataDir });
    await new Promise((r) => setTimeout(r, 1000));
    const emptyRss = program.memory().rss;
    let http: IngestRun;
    let meetingId: string;
    let peakRss: number;
    let ingestHealthz: HealthzRun;
    try {
      // /healthz polled all along the ingest (issue 14: fast "during the full ingest")
      ({ healthz: ingestHealthz, result: http } = await pollHealthzWhile(program.base, ingestOverHttp(program.base, publisherTokens(config), workload, progress.step('HTTP 接入 ingest_http', workload.events, 'events'))));
      const organizer = tokenWithRole(config, 'organizer');
      const meetingStep = progress.step('推进会 meetings (GraphQL)', 1);
      const caseIds = workload.cases.slice(0, 40).map((c) => c.id);
      meetingId = (await createMeetings(program.base, organizer, agencyIds, caseIds, now)).upcoming;
      // what an organizer does next: open the dossier and the board, which the peak memory includes
      for (let i = 0; i < 5; i++) {
        await checkQuery(program.base, organizer, DOSSIER_QUERY, { id: meetingId });
        await checkQuery(program.base, organizer, BOARD_QUERY, {});
      }
      meetingStep.done();
      peakRss = program.memory().peak;
    } finally {
      await program.stop();
    }
    // the same data after a restart: read models loaded from disk, no ingest churn — the live set
    const restarted = await startProgram({ config: DEMO_CONFIG_PATH, dataDir });
    let restartRss: number;
    try {
      await checkQuery(restarted.base, tokenWithRole(config, 'organizer'), DOSSIER_QUERY, { id: meetingId });
      restartRss = restarted.memory().peak;
    } finally {
      await restarted.stop();
    }

    // 3a. ingest baselines, on the same batches
    const ceilingRun = ceiling(dir, workload, progress.step('基线 ceiling (SQLite)', workload.events, 'events'));
    const emmettRun = await emmettInMemory(workload, sizes.emmettSeconds, progress.step('基线 Emmett in-memory', workload.events, 'events'));
    metrics.push(ingestMetric(http, ceilingRun, emmettRun));
    metrics.push(await postgresMetric(workload, runId, sizes, progress));

    // 3b. the program's event store: scan, rebuilds, audit
    const store = openSqliteEventStore({ path: join(dataDir, 'liandong.db') });
    let scan: Rate;
    let asOf: string;
    try {
      // time travel to the middle of the long case's history: about half of its events were known then
      const history = await store.readStream(`case-${workload.longCase.id}`);
      asOf = history[Math.floor(history.length / 2)]?.recordedAt ?? new Date().toISOString();
      scan = await rawScan(store, progress.step('基线 raw scan', 1, 'events'));
      const ctx = projectionContext(config);
      const embedded = await rebuildEmbedded(store, dir, ctx, progress.step('重建 rebuild_embedded', 1, 'events'));
      metrics.push(rateMetric('rebuild_embedded', embedded, scan, 'raw event-store scan', '≥ 100,000 events/s', (v) => v >= 100_000));
      if (redisProblem) metrics.push(skipped('rebuild_redis', 'events/s', redisProblem));
      else {
        const redisStep = progress.step('重建 rebuild_redis', 1, 'events');
        try {
          const into = await openRedisReadModelStore({ url: redisUrl(), keyPrefix: redisPrefix, connectionName: `liandong-bench-${runId}` });
          try {
            metrics.push(rateMetric('rebuild_redis', await rebuildInto(store, into, ctx, redisStep), scan, 'raw event-store scan'));
          } finally {
            await into.close();
            await dropRedisPrefix(redisUrl(), redisPrefix);
          }
        } catch (e) {
          redisStep.done('failed');
          metrics.push(skipped('rebuild_redis', 'events/s', `失败 (failed): ${errorText(e)}`));
        }
      }
      const verified = await verifyRate(store, dataDir, progress.step('审计 audit_verify', 1, 'events'));
      metrics.push(
        typeof verified === 'string'
          ? skipped('audit_verify', 'events/s', verified, '≥ 400,000 events/s')
          : {
              ...rateMetric('audit_verify', verified, scan, 'raw event-store scan', '≥ 400,000 events/s', (v) => v >= 400_000),
              notes: [`verify ${verified.ok ? 'ok' : 'FOUND PROBLEMS'}: ${verified.detail}`],
            },
      );
      const cost = await chainCost(store, store.database, sizes.chainSample, progress.step('审计 chain_overhead', 1, 'events'));
      metrics.push(typeof cost === 'string' ? skipped('chain_overhead', '%', cost, '≤ 10 % of ingest') : chainMetric(cost, http));
    } finally {
      await store.close();
    }
    // `liandong replay` on the program's data, as an operator runs it: its peak RSS (issue 14: ≤ 1 GiB)
    const replay = await replayPeak(dataDir, progress.step('重放 replay (RSS)', 1, 's'));
    metrics.push(rssMetric(peakRss, emptyRss, restartRss, replay, workload, options.quick));

    // 4. case(asOf), on a read-only server over the same data
    metrics.push(await asOfMetric(dataDir, workload, asOf, sizes, progress));

    // 5. GraphQL while ingest runs, and /healthz all along (issue 14: the event loop is for I/O)
    metrics.push(...(await underLoadMetrics({ dataDir, meetingId, quarter, live, ingestHealthz, sizes, progress })));

    // 6. Kafka
    if (kafkaProblem) metrics.push(skipped('ingest_kafka', 'events/s', kafkaProblem, '≥ 0.5 × bare consumer'));
    else metrics.push(await kafkaMetric(brokers, agencyIds, dir, runId, sizes, now, progress));

    progress.stop();
    const context = {
      suite: 'liandong bench',
      mode: options.quick ? 'quick' : 'full',
      date: new Date().toISOString(),
      seconds: Math.round((Date.now() - started) / 1000),
      machine: { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version, platform: `${process.platform}-${process.arch}` },
      workload: { cases: workload.cases.length, events: workload.events, longCaseEvents: workload.longCase.length, templates: workload.templates.length, batchSize: 500 },
    };
    const out = options.out ?? RESULTS;
    writeResults(out, metrics, context);
    console.log(`\n联动 liandong 基准测试 (${context.mode}, ${context.seconds} s, ${context.machine.nproc} cores, ${context.machine.memoryGiB} GiB, ${context.machine.cpu})`);
    console.log(`负载 workload: ${workload.cases.length.toLocaleString()} cases, ${workload.events.toLocaleString()} events\n`);
    console.log(formatTable(metrics));
    console.log(`\n结果已写入 results written to ${out}`);
    return 0;
  } finally {
    if (!interrupted) await cleanUp();
  }
}

function ingestMetric(http: IngestRun, ceilingRun: BaselineRun, emmett: BaselineRun): Metric {
  const value = http.perSecond;
  const toCeiling = ratioOf(value, ceilingRun.perSecond);
  const toEmmett = ratioOf(value, emmett.perSecond);
  const notes = [
    `${http.events.toLocaleString()} events in ${http.batches} batches, ${http.seconds.toFixed(1)} s: ${http.accepted} accepted, ${http.duplicate} duplicate, ${http.rejected} rejected`,
    ...http.rejections,
  ];
  if (emmett.partial) notes.push(`Emmett stopped at its time limit after ${emmett.events.toLocaleString()} events (rate over those)`);
  return {
    name: 'ingest_http',
    value,
    unit: 'events/s',
    baseline: { name: 'ceiling: parse + sha256 + fsync’d SQLite insert', value: ceilingRun.perSecond },
    ratio: toCeiling,
    target: '≥ 50,000 events/s, ≥ 3× Emmett, ≥ 0.25 × ceiling',
    met: value >= 50_000 && (toEmmett ?? 0) >= 3 && (toCeiling ?? 0) >= 0.25,
    figures: [{ name: 'Emmett in-memory store (appendToStream per case, expected versions)', value: emmett.perSecond, unit: 'events/s', ratio: toEmmett, note: 'liandong ÷ Emmett' }],
    notes,
  };
}

function rateMetric(name: Metric['name'], run: { perSecond: number; events: number; seconds: number }, baseline: Rate, baselineName: string, target?: string, meets?: (v: number) => boolean): Metric {
  return {
    name,
    value: run.perSecond,
    unit: 'events/s',
    baseline: { name: baselineName, value: baseline.perSecond },
    ratio: ratioOf(run.perSecond, baseline.perSecond),
    ...(target ? { target, met: meets ? meets(run.perSecond) : null } : {}),
    notes: [`${run.events.toLocaleString()} events in ${run.seconds.toFixed(2)} s`],
  };
}

function rssMetric(peak: number, empty: number, restarted: number, replay: ReplayRun | string, workload: Workload, quick: boolean): Metric {
  const value = peak / MiB;
  const replayMiB = typeof replay === 'string' ? null : replay.peak / MiB;
  return {
    name: 'rss_1m',
    value,
    unit: 'MiB',
    baseline: { name: 'same program, empty store', value: empty / MiB },
    ratio: ratioOf(peak, empty),
    target: '≤ 1024 MiB at 1,000,000 events, ingest and replay',
    met: quick ? null : value <= 1024 && replayMiB !== null && replayMiB <= 1024,
    figures: [
      { name: 'peak RSS after a restart on the same data (read models loaded from disk, one dossier served)', value: restarted / MiB, unit: 'MiB' },
      { name: 'peak RSS of `liandong replay` on the same data (every projection)', value: replayMiB, unit: 'MiB', ratio: replayMiB === null ? null : ratioOf(replayMiB, empty / MiB), note: 'replay ÷ empty program' },
    ],
    notes: [
      `peak RSS (VmHWM) of \`liandong start\` after ingesting ${workload.events.toLocaleString()} events and serving the dossier and board${quick ? ' — quick mode: not 1M events, no verdict' : ''}; the value is the ingest's, the replay's is a figure and counts for the verdict`,
      typeof replay === 'string' ? `replay: ${replay}` : `replay: exit ${replay.code}, ${replay.seconds.toFixed(1)} s, VmHWM read every 100 ms until it exited`,
    ],
  };
}

interface ReplayRun {
  peak: number;
  seconds: number;
  code: number | null;
}

/** `liandong replay` as its own process on the data directory; its VmHWM, read until it exits. A string: why not. */
async function replayPeak(dataDir: string, step: Step): Promise<ReplayRun | string> {
  const started = performance.now();
  const { child, output } = spawnNode([BIN, 'replay', '--config', DEMO_CONFIG_PATH, '--data-dir', dataDir], { NODE_ENV: 'production' });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      // a process that is exiting has a status without VmHWM (NaN): the last reading before it stands
      const now = processMemory(child.pid!).peak;
      if (Number.isFinite(now)) peak = Math.max(peak, now);
    } catch {
      /* exited between two reads */
    }
    step.update(Math.round((performance.now() - started) / 1000));
  }, 100);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  if (peak === 0) return `失败 (failed): no memory reading, exit ${code}: ${output().slice(-300)}`;
  step.done(`${Math.round(peak / MiB)} MiB, exit ${code}`);
  if (code !== 0) return `失败 (failed): exit ${code} after ${seconds.toFixed(1)} s (peak ${Math.round(peak / MiB)} MiB): ${output().trim().split('\n').slice(-3).join(' | ')}`;
  return { peak, seconds, code };
}

async function postgresMetric(workload: Workload, runId: string, sizes: Sizes, progress: Progress): Promise<Metric> {
  const target = '≥ 1 × Emmett PostgreSQL';
  const admin = postgresAdminUrl();
  const problem = await probePostgres(admin);
  if (problem) return skipped('ingest_postgres', 'events/s', problem, target);
  try {
    const runs = await ingestPostgres({
      admin,
      runId,
      workload,
      config: demoConfig(),
      limitSeconds: sizes.postgresSeconds,
      steps: {
        liandong: progress.step('PostgreSQL liandong ingest', workload.events, 'events'),
        emmett: progress.step('PostgreSQL Emmett', workload.events, 'events'),
        store: progress.step('PostgreSQL bare store', workload.events, 'events'),
      },
    });
    const value = runs.liandong.perSecond;
    const ratio = ratioOf(value, runs.emmett.perSecond);
    return {
      name: 'ingest_postgres',
      value,
      unit: 'events/s',
      baseline: { name: 'Emmett PostgreSQL event store 0.42.0 (appendToStream per case, expected versions)', value: runs.emmett.perSecond },
      ratio,
      target,
      met: ratio === null ? null : ratio >= 1,
      figures: [{ name: 'liandong event store alone (append per case with expected revisions, one transaction per batch; no rules)', value: runs.store.perSecond, unit: 'events/s', ratio: ratioOf(runs.store.perSecond, runs.emmett.perSecond), note: 'store ÷ Emmett' }],
      notes: [
        `${runs.liandong.events.toLocaleString()} events${runs.liandong.partial ? ` (stopped at the ${sizes.postgresSeconds} s limit; the others appended exactly these)` : ''} in batches of 500, into ${new URL(admin).host}, each engine in a database of its own created and dropped by the run`,
        `liandong: the ingest pipeline (validate, decide, append with expected revision, hash chain) over its PostgreSQL event and rejection stores, ${runs.liandong.seconds.toFixed(1)} s, ${runs.liandong.accepted} accepted, ${runs.liandong.rejected} rejected; Emmett ${runs.emmett.seconds.toFixed(1)} s; bare store ${runs.store.seconds.toFixed(1)} s`,
        ...runs.liandong.rejections,
      ],
    };
  } catch (e) {
    return skipped('ingest_postgres', 'events/s', `失败 (failed): ${errorText(e)}`, target);
  }
}

function chainMetric(cost: { events: number; perEvent: number }, http: IngestRun): Metric {
  const perEventIngest = 1 / http.perSecond;
  const share = cost.perEvent / perEventIngest;
  const without = 1 / Math.max(perEventIngest - cost.perEvent, Number.EPSILON);
  return {
    name: 'chain_overhead',
    value: share * 100,
    unit: '%',
    baseline: { name: 'ingest without the chain work (estimated)', value: without, unit: 'events/s' },
    ratio: ratioOf(http.perSecond, without),
    target: '≤ 10 % of ingest',
    // ratio: ingest with the chain ÷ without it
    met: share <= 0.1,
    figures: [{ name: 'chain work per event (canonical JSON + SHA-256 + last-hash lookup)', value: cost.perEvent * 1e6, unit: 'µs' }],
    notes: [`timed over ${cost.events.toLocaleString()} stored events, against ${(perEventIngest * 1e6).toFixed(1)} µs per event of the HTTP ingest run`],
  };
}

async function asOfMetric(dataDir: string, workload: Workload, asOf: string, sizes: Sizes, progress: Progress): Promise<Metric> {
  const target = '≤ 5 ms p50';
  const auditor = tokenWithRole(demoConfig(), 'auditor');
  const starting = progress.step('GraphQL 服务 server', 1);
  let server: Awaited<ReturnType<typeof startGraphqlServer>> | null = null;
  try {
    server = await startGraphqlServer(dataDir, DEMO_CONFIG_PATH);
    starting.done();
    const base = server.guarded;
    const latency = async (label: string, variables: Record<string, unknown>) => {
      await checkQuery(base, auditor, CASE_QUERY, variables);
      const step = progress.step(label, sizes.asOfSeconds, 's');
      const run = await measureLatency({ base, token: auditor, query: CASE_QUERY, variables, connections: 1, seconds: sizes.asOfSeconds, warmupSeconds: sizes.warmupSeconds, step });
      step.done(`p50 ${run.p50} ms, p99 ${run.p99} ms`);
      if (run.errors > 0) throw new Error(`${label}: ${run.errors} of ${run.requests} requests failed: ${run.firstError ?? ''}`);
      return run;
    };
    const long = workload.longCase.id;
    const at = await latency('case(asOf) ×1', { id: long, asOf });
    const live = await latency('case (live) ×1', { id: long });
    const timeline = `query ($id: ID!, $asOf: DateTime) { case(id: $id, asOf: $asOf) { timeline { position } } }`;
    const count = async (variables: Record<string, unknown>) => ((await graphql(base, auditor, timeline, variables)).data?.case?.timeline as unknown[] | undefined)?.length ?? 0;
    const [longEvents, knownThen] = [await count({ id: long }), await count({ id: long, asOf })];
    return {
      name: 'asof_p50',
      value: at.p50,
      unit: 'ms',
      baseline: { name: 'same case without asOf (read model)', value: live.p50 },
      ratio: ratioOf(at.p50, live.p50),
      target,
      met: at.p50 <= 5,
      figures: [
        { name: 'p99 asOf', value: at.p99, unit: 'ms' },
        { name: 'p99 without asOf', value: live.p99, unit: 'ms' },
      ],
      notes: [`case ${long}: ${longEvents} stored events, ${knownThen} of them recorded by asOf = ${asOf} (folded on every request); one client, ${sizes.asOfSeconds} s after ${sizes.warmupSeconds} s warm-up`],
    };
  } catch (e) {
    return skipped('asof_p50', 'ms', `失败 (failed): ${errorText(e)}`, target);
  } finally {
    await server?.stop();
  }
}

type GraphqlMetricName = 'graphql_dossier_p99' | 'graphql_board_p99' | 'graphql_clocks_p99' | 'graphql_scorecard_p99';

interface Question {
  metric: GraphqlMetricName;
  label: string;
  query: string;
  variables: Record<string, unknown>;
  limitMs: number;
}

/**
 * Step 5: the program on the bench data, nothing kept between requests (issue 14). For each question: one
 * request (an error makes the metric an error row: no figure is reported for a query that fails), 50 clients
 * with no ingest (the baseline), then 50 clients while the paced publisher sends 200 events/s through POST
 * /v1/events and /healthz is polled. Then /healthz during auditVerify. Returns the GraphQL metrics and
 * healthz_p99_under_load (with the ingest phase measured in step 2).
 */
async function underLoadMetrics(p: { dataDir: string; meetingId: string; quarter: string; live: Workload; ingestHealthz: HealthzRun; sizes: Sizes; progress: Progress }): Promise<Metric[]> {
  const { sizes, progress } = p;
  const config = demoConfig();
  const organizer = tokenWithRole(config, 'organizer');
  const questions: Question[] = [
    { metric: 'graphql_dossier_p99', label: 'dossier', query: DOSSIER_QUERY, variables: { id: p.meetingId }, limitMs: 50 },
    { metric: 'graphql_board_p99', label: 'board', query: BOARD_QUERY, variables: {}, limitMs: 30 },
    { metric: 'graphql_clocks_p99', label: 'clocks', query: CLOCKS_QUERY, variables: {}, limitMs: 30 },
    { metric: 'graphql_scorecard_p99', label: 'scorecard', query: scorecardQuery(p.quarter), variables: {}, limitMs: 50 },
  ];
  const healthzTarget = '≤ 20 ms p99';
  const failedAll = (reason: string): Metric[] => [...questions.map((q) => skipped(q.metric, 'ms', reason, `≤ ${q.limitMs} ms p99`)), skipped('healthz_p99_under_load', 'ms', reason, healthzTarget)];
  let program: Awaited<ReturnType<typeof startProgram>> | null = null;
  try {
    program = await startProgram({ config: DEMO_CONFIG_PATH, dataDir: p.dataDir });
  } catch (e) {
    return failedAll(`失败 (failed): ${errorText(e)}`);
  }
  const base = program.base;
  const perRun = sizes.graphqlSeconds;
  try {
    const idleStep = progress.step('/healthz idle', perRun, 's');
    const idle = (await pollHealthzWhile(base, idleFor(perRun), idleStep)).healthz;
    idleStep.done(`p99 ${idle.p99.toFixed(1)} ms`);

    const flood = (q: Question, label: string) => {
      const step = progress.step(label, perRun, 's');
      return { step, run: measureLatency({ base, token: organizer, query: q.query, variables: q.variables, connections: 50, seconds: perRun, warmupSeconds: sizes.warmupSeconds, step }) };
    };
    // the questions that answer, each measured quiet first (the baseline)
    const problems = new Map<GraphqlMetricName, string>();
    const quiet = new Map<GraphqlMetricName, LatencyRun>();
    for (const q of questions) {
      try {
        await checkQuery(base, organizer, q.query, q.variables);
      } catch (e) {
        problems.set(q.metric, `查询出错 (query fails): ${errorText(e)}`);
        continue;
      }
      const { step, run } = flood(q, `${q.label} ×50, no ingest`);
      const done = await run;
      step.done(`p50 ${done.p50} ms, p99 ${done.p99} ms`);
      quiet.set(q.metric, done);
    }

    const publisher = startPacedPublisher(base, publisherTokens(config), p.live, PUBLISH_RATE);
    const loaded = new Map<GraphqlMetricName, { run: LatencyRun; healthz: HealthzRun; ingest: PublisherWindow }>();
    let published: Awaited<ReturnType<typeof publisher.stop>>;
    try {
      // the publisher gets going before the first flood: the floods measure a process that is ingesting
      await new Promise((r) => setTimeout(r, 1000));
      for (const q of questions) {
        if (problems.has(q.metric)) continue;
        const { step, run } = flood(q, `${q.label} ×50 + ingest ${PUBLISH_RATE}/s`);
        const from = performance.now();
        const { healthz, result } = await pollHealthzWhile(base, run);
        const to = performance.now();
        step.done(`p50 ${result.p50} ms, p99 ${result.p99} ms; /healthz p99 ${healthz.p99.toFixed(1)} ms`);
        loaded.set(q.metric, { run: result, healthz, ingest: publisher.between(from, to) });
      }
    } finally {
      published = await publisher.stop();
    }
    await settle(base, organizer);

    const verifyStep = progress.step('/healthz during auditVerify', perRun, 's');
    const verify = await pollHealthzWhile(base, verifyLoad(base, tokenWithRole(config, 'auditor'), perRun), verifyStep);
    verifyStep.done(`p99 ${verify.healthz.p99.toFixed(1)} ms`);

    const publishedNote = `paced publisher: ${published.events.toLocaleString()} events in ${published.seconds.toFixed(1)} s (${Math.round(published.perSecond)}/s over its whole run, incl. pauses between floods), ${published.accepted} accepted, ${published.rejected} rejected${published.exhausted ? ', ran out of events' : ''}${published.failures.length ? `: ${published.failures.join('; ')}` : ''}`;
    const metrics: Metric[] = questions.map((q) => {
      const target = `≤ ${q.limitMs} ms p99`;
      const problem = problems.get(q.metric);
      if (problem) return skipped(q.metric, 'ms', problem, target);
      const base = quiet.get(q.metric)!;
      const { run, healthz, ingest } = loaded.get(q.metric)!;
      const failed = [base, run].find((r) => r.errors > 0);
      if (failed) return skipped(q.metric, 'ms', `查询出错 (errors under load): ${failed.errors} of ${failed.requests} requests failed: ${failed.firstError ?? 'not 200 / timed out'}`, target);
      return {
        name: q.metric,
        value: run.p99,
        unit: 'ms',
        baseline: { name: 'same program and question, no ingest running', value: base.p99 },
        ratio: ratioOf(run.p99, base.p99),
        target,
        met: run.p99 <= q.limitMs,
        figures: [
          { name: `p50 while ingesting`, value: run.p50, unit: 'ms' },
          { name: 'p50 no ingest', value: base.p50, unit: 'ms' },
          { name: 'requests/s while ingesting', value: run.requestsPerSecond, unit: 'req/s' },
          { name: 'requests/s no ingest', value: base.requestsPerSecond, unit: 'req/s' },
          { name: 'ingest rate achieved during the flood', value: ingest.perSecond, unit: 'events/s', ratio: ratioOf(ingest.perSecond, PUBLISH_RATE), note: `÷ the ${PUBLISH_RATE}/s asked` },
          { name: '/healthz p99 during the flood', value: healthz.p99, unit: 'ms' },
        ],
        notes: [
          `50 concurrent clients, ${perRun} s after ${sizes.warmupSeconds} s warm-up, on \`liandong start\` (guards on, nothing kept between requests); ${run.requests} requests while ingesting, ${base.requests} without; every answer checked for GraphQL errors`,
          ...(q.metric === 'graphql_scorecard_p99' ? [`quarter ${p.quarter}: the workload's busiest (by event time, China date)`] : []),
          ...(run.slow || base.slow ? ['too slow for a timed run: measured as one request per client, 50 at once'] : []),
        ],
      };
    });

    const floods = questions.filter((q) => loaded.has(q.metric)).map((q) => ({ name: `${q.label} flood + ingest ${PUBLISH_RATE}/s`, run: loaded.get(q.metric)!.healthz }));
    const worstFlood = floods.reduce<HealthzRun | null>((w, f) => (w === null || f.run.p99 > w.p99 ? f.run : w), null);
    const phases = [...floods, { name: 'the full HTTP ingest (ingest_http)', run: p.ingestHealthz }, { name: 'auditVerify', run: verify.healthz }];
    const value = Math.max(...phases.map((f) => f.run.p99));
    metrics.push({
      name: 'healthz_p99_under_load',
      value,
      unit: 'ms',
      baseline: { name: '/healthz p99, same process idle', value: idle.p99 },
      ratio: ratioOf(value, idle.p99),
      target: healthzTarget,
      met: value <= 20,
      figures: [
        { name: 'p99 during the GraphQL floods (worst of them)', value: worstFlood?.p99 ?? null, unit: 'ms', ratio: ratioOf(worstFlood?.p99 ?? null, idle.p99), note: 'loaded ÷ idle' },
        { name: 'p99 during the full HTTP ingest', value: p.ingestHealthz.p99, unit: 'ms', ratio: ratioOf(p.ingestHealthz.p99, idle.p99), note: 'loaded ÷ idle' },
        ...phases.flatMap((f) => [
          { name: `p99 during ${f.name}`, value: f.run.p99, unit: 'ms' },
          { name: `p50 during ${f.name}`, value: f.run.p50, unit: 'ms' },
          { name: `worst during ${f.name}`, value: f.run.worst, unit: 'ms' },
        ]),
        { name: 'p50 idle', value: idle.p50, unit: 'ms' },
      ],
      notes: [
        `/healthz asked every 20 ms by one client (fetch, its own pool; a slow answer delays the next poll); value = the worst p99 of every loaded phase: each GraphQL flood (50 clients + ingest ${PUBLISH_RATE}/s; ${floods.map((f) => `${f.name.split(' ')[0]} ${f.run.polls}`).join(', ')} polls), the full HTTP ingest of step 2 (${p.ingestHealthz.polls} polls, the program of step 2), auditVerify (${verify.healthz.polls} polls); polls sent again after a connection reset: ingest ${p.ingestHealthz.resets}, floods ${floods.reduce((n, f) => n + f.run.resets, 0)}, auditVerify ${verify.healthz.resets}`,
        `auditVerify asked again as soon as it answered: ${verify.result.completed} answers, ${verify.result.errors} errors; ${verify.result.detail}`,
        publishedNote,
      ],
    });
    return metrics;
  } catch (e) {
    return failedAll(`失败 (failed): ${errorText(e)}`);
  } finally {
    await program.stop();
  }
}

async function kafkaMetric(brokers: string[], agencyIds: string[], dir: string, runId: string, sizes: Sizes, now: Date, progress: Progress): Promise<Metric> {
  try {
    const workload = await buildWorkload({ cases: sizes.kafkaCases, events: sizes.kafkaEvents, longCaseEvents: 0, now, channel: 'kafka' });
    const runs = await kafkaIngestVsBare({
      brokers,
      workload,
      agencyIds,
      configPath: DEMO_CONFIG_PATH,
      dataDir: join(dir, 'kafka-data'),
      runId,
      timeoutSeconds: Math.max(120, workload.events / 500),
      produceStep: progress.step('Kafka 生产 produce', workload.events, 'msgs'),
      bareStep: progress.step('Kafka bare consumer', workload.events, 'msgs'),
      ingestStep: progress.step('Kafka liandong ingest', workload.events, 'msgs'),
    });
    return {
      name: 'ingest_kafka',
      value: runs.ingest.perSecond,
      unit: 'events/s',
      baseline: { name: 'bare kafkajs consumer, JSON.parse only', value: runs.bare.perSecond },
      ratio: ratioOf(runs.ingest.perSecond, runs.bare.perSecond),
      target: '≥ 0.5 × bare consumer',
      met: (ratioOf(runs.ingest.perSecond, runs.bare.perSecond) ?? 0) >= 0.5,
      notes: [
        `${workload.events.toLocaleString()} messages on ${agencyIds.length} topics × 4 partitions; ingest: ${runs.ingest.accepted} accepted, ${runs.ingest.rejected} rejected, ${runs.ingest.seconds.toFixed(1)} s; bare: ${runs.bare.seconds.toFixed(1)} s`,
      ],
    };
  } catch (e) {
    return skipped('ingest_kafka', 'events/s', `失败 (failed): ${errorText(e)}`, '≥ 0.5 × bare consumer');
  }
}
