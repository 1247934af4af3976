/**
 * A read-only GraphQL server for the benchmark, in a process of its own: the embedded program's read side (the
 * same stores, services and resolvers) over a data directory the program wrote, with createGraphqlRouter exactly
 * as `liandong start` serves it (guards on; no answer is kept, issue 14). asof_p50 is measured on it, with
 * nothing else running in its process.
 * Usage: node --import tsx bench/graphqlServer.ts <dataDir> <configFile>; prints one JSON line with the port.
 */
import { join } from 'node:path';
import type { Server } from 'node:http';
import express from 'express';
import { GraphQLError } from 'graphql';
import type { Agency } from '../domain/shared/agencies.js';
import { createAuthenticator } from '../gateway/auth.js';
import type { GatewayServices } from '../gateway/context.js';
import { createGraphqlRouter } from '../gateway/server.js';
import { chineseDaysCalendar } from '../infra/calendar/chineseDays.js';
import { systemClock } from '../infra/clock.js';
import { loadConfigFile } from '../infra/config/loadConfig.js';
import { openSqliteEventStore } from '../infra/eventStore/sqliteEventStore.js';
import { openEmbeddedReadModelStore } from '../infra/readModels/embeddedReadModelStore.js';
import { openSqliteRejectionStore } from '../infra/rejections/sqliteRejectionStore.js';

const [dataDir, configPath] = process.argv.slice(2);
if (!dataDir || !configPath) {
  console.error('usage: graphqlServer.ts <dataDir> <configFile>');
  process.exit(2);
}

const config = loadConfigFile(configPath);
const agencies = new Map<string, Agency>(config.agencies.map((a) => [a.id, a]));
const store = openSqliteEventStore({ path: join(dataDir, 'liandong.db') });
const readModels = openEmbeddedReadModelStore({ path: join(dataDir, 'readmodels.db') });
const services: GatewayServices = {
  agencies,
  rejections: openSqliteRejectionStore({ database: store.database }),
  readModels,
  events: store,
  deadlines: { calendar: chineseDaysCalendar(config.calendar.years), policy: config.deadlines },
  commands: {
    execute: () => Promise.reject(new GraphQLError('the benchmark server is read-only', { extensions: { code: 'FORBIDDEN' } })),
  },
  now: () => systemClock.now(),
  newMeetingId: () => {
    throw new Error('read-only');
  },
};
const authenticate = createAuthenticator(config.principals, agencies);

async function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

const routers = { guarded: await createGraphqlRouter({ services, authenticate, introspection: false, graphiql: false }) };
const appOf = (router: express.Router): express.Express => express().use(router);

const servers = [await listen(appOf(routers.guarded.router))];
const port = (s: Server) => (s.address() as { port: number }).port;
console.log(JSON.stringify({ guarded: port(servers[0]!) }));

const stop = async () => {
  await Promise.all(
    servers.map((s) => {
      const closed = new Promise((r) => s.close(r));
      s.closeAllConnections();
      return closed;
    }),
  );
  for (const router of Object.values(routers)) await router.stop();
  await readModels.close();
  await store.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
