import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import express from 'express';
import type { Agency } from '../../../domain/shared/agencies.js';
import { createAuthenticator } from '../../../gateway/auth.js';
import type { GatewayServices } from '../../../gateway/context.js';
import { createGraphqlRouter, type GraphqlRouter } from '../../../gateway/server.js';
import type { AccessLog } from '../../../ports/accessLog.js';
import { openSqliteAccessLog } from '../../../infra/accessLog/sqliteAccessLog.js';
import { auditVerifier } from '../../../infra/audit/auditServices.js';
import type { TrustedKeys } from '../../../infra/audit/signingKey.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import type { fixedClock } from '../../../infra/clock.js';
import { createCommandHandler } from '../../../application/commandHandler.js';
import { parseConfig } from '../../../infra/config/loadConfig.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { createHttpApp } from '../../../infra/http/app.js';
import { ingestRoute } from '../../../infra/http/ingestRoute.js';
import { createMetrics } from '../../../infra/http/metrics.js';
import { createIngestPipeline } from '../../../infra/ingest/pipeline.js';
import { createValidator } from '../../../infra/ingest/validator.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import type { ReadModelStore } from '../../../ports/readModelStore.js';
import { openSqliteRejectionStore } from '../../../infra/rejections/sqliteRejectionStore.js';
import { allProjections } from '../../../projections/index.js';
import { createProjectionRunner, type ProjectionRunner } from '../../../projections/runner.js';
import { loadDemoCity } from '../../../infra/demo/wire.js';
import { TEST_CITY } from '../../e2e/fixtures.js';
import { openSqliteCaseSearch } from '../../../infra/search/sqliteCaseSearch.js';
import { feedCaseSearch } from '../../../projections/caseSearch/feedCaseSearch.js';

const DEMO_CONFIG = new URL('../../../infra/config/demo.config.json', import.meta.url);

type FixedClock = ReturnType<typeof fixedClock>;

export interface InProcessPlatformOptions {
  /** every recordedAt and "today" comes from here; the spec moves it */
  clock: FixedClock;
  /** mount POST /v1/events over the ingest pipeline */
  ingest?: boolean;
  /** keep an access log (SQLite, in `dir`) and record every GraphQL operation in it */
  accessLog?: boolean;
  /** checkpoint keys `auditVerify` trusts; without them the process has no audit verifier */
  auditKeys?: TrustedKeys;
  introspection?: boolean;
  /** principals beside TEST_CITY's (same shape as the config's `principals`) */
  extraPrincipals?: readonly Record<string, unknown>[];
  /** every read of a read model document or index answers this much later, as over a network (Redis) */
  slowReadsMs?: number;
  /**
   * the demo city 云岭市 (infra/config/demo.config.json, its principals instead of TEST_CITY's), loaded as of the
   * clock's now as `npm start` loads it: events through the ingest pipeline, meeting work through the resolvers
   */
  demoCity?: boolean;
}

export interface InProcessPlatform {
  base: string;
  store: SqliteEventStore;
  clock: FixedClock;
  runner: ProjectionRunner;
  graphql: GraphqlRouter;
  accessLog: AccessLog | undefined;
  /** what the resolvers are given, for specs that call a resolver directly */
  services: GatewayServices;
  stop(): Promise<void>;
}

/**
 * The platform wired in this process as the embedded composition root wires it — SQLite event store, embedded
 * read models, projections, GraphQL (and ingest over HTTP if asked) on a port of its own — for the gateway specs
 * that exercise it end to end with a clock they control. One place for that wiring, so the specs hold only tests.
 */
export async function startInProcessPlatform(dir: string, options: InProcessPlatformOptions): Promise<InProcessPlatform> {
  const { clock } = options;
  const city = options.demoCity ? (JSON.parse(readFileSync(DEMO_CONFIG, 'utf8')) as typeof TEST_CITY) : TEST_CITY;
  const config = parseConfig(JSON.stringify({ ...city, principals: [...city.principals, ...(options.extraPrincipals ?? [])] }), 'config.json');
  const agencies = new Map<string, Agency>(config.agencies.map((a) => [a.id, a]));
  const store = openSqliteEventStore({ path: join(dir, 'liandong.db'), clock });
  const rejections = openSqliteRejectionStore({ database: store.database });
  const readModels = openEmbeddedReadModelStore({ path: join(dir, 'readmodels.db') });
  const served = options.slowReadsMs === undefined ? readModels : slowReads(readModels, options.slowReadsMs);
  const deadlines = { calendar: chineseDaysCalendar(config.calendar.years), policy: config.deadlines };
  const projections = allProjections();
  const caseSearch = openSqliteCaseSearch({ path: join(dir, 'search.db') });
  const runner = createProjectionRunner({ store, readModels: feedCaseSearch(readModels, caseSearch), projections, ctx: { deadlines }, logger: { info: () => undefined, error: (m) => console.error(m) } });
  await runner.start();
  const waitForProjections = (position: bigint) => runner.waitFor(position, 10_000);
  const accessLog = options.accessLog ? openSqliteAccessLog({ path: join(dir, 'access-log.db') }) : undefined;
  let meetings = 0;
  const services: GatewayServices = {
    agencies,
    city: config.city,
    rejections,
    readModels: served,
    events: store,
    deadlines,
    commands: createCommandHandler({ store, waitForProjections }),
    now: () => clock.now(),
    newMeetingId: () => `m-${++meetings}`,
    audit: options.auditKeys && auditVerifier(store, options.auditKeys),
    accessLog,
    caseSearch,
  };
  const pipeline = createIngestPipeline({ store, rejections, validator: createValidator(), agencies, copyNoticeRecipients: config.copyNoticeRecipients, clock });
  if (options.demoCity) {
    const loaded = await loadDemoCity({ config, agencies, pipeline, commands: services.commands, newMeetingId: services.newMeetingId, now: clock.now(), waitForProjections });
    if (loaded.unexpected.length > 0) throw new Error(`demo city: ${loaded.unexpected.join('; ')}`);
  }
  const authenticate = createAuthenticator(config.principals, agencies);
  const graphql = await createGraphqlRouter({
    services,
    authenticate,
    introspection: options.introspection ?? true,
    graphiql: false,
    accessLog,
  });
  const metrics = createMetrics();
  const routers = [graphql.router];
  if (options.ingest) {
    routers.unshift(express.Router().post('/v1/events', ingestRoute({ authenticate, pipeline, rejections, clock, metrics, waitForProjections })));
  }
  const app = createHttpApp({ metrics, health: { notReadyReason: async () => null }, routers });
  const server: Server = await new Promise((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    store,
    clock,
    runner,
    graphql,
    accessLog,
    services,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await graphql.stop();
      await runner.stop();
      await readModels.close();
      await caseSearch.close();
      await accessLog?.close();
      await store.close();
    },
  };
}

/** the store with its document and index reads answering `ms` later (commits and checkpoints as they are) */
function slowReads(store: ReadModelStore, ms: number): ReadModelStore {
  const later = <T>(value: Promise<T>): Promise<T> => new Promise((resolve, reject) => setTimeout(() => value.then(resolve, reject), ms));
  return {
    ...store,
    get: (collection, id) => later(store.get(collection, id)),
    getMany: (collection, ids) => later(store.getMany(collection, ids)),
    findIds: (collection, index, value) => later(store.findIds(collection, index, value)),
    findRange: (collection, index, query) => later(store.findRange(collection, index, query)),
    countRange: (collection, index, bounds) => later(store.countRange(collection, index, bounds)),
    listIds: (collection) => later(store.listIds(collection)),
  };
}
