/**
 * healthz_p99_under_load (issue 14 item 5, style.md 12 "The event loop is for I/O"): how long `/healthz`
 * takes on the real program (`liandong start`, answer cache off) while heavy work runs in it, against the
 * same program idle — measured in the same process, one phase after the other:
 *   idle     nothing else asked of it (the baseline);
 *   verify   `auditVerify` over the whole bench store, asked again as soon as it answers;
 *   dossier  50 clients, each asking the organizer's dossier (`meeting(id)`) again as soon as it answers.
 * `/healthz` is asked by one client every POLL_MS, with its own connection pool (fetch), so a slow answer
 * only delays the next poll. The metric is the worse of the two loaded p99s; each phase is a figure.
 */
import { graphql } from './http.js';
import type { Step } from './progress.js';
import { DOSSIER_QUERY } from './graphql.js';

const POLL_MS = 20;

export interface HealthzRun {
  p50: number;
  p99: number;
  worst: number;
  polls: number;
  /** requests of the load completed during the phase (auditVerify answers, dossiers) */
  completed: number;
  errors: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** polls /healthz for `seconds` while `load` runs (it is told to stop when the time is up, and awaited) */
async function pollWhile(base: string, seconds: number, step: Step, load: (stopped: () => boolean) => Promise<{ completed: number; errors: number }>): Promise<HealthzRun> {
  const until = performance.now() + seconds * 1000;
  const stopped = () => performance.now() >= until;
  const loading = load(stopped);
  const samples: number[] = [];
  while (!stopped()) {
    const sent = performance.now();
    const r = await fetch(`${base}/healthz`);
    await r.arrayBuffer();
    const took = performance.now() - sent;
    if (r.status !== 200) throw new Error(`/healthz answered HTTP ${r.status}`);
    samples.push(took);
    step.update(Math.min(seconds, Math.round((seconds * 1000 - (until - performance.now())) / 1000)));
    await sleep(Math.max(0, POLL_MS - took));
  }
  const { completed, errors } = await loading;
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), worst: samples.at(-1) ?? NaN, polls: samples.length, completed, errors };
}

export async function measureHealthz(options: {
  base: string;
  auditor: string;
  organizer: string;
  meetingId: string;
  seconds: number;
  steps: { idle: Step; verify: Step; dossier: Step };
}): Promise<{ idle: HealthzRun; verify: HealthzRun; dossier: HealthzRun; verifyDetail: string }> {
  const { base, seconds } = options;
  const idle = await pollWhile(base, seconds, options.steps.idle, async () => ({ completed: 0, errors: 0 }));
  options.steps.idle.done(`p99 ${idle.p99.toFixed(1)} ms`);

  let verifyDetail = '';
  const verify = await pollWhile(base, seconds, options.steps.verify, async (stopped) => {
    let completed = 0;
    let errors = 0;
    while (!stopped()) {
      const answer = await graphql(base, options.auditor, '{ auditVerify { ok checked detail } }');
      const verified = answer.data?.auditVerify as { ok: boolean; checked: number; detail: string } | undefined;
      if (verified?.ok) completed += 1;
      else errors += 1;
      verifyDetail = verified ? `${verified.ok ? 'ok' : 'FOUND PROBLEMS'}, ${verified.checked.toLocaleString()} events: ${verified.detail}` : (answer.errors?.[0]?.message ?? 'no answer');
    }
    return { completed, errors };
  });
  options.steps.verify.done(`p99 ${verify.p99.toFixed(1)} ms`);

  const dossier = await pollWhile(base, seconds, options.steps.dossier, async (stopped) => {
    let completed = 0;
    let errors = 0;
    const client = async (): Promise<void> => {
      while (!stopped()) {
        const answer = await graphql(base, options.organizer, DOSSIER_QUERY, { id: options.meetingId }).catch((e: Error) => ({ errors: [{ message: e.message }], data: null }));
        if (answer.errors?.length || !answer.data?.meeting) errors += 1;
        else completed += 1;
      }
    };
    await Promise.all(Array.from({ length: 50 }, client));
    return { completed, errors };
  });
  options.steps.dossier.done(`p99 ${dossier.p99.toFixed(1)} ms`);
  return { idle, verify, dossier, verifyDetail };
}
