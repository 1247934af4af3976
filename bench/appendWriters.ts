/**
 * Append throughput of the PostgreSQL event store with 1, 2 and 4 writer processes (issue 18): each writer is a
 * child process with its own store (its own pool), appending batches of `--events` events (default 1,000 and 100)
 * spread over new case streams of 10 events each, with idempotency keys and expected revisions — the shape of an
 * ingest batch. Throughput is the store's head position gained during the measured window, divided by its length.
 *
 *   npx tsx bench/appendWriters.ts [--seconds 8] [--writers 1,2,4] [--events 1000,100]
 *
 * Against BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres): a database of its own is
 * created and dropped. Not part of `npm test`; the figures go to docs/benchmarks.md. To compare with another
 * version of the store in the same session, BENCH_APPEND_STORE names a module exporting openPostgresEventStore
 * (e.g. the file from an earlier commit, `git show <commit>:infra/eventStore/postgresEventStore.ts` with its imports
 * pointed back at this tree).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import * as currentStore from '../infra/eventStore/postgresEventStore.js';
import type { AppendRequest } from '../ports/eventStore.js';

const STREAM_EVENTS = 10;

const { openPostgresEventStore } = (
  process.env.BENCH_APPEND_STORE ? await import(pathToFileURL(resolve(process.env.BENCH_APPEND_STORE)).href) : currentStore
) as typeof currentStore;

type ToChild = { kind: 'go'; until: number };
type FromChild = { kind: 'ready' } | { kind: 'done'; appends: number; events: number; failures: number; firstFailure: string | null };

const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
};

function batch(writer: string, sequence: number, events: number): AppendRequest[] {
  const requests: AppendRequest[] = [];
  const time = new Date().toISOString();
  for (let first = 0; first < events; first += STREAM_EVENTS) {
    const caseId = `bench-${writer}-${sequence}-${first / STREAM_EVENTS}`;
    const count = Math.min(STREAM_EVENTS, events - first);
    requests.push({
      streamId: `case-${caseId}`,
      expectedRevision: 'no_stream',
      events: Array.from({ length: count }, (_, i) => {
        const eventId = `${caseId}-${i}`;
        return {
          type: i === 0 ? 'CaseReceived' : 'CaseHandoffRequested',
          data: {
            caseId,
            agencyId: 'ly-court',
            summary: '当事人申请对行政处罚决定进行复议，材料已齐全，转交司法局办理。',
            receivedOn: '2027-03-01',
            parties: [{ name: '某某公司', role: 'applicant' }],
            sequence: i,
          },
          metadata: { source: 'ly-court', eventId, principal: 'court-system', channel: 'kafka' as const, time, subject: caseId },
          idempotencyKey: `ly-court/${eventId}`,
        };
      }),
    });
  }
  return requests;
}

async function child(): Promise<void> {
  const url = process.env.BENCH_APPEND_URL!;
  const writer = process.env.BENCH_APPEND_WRITER!;
  const events = Number(process.env.BENCH_APPEND_EVENTS);
  const store = await openPostgresEventStore({ connectionString: url });
  const send = (message: FromChild): void => void process.send!(message);
  process.on('message', (message: ToChild) => {
    if (message.kind !== 'go') return;
    void (async () => {
      let appends = 0;
      let appended = 0;
      let failures = 0;
      let firstFailure: string | null = null;
      let sequence = 0;
      while (Date.now() < message.until) {
        const requests = batch(writer, sequence++, events);
        try {
          await store.append(requests);
          appends++;
          appended += events;
        } catch (error) {
          failures++;
          firstFailure ??= (error as Error).message;
        }
      }
      await store.close();
      send({ kind: 'done', appends, events: appended, failures, firstFailure });
    })();
  });
  send({ kind: 'ready' });
}

async function head(url: string): Promise<bigint> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ position: string }>('SELECT position FROM liandong.event_head');
    return BigInt(rows[0]!.position);
  } finally {
    await client.end();
  }
}

async function measure(url: string, writers: number, events: number, seconds: number): Promise<{ perSecond: number; appendsPerSecond: number; failures: number; firstFailure: string | null }> {
  const children: ChildProcess[] = [];
  const done: Promise<FromChild & { kind: 'done' }>[] = [];
  const ready: Promise<void>[] = [];
  for (let w = 0; w < writers; w++) {
    const worker = fork(fileURLToPath(import.meta.url), ['--child'], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_APPEND_URL: url, BENCH_APPEND_WRITER: `${randomUUID().slice(0, 8)}`, BENCH_APPEND_EVENTS: String(events) },
    });
    children.push(worker);
    ready.push(new Promise((resolve) => worker.once('message', () => resolve())));
    done.push(
      new Promise((resolve, reject) => {
        worker.on('message', (message: FromChild) => {
          if (message.kind === 'done') resolve(message);
        });
        worker.once('exit', (code) => reject(new Error(`writer exited with ${code}`)));
      }),
    );
  }
  await Promise.all(ready);
  // one second of warm-up (connections, JIT) is not measured
  const start = Date.now() + 1000;
  const until = start + seconds * 1000;
  for (const worker of children) worker.send({ kind: 'go', until } satisfies ToChild);
  await new Promise((resolve) => setTimeout(resolve, start - Date.now()));
  const before = await head(url);
  const t0 = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, until - Date.now()));
  const after = await head(url);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const reports = await Promise.all(done);
  for (const worker of children) worker.kill();
  const gained = Number(after - before);
  return {
    perSecond: gained / elapsed,
    appendsPerSecond: gained / events / elapsed,
    failures: reports.reduce((n, r) => n + r.failures, 0),
    firstFailure: reports.find((r) => r.firstFailure !== null)?.firstFailure ?? null,
  };
}

async function main(): Promise<void> {
  const admin = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const seconds = Number(argument('seconds', '8'));
  const writerCounts = argument('writers', '1,2,4').split(',').map(Number);
  const eventCounts = argument('events', '1000,100').split(',').map(Number);
  const database = `liandong_bench_append_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const adminClient = new pg.Client({ connectionString: admin });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${database}`);
  const url = new URL(admin);
  url.pathname = `/${database}`;
  try {
    // the schema is made once, before any writer starts
    await (await openPostgresEventStore({ connectionString: url.toString() })).close();
    console.log(`| events per append | writers | events/s | appends/s | failed appends |`);
    console.log(`|---:|---:|---:|---:|---:|`);
    for (const events of eventCounts) {
      for (const writers of writerCounts) {
        const run = await measure(url.toString(), writers, events, seconds);
        console.log(
          `| ${events.toLocaleString('en')} | ${writers} | ${Math.round(run.perSecond).toLocaleString('en')} | ${run.appendsPerSecond.toFixed(1)} | ${run.failures}${run.firstFailure ? ` (${run.firstFailure})` : ''} |`,
        );
      }
    }
  } finally {
    await adminClient.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await adminClient.end();
  }
}

if (process.argv.includes('--child')) await child();
else await main();
