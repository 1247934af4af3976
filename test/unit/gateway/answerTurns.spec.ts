/**
 * Answers released together take turns (gateway/server.ts, stringifyResult).
 *
 * An answer leaves only after its access-log entry is written, and the access log writes what arrived together in
 * one group commit, answered at once. The operations of one group then used to encode and send their answers in one
 * stretch of microtasks, which `/healthz` waited behind during a flood. Each now waits for a turn of the turnstile
 * first. With a turn budget of 0 every answer takes a turn of its own, so the answers of one group are spread over as
 * many turns of the event loop — counted here, not timed.
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import { createAuthenticator } from '../../../gateway/auth.js';
import type { GatewayServices } from '../../../gateway/context.js';
import { createGraphqlRouter, type GraphqlRouter } from '../../../gateway/server.js';
import type { AccessEntry, AccessLogWriter } from '../../../ports/accessLog.js';
import { parseConfig } from '../../../infra/config/loadConfig.js';
import { createHttpApp } from '../../../infra/http/app.js';
import { createMetrics } from '../../../infra/http/metrics.js';
import { TEST_CITY } from '../../e2e/fixtures.js';

const ORGANIZER = 'test-organizer-token';
const OPERATIONS = 12;

/** an access log that writes as the real one does under load: everything recorded meanwhile is answered at once */
function groupCommitLog(): AccessLogWriter & { recorded(): number; commitAll(): void } {
  const waiting: { entry: AccessEntry; written(): void }[] = [];
  return {
    record: (entry) => new Promise<void>((written) => waiting.push({ entry, written })),
    recorded: () => waiting.length,
    commitAll: () => {
      for (const { written } of waiting.splice(0)) written();
    },
  };
}

describe('GraphQL answers released together by the access log', function () {
  this.timeout(30_000);
  const config = parseConfig(JSON.stringify(TEST_CITY), 'config.json');
  const agencies = new Map(config.agencies.map((a) => [a.id, a]));
  const services = { agencies, now: () => new Date('2024-09-10T01:00:00.000Z') } as unknown as GatewayServices;
  let server: Server;
  let graphql: GraphqlRouter;
  let base: string;
  let log: ReturnType<typeof groupCommitLog>;
  /** the turn of the event loop each answer finished in */
  const finishedInTurn: number[] = [];
  let turn = 0;

  const serve = async (turnBudgetMs: number | undefined): Promise<void> => {
    log = groupCommitLog();
    graphql = await createGraphqlRouter({ services, authenticate: createAuthenticator(config.principals, agencies), introspection: false, graphiql: false, accessLog: log, turnBudgetMs });
    const app = createHttpApp({ metrics: createMetrics(), health: { notReadyReason: async () => null }, routers: [graphql.router] });
    server = await new Promise((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    // every request here is a query (express may have rewritten req.url by the time this listener runs)
    server.on('request', (_req, res) => res.once('finish', () => finishedInTurn.push(turn)));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  };

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await graphql.stop();
    finishedInTurn.length = 0;
  });

  /** sends OPERATIONS queries, lets the log answer all their entries at once, and counts the turns while they finish */
  const releasedTogether = async (): Promise<Set<number>> => {
    const answers = Array.from({ length: OPERATIONS }, (_, n) =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ORGANIZER}` },
        body: JSON.stringify({ query: `query Q${n} { __typename }` }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: unknown } })),
    );
    // every operation has run and now waits for its entry to be written
    while (log.recorded() < OPERATIONS) await new Promise((r) => setTimeout(r, 5));
    expect(finishedInTurn).to.deep.equal([]);
    let counting = true;
    const counter = (async () => {
      while (counting) {
        await new Promise((r) => setImmediate(r));
        turn += 1;
      }
    })();
    log.commitAll();
    const got = await Promise.all(answers);
    counting = false;
    await counter;
    for (const answer of got) expect(answer).to.deep.equal({ status: 200, body: { data: { __typename: 'Query' } } });
    expect(finishedInTurn).to.have.length(OPERATIONS);
    return new Set(finishedInTurn);
  };

  it('each answer takes a turn of its own when the turns have no budget', async () => {
    await serve(0);
    const turns = await releasedTogether();
    // in one stretch they would all finish in the same turn
    expect(turns.size).to.equal(OPERATIONS);
  });

  it('with the default budget, quick answers still go out back to back', async () => {
    await serve(undefined);
    const turns = await releasedTogether();
    // twelve tiny answers fit in a 4 ms turn or two, not twelve turns
    expect(turns.size).to.be.lessThan(OPERATIONS / 2);
  });
});
