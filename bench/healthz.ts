/**
 * healthz_p99_under_load (issue 14 item 5, style.md 12 "The event loop is for I/O"): how long `/healthz` takes on
 * the real program (`liandong start`) while work runs in it, against the same program idle. The phases (each
 * measured by bench/main.ts where that work happens):
 *   idle     nothing else asked of it (the baseline);
 *   ingest   the whole workload sent over HTTP (ingest_http);
 *   floods   each GraphQL flood (50 clients) while the paced publisher sends 200 events/s (graphql_*_p99);
 *   verify   `auditVerify` over the whole bench store, asked again as soon as it answers.
 * `/healthz` is asked by one client every POLL_MS, with its own connection pool (fetch), so a slow answer only
 * delays the next poll. The metric is the worst loaded p99; each phase is a figure.
 */
import { graphql } from './http.js';
import type { Step } from './progress.js';

const POLL_MS = 20;

export interface HealthzRun {
  p50: number;
  p99: number;
  worst: number;
  polls: number;
  /** polls that had to be sent again after a connection reset (their sample includes the failed attempt) */
  resets: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/**
 * Polls /healthz until `work` settles (at least one poll), and returns both. A /healthz that is not 200 fails
 * the measurement; `step`, when given, counts seconds.
 */
export async function pollHealthzWhile<T>(base: string, work: Promise<T>, step?: Step): Promise<{ healthz: HealthzRun; result: T }> {
  let settled = false;
  const watched = work.finally(() => (settled = true));
  // a failure of the work is the caller's: it is awaited below, so it is not an unhandled rejection meanwhile
  watched.catch(() => undefined);
  const started = performance.now();
  const samples: number[] = [];
  let resets = 0;
  do {
    const sent = performance.now();
    const status = await askHealthz(base, () => (resets += 1));
    const took = performance.now() - sent;
    if (status !== 200) throw new Error(`/healthz answered HTTP ${status}`);
    samples.push(took);
    step?.update(Math.round((performance.now() - started) / 1000));
    await sleep(Math.max(0, POLL_MS - took));
  } while (!settled);
  const result = await watched;
  samples.sort((a, b) => a - b);
  return { healthz: { p50: percentile(samples, 50), p99: percentile(samples, 99), worst: samples.at(-1) ?? NaN, polls: samples.length, resets }, result };
}

/**
 * One /healthz answer's status. A kept-alive connection the server closes just as the next poll goes out ends in
 * ECONNRESET (the full 1M run met one during ingest): the poll is sent again on a new connection, up to three
 * times, and its sample is the whole time, retries included — a load balancer's check would do the same.
 */
async function askHealthz(base: string, onReset: () => void): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await fetch(`${base}/healthz`);
      await r.arrayBuffer();
      return r.status;
    } catch (error) {
      if (attempt >= 3) throw error;
      onReset();
    }
  }
}

/** Resolves after `seconds`: /healthz polled while nothing else is asked of the program. */
export const idleFor = (seconds: number): Promise<{ completed: number; errors: number }> => sleep(seconds * 1000).then(() => ({ completed: 0, errors: 0 }));

/** `auditVerify` asked again as soon as it answers, for `seconds` */
export async function verifyLoad(base: string, auditor: string, seconds: number): Promise<{ completed: number; errors: number; detail: string }> {
  const until = performance.now() + seconds * 1000;
  let completed = 0;
  let errors = 0;
  let detail = '';
  while (performance.now() < until) {
    const answer = await graphql(base, auditor, '{ auditVerify { ok checked detail } }');
    const verified = answer.data?.auditVerify as { ok: boolean; checked: number; detail: string } | undefined;
    if (verified?.ok) completed += 1;
    else errors += 1;
    detail = verified ? `${verified.ok ? 'ok' : 'FOUND PROBLEMS'}, ${verified.checked.toLocaleString()} events: ${verified.detail}` : (answer.errors?.[0]?.message ?? 'no answer');
  }
  return { completed, errors, detail };
}
