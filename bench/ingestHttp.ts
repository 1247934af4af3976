/**
 * ingest_http: durable embedded ingest, the way an agency's system publishes — HTTP batches of (up to) 500
 * CloudEvents to the real program's POST /v1/events, each answered after its events are stored (one SQLite
 * transaction, fsync'd: synchronous = FULL) and the read models have caught up (read-after-write).
 *
 * Baselines, on the same batches in the same run:
 *  - ceiling: this machine's own limit for the durable part — parse the batch, hash every event (sha256),
 *    insert them into SQLite in one fsync'd transaction per batch. No rules, no read models, no HTTP.
 *  - Emmett: @event-driven-io/emmett's in-memory event store (its SQLite store does not install with the
 *    published packages: emmett-sqlite 0.42.4 requires emmett 0.42.4, which is not on npm), appending the
 *    same events per case with expected stream versions. Not durable: it writes nothing to disk.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { getInMemoryEventStore, STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { batches, type Workload } from './workload.js';
import { postJson } from './http.js';
import type { Step } from './progress.js';

export const BATCH_SIZE = 500;

export interface IngestRun {
  events: number;
  seconds: number;
  perSecond: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  /** the first few rejections, `code: message` */
  rejections: string[];
  batches: number;
}

interface IngestAnswer {
  results?: { id: string | null; status: string; code?: string; message?: string }[];
  error?: string;
  message?: string;
}

/** Sends every batch in order, one at a time (batch n+1 may depend on batch n); the next body is built while the server works. */
export async function ingestOverHttp(base: string, tokens: ReadonlyMap<string, string>, workload: Pick<Workload, 'cases' | 'events'>, step?: Step): Promise<IngestRun> {
  const run: IngestRun = { events: 0, seconds: 0, perSecond: 0, accepted: 0, duplicate: 0, rejected: 0, rejections: [], batches: 0 };
  step?.total(workload.events);
  const started = process.hrtime.bigint();
  const cut = batches(workload, BATCH_SIZE);
  let next = cut.next();
  while (!next.done) {
    const batch = next.value;
    const token = tokens.get(batch.agencyId);
    if (!token) throw new Error(`no publisher token for ${batch.agencyId}`);
    const answer = postJson<IngestAnswer>(`${base}/v1/events`, `[${batch.events.join(',')}]`, {
      'content-type': 'application/cloudevents-batch+json',
      authorization: `Bearer ${token}`,
    });
    // let the request go out, then cut the next batch while the server works on this one
    await new Promise((r) => setImmediate(r));
    next = cut.next();
    const { status, json } = await answer;
    if (status !== 200 || !json.results) throw new Error(`POST /v1/events answered ${status}: ${json.message ?? JSON.stringify(json).slice(0, 300)}`);
    for (const r of json.results) {
      if (r.status === 'accepted') run.accepted++;
      else if (r.status === 'duplicate') run.duplicate++;
      else {
        run.rejected++;
        if (run.rejections.length < 5) run.rejections.push(`${r.id}: ${r.code} ${r.message}`);
      }
    }
    run.events += batch.events.length;
    run.batches++;
    step?.update(run.events);
  }
  run.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  run.perSecond = run.events / run.seconds;
  return run;
}

export interface BaselineRun {
  events: number;
  seconds: number;
  perSecond: number;
  /** stopped early at the time limit */
  partial: boolean;
}

/**
 * The ceiling: the same batch bodies, parsed, every event hashed and inserted into an fsync'd SQLite file,
 * one transaction per batch. Building the bodies is not timed (the HTTP run builds them while it waits).
 */
export function ceiling(dir: string, workload: Pick<Workload, 'cases' | 'events'>, step?: Step): BaselineRun {
  const db = new Database(join(dir, 'ceiling.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, type TEXT NOT NULL,
    event TEXT NOT NULL, hash TEXT NOT NULL, idempotency_key TEXT UNIQUE)`);
  const insert = db.prepare<[string, string, string, string, string]>('INSERT INTO events (stream_id, type, event, hash, idempotency_key) VALUES (?, ?, ?, ?, ?)');
  const store = db.transaction((items: { id: string; source: string; type: string; subject: string }[]) => {
    for (const item of items) {
      const raw = JSON.stringify(item);
      insert.run(`case-${item.subject}`, item.type, raw, createHash('sha256').update(raw).digest('hex'), `${item.source}/${item.id}`);
    }
  });
  step?.total(workload.events);
  let events = 0;
  let ns = 0n;
  try {
    for (const batch of batches(workload, BATCH_SIZE)) {
      const body = `[${batch.events.join(',')}]`;
      const t0 = process.hrtime.bigint();
      store(JSON.parse(body) as { id: string; source: string; type: string; subject: string }[]);
      ns += process.hrtime.bigint() - t0;
      events += batch.events.length;
      step?.update(events);
    }
  } finally {
    db.close();
  }
  const seconds = Number(ns) / 1e9;
  return { events, seconds, perSecond: events / seconds, partial: false };
}

/**
 * Emmett's in-memory store, the same batches: parse, then per case one appendToStream with the expected
 * stream version. Stops after `limitSeconds` of its own time (its global position is a sum over every stream
 * on each event, so it slows down as streams accumulate) and reports the rate over what it did.
 */
export async function emmettInMemory(workload: Pick<Workload, 'cases' | 'events'>, limitSeconds: number, step?: Step): Promise<BaselineRun> {
  const store = getInMemoryEventStore();
  const versions = new Map<string, bigint>();
  step?.total(workload.events);
  let events = 0;
  let ns = 0n;
  const limit = BigInt(Math.round(limitSeconds * 1e9));
  for (const batch of batches(workload, BATCH_SIZE)) {
    if (ns > limit) return { events, seconds: Number(ns) / 1e9, perSecond: events / (Number(ns) / 1e9), partial: true };
    const body = `[${batch.events.join(',')}]`;
    const t0 = process.hrtime.bigint();
    const items = JSON.parse(body) as { id: string; source: string; type: string; subject: string; time: string; data: Record<string, unknown> }[];
    const byStream = new Map<string, typeof items>();
    for (const item of items) {
      const stream = `case-${item.subject}`;
      let list = byStream.get(stream);
      if (!list) byStream.set(stream, (list = []));
      list.push(item);
    }
    for (const [stream, list] of byStream) {
      const result = await store.appendToStream(
        stream,
        list.map((e) => ({ type: e.type, data: e.data, metadata: { source: e.source, eventId: e.id, time: e.time } })),
        { expectedStreamVersion: versions.get(stream) ?? STREAM_DOES_NOT_EXIST },
      );
      versions.set(stream, result.nextExpectedStreamVersion);
    }
    ns += process.hrtime.bigint() - t0;
    events += batch.events.length;
    step?.update(events);
  }
  const seconds = Number(ns) / 1e9;
  return { events, seconds, perSecond: events / seconds, partial: false };
}
