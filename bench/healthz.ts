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
import { Worker } from 'node:worker_threads';
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
 *
 * The poller runs in a worker thread of its own, as a load balancer's check runs in a process of its own: this
 * process also drives the load (the HTTP ingest's batches, autocannon's 50 connections), and a poll timed on the same
 * event loop would count that loop's own waits as the server's. Measured both ways in one 200,000-event ingest
 * (docs/benchmarks.md "Where /healthz was timed").
 */
export async function pollHealthzWhile<T>(base: string, work: Promise<T>, step?: Step): Promise<{ healthz: HealthzRun; result: T }> {
  // a failure of the work is the caller's: it is awaited below, so it is not an unhandled rejection meanwhile
  work.catch(() => undefined);
  const started = performance.now();
  const poller = new Worker(POLLER, { eval: true, workerData: { url: `${base}/healthz`, pollMs: POLL_MS } });
  const polled = new Promise<{ samples: number[]; resets: number }>((resolve, reject) => {
    poller.once('message', (message: { samples: number[]; resets: number } | { failed: string }) => ('failed' in message ? reject(new Error(message.failed)) : resolve(message)));
    poller.once('error', reject);
    poller.once('exit', (code) => reject(new Error(`/healthz poller exited (code ${code}) before it answered`)));
  });
  polled.catch(() => undefined);
  const counting = setInterval(() => step?.update(Math.round((performance.now() - started) / 1000)), 1000);
  try {
    // a poller that failed (an answer other than 200) ends the measurement at once
    await Promise.race([work.catch(() => undefined), polled]);
    poller.postMessage('stop');
    const { samples, resets } = await polled;
    step?.update(Math.round((performance.now() - started) / 1000));
    const result = await work;
    samples.sort((a, b) => a - b);
    return { healthz: { p50: percentile(samples, 50), p99: percentile(samples, 99), worst: samples.at(-1) ?? NaN, polls: samples.length, resets }, result };
  } finally {
    clearInterval(counting);
    await poller.terminate();
  }
}

/**
 * The poller's thread (plain JavaScript, evaluated: it needs no loader). One /healthz every POLL_MS, each timed from
 * request to the answer's last byte; a slow answer only delays the next poll. A kept-alive connection the server
 * closes just as the next poll goes out ends in ECONNRESET (the full 1M run met one during ingest): the poll is sent
 * again on a new connection, up to three times, and its sample is the whole time, retries included — a load
 * balancer's check would do the same. Its first three polls are not timed (the thread's HTTP client loading). Polls
 * until told to stop (at least once), then answers its samples.
 */
const POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, pollMs } = workerData;
const WARM_UP_POLLS = 3;
let stopping = false;
parentPort.on('message', () => { stopping = true; });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function ask(onReset) {
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await fetch(url);
      await answer.arrayBuffer();
      return answer.status;
    } catch (error) {
      if (attempt >= 3) throw error;
      onReset();
    }
  }
}
(async () => {
  const samples = [];
  let resets = 0;
  // not timed: the first fetches of a new thread load and warm its HTTP client (against an idle local server, three
  // workers: first 43–67 ms, second 7.5–11.5, third 2.7–6.0), and a load balancer's check is not a thread started for
  // each phase
  for (let i = 0; i < WARM_UP_POLLS; i++) await ask(() => undefined);
  do {
    const sent = performance.now();
    const status = await ask(() => (resets += 1));
    const took = performance.now() - sent;
    if (status !== 200) throw new Error('/healthz answered HTTP ' + status);
    samples.push(took);
    await sleep(Math.max(0, pollMs - took));
  } while (!stopping);
  parentPort.postMessage({ samples, resets });
})().catch((error) => parentPort.postMessage({ failed: String(error && error.message ? error.message : error) }));
`;

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
