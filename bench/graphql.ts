/**
 * The GraphQL questions of the benchmark and how their latency is measured (bench/main.ts runs them):
 * - dossier: `meeting(id)` of the next liaison meeting, as the organizer opens it — agenda with each case's
 *   handoffs and deadlines, action items, items carried over from the last meeting, attention list.
 * - board: `handoffs(first: 50)` — the handoff board, overdue first.
 * - clocks: `clocks(dueWithinDays: 3, first: 20)` — running clocks due within three working days.
 * - scorecard: `scorecard(quarter)` of the workload's busiest quarter, every government agency.
 * Each at 50 concurrent clients (autocannon, in this process; the program runs in its own).
 * - asOf: `case(id, asOf)` of the case with 1,000 events, one client at a time (latency, not throughput), on
 *   a read-only server over the program's data (bench/graphqlServer.ts); baseline: the same case without asOf.
 * A request answered with GraphQL errors (or not 200) is counted as an error, never as a fast answer.
 */
import autocannon from 'autocannon';
import { graphql, type GraphqlAnswer } from './http.js';
import type { Step } from './progress.js';
import { spawnNode, stopChild } from './program.js';

export const DOSSIER_QUERY = `query Dossier($id: ID!) {
  meeting(id: $id) {
    id title scheduledAt status
    organizer { id name } participants { id name } attendees { id }
    agenda { reason resolution case { id title status kind registeredBy { name }
      handoffs { id from { name } to { name } status dueDate overdue }
      deadlines { name dueDate overdue } } }
    actionItems { id caseId text owner { name } dueDate completedAt overdue }
    carriedOver { id meetingId caseId text owner { name } dueDate overdue }
    attention { reason detail case { id title status } }
  }
}`;

export const BOARD_QUERY = `query Board {
  handoffs(first: 50) {
    totalCount
    nodes { id caseId from { id name } to { id name } purpose status requestedAt receivedAt dueDate dueDateProvisional overdue }
    pageInfo { endCursor hasNextPage }
  }
}`;

export const CLOCKS_QUERY = `{ clocks(dueWithinDays: 3, first: 20) { totalCount nodes { id kind name dueDate daysLeft overdue owner { id } } } }`;

export const scorecardQuery = (quarter: string): string =>
  `{ scorecard(quarter: ${JSON.stringify(quarter)}) { agency { id } litigationConcluded lossRate headAppearanceRate suggestionsReceived handoffsReceived handoffsOverdue } }`;

export const CASE_QUERY = `query CaseAt($id: ID!, $asOf: DateTime) {
  case(id: $id, asOf: $asOf) {
    id title status registeredAt agencies { id }
    handoffs { id status dueDate overdue }
    deadlines { name dueDate overdue }
  }
}`;

export interface LatencyRun {
  p50: number;
  p99: number;
  mean: number;
  requestsPerSecond: number;
  requests: number;
  /** not 200, timed out, or answered with GraphQL errors */
  errors: number;
  /** the first GraphQL error's message, if any */
  firstError: string | null;
  /** too slow for a timed run: measured as one request per client, all at once */
  slow: boolean;
}

export interface BenchServer {
  /** the router as `liandong start` serves it (guards on) */
  guarded: string;
  stop(): Promise<void>;
}

export async function startGraphqlServer(dataDir: string, configPath: string): Promise<BenchServer> {
  const { child, output } = spawnNode(['--import', 'tsx', 'bench/graphqlServer.ts', dataDir, configPath], { NODE_ENV: 'production' });
  const ports = await new Promise<{ guarded: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`GraphQL bench server did not start within 180 s:\n${output().slice(-2000)}`)), 180_000);
    child.stdout!.on('data', () => {
      const line = output()
        .split('\n')
        .find((l) => l.startsWith('{"guarded"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { guarded: number });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`GraphQL bench server exited (${code}):\n${output().slice(-2000)}`));
    });
  });
  return { guarded: `http://127.0.0.1:${ports.guarded}`, stop: () => stopChild(child, 10_000) };
}

/** one request first, so a query that fails is reported as such instead of timed */
export async function checkQuery(base: string, token: string, query: string, variables: Record<string, unknown>): Promise<GraphqlAnswer> {
  const answer = await graphql(base, token, query, variables);
  if (answer.errors?.length) throw new Error(`query failed on ${base}: ${answer.errors.map((e) => e.message).join('; ')}`);
  if (!answer.data || Object.values(answer.data).some((v) => v === null || v === undefined)) throw new Error(`query answered no data on ${base}: ${JSON.stringify(answer).slice(0, 300)}`);
  return answer;
}

/**
 * Waits until the server answers a trivial query quickly: requests a load run left queued (autocannon stops
 * waiting, the server does not) must not be counted against the next run.
 */
export async function settle(base: string, token: string, limitSeconds = 300): Promise<void> {
  const deadline = Date.now() + limitSeconds * 1000;
  while (Date.now() < deadline) {
    const t0 = performance.now();
    await graphql(base, token, '{ me { name } }');
    if (performance.now() - t0 < 50) return;
  }
}

export async function measureLatency(options: {
  base: string;
  token: string;
  query: string;
  variables?: Record<string, unknown>;
  connections: number;
  seconds: number;
  warmupSeconds?: number;
  step?: Step;
}): Promise<LatencyRun> {
  const body = JSON.stringify({ query: options.query, variables: options.variables ?? {} });
  // every answer is read: one with GraphQL errors is an error of the run, however fast it came back
  let graphqlErrors = 0;
  let firstError: string | null = null;
  const onResponse = (status: number, text: string) => {
    if (status === 200 && !text.includes('"errors"')) return;
    graphqlErrors += 1;
    if (firstError === null) {
      try {
        firstError = (JSON.parse(text) as { errors?: { message: string }[] }).errors?.[0]?.message ?? `HTTP ${status}`;
      } catch {
        firstError = `HTTP ${status}: ${text.slice(0, 200)}`;
      }
    }
  };
  const run = (limit: { duration: number } | { amount: number }) => {
    graphqlErrors = 0;
    return autocannon({
      url: `${options.base}/graphql`,
      method: 'POST',
      // what a browser (the web console, GraphiQL) sends: it always accepts compressed answers
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}`, 'accept-encoding': 'gzip, deflate, br' },
      body,
      requests: [{ method: 'POST', body, onResponse }],
      connections: options.connections,
      ...limit,
      // a slow query must show up as latency, not as a timeout that drops it from the histogram
      timeout: 600,
    });
  };
  if (options.warmupSeconds) {
    await run({ duration: options.warmupSeconds });
    await settle(options.base, options.token);
  }
  const tick = options.step ? setInterval(() => options.step!.increment(1), 1000) : undefined;
  try {
    let result = await run({ duration: options.seconds });
    let slow = false;
    if (result.requests.total < options.connections) {
      // too slow for the clients to finish one request each within the run: one request per client, all
      // at once, every one of them waited for
      await settle(options.base, options.token);
      result = await run({ amount: options.connections });
      slow = true;
    }
    await settle(options.base, options.token);
    return {
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: result.latency.average,
      requestsPerSecond: result.requests.total / Math.max(result.duration, 0.001),
      requests: result.requests.total,
      // non-2xx answers are also seen by onResponse: counted once
      errors: result.errors + result.timeouts + Math.max(result.non2xx, graphqlErrors),
      firstError,
      slow,
    };
  } finally {
    clearInterval(tick);
  }
}
