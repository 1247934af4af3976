/**
 * The city keeps publishing while people read (issue 14: every GraphQL target is measured "while ingest runs at
 * 200 events/s"): a publisher that sends a workload of its own (new cases, ids of their own) to the program's
 * POST /v1/events — the normal ingest path, into the same process that answers the GraphQL floods — at a steady
 * rate. Batches of BATCH events, each sent when the schedule says (events sent so far ÷ rate), one after another
 * as an agency's system sends them (batch n+1 may depend on batch n). If the program answers more slowly than the
 * schedule, the publisher falls behind and the achieved rate says so.
 */
import { postJson } from './http.js';
import { batches, type Workload } from './workload.js';

/** 200 events/s in batches of 20: one request every 100 ms */
const BATCH = 20;

export interface PublisherWindow {
  events: number;
  seconds: number;
  perSecond: number;
}

export interface PacedPublisher {
  /** events sent (and answered) between two instants (performance.now()) */
  between(from: number, to: number): PublisherWindow;
  /** stops after the batch in flight; the whole run */
  stop(): Promise<PublisherWindow & { accepted: number; rejected: number; failures: string[]; exhausted: boolean }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startPacedPublisher(base: string, tokens: ReadonlyMap<string, string>, workload: Pick<Workload, 'cases'>, perSecond: number): PacedPublisher {
  let stopping = false;
  let exhausted = false;
  let accepted = 0;
  let rejected = 0;
  const failures: string[] = [];
  /** [performance.now() when answered, events in the batch] */
  const answered: [number, number][] = [];
  const started = performance.now();
  let sent = 0;
  const running = (async () => {
    for (const batch of batches(workload, BATCH)) {
      const due = started + (sent / perSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopping) return;
      const token = tokens.get(batch.agencyId);
      if (!token) throw new Error(`no publisher token for ${batch.agencyId}`);
      try {
        const { status, json } = await postJson<{ results?: { status: string; code?: string; message?: string }[]; message?: string }>(`${base}/v1/events`, `[${batch.events.join(',')}]`, {
          'content-type': 'application/cloudevents-batch+json',
          authorization: `Bearer ${token}`,
        });
        if (status !== 200 || !json.results) {
          rejected += batch.events.length;
          if (failures.length < 5) failures.push(`HTTP ${status}: ${json.message ?? ''}`);
        } else {
          for (const r of json.results) {
            if (r.status === 'accepted' || r.status === 'duplicate') accepted++;
            else {
              rejected++;
              if (failures.length < 5) failures.push(`${r.code}: ${r.message}`);
            }
          }
        }
      } catch (e) {
        rejected += batch.events.length;
        if (failures.length < 5) failures.push((e as Error).message);
      }
      sent += batch.events.length;
      answered.push([performance.now(), batch.events.length]);
    }
    exhausted = true;
  })();
  const window = (from: number, to: number): PublisherWindow => {
    const events = answered.reduce((n, [at, count]) => (at >= from && at < to ? n + count : n), 0);
    const seconds = Math.max(0.001, (to - from) / 1000);
    return { events, seconds, perSecond: events / seconds };
  };
  return {
    between: window,
    async stop() {
      stopping = true;
      await running;
      return { ...window(started, performance.now()), accepted, rejected, failures, exhausted };
    },
  };
}
