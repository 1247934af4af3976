import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request, type Response, type Router } from 'express';
import { GraphQLError } from 'graphql';
import type { AccessLogWriter } from '../infra/accessLog/accessLog.js';
import { accessEntry, describeRequest, outcomeOf, recordUnauthenticated } from './accessLogEntry.js';
import type { Authenticator } from './auth.js';
import { createContext, type GatewayContext, type GatewayServices } from './context.js';
import { checkGuards, guardError, type GuardLimits, DEFAULT_GUARD_LIMITS } from './guards.js';
import { resolvers } from './resolvers/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const typeDefs = readFileSync(join(here, 'schema.graphql'), 'utf8');

export interface GraphqlOptions {
  services: GatewayServices;
  authenticate: Authenticator;
  introspection: boolean;
  graphiql: boolean;
  guards?: GuardLimits;
  onOperation?(outcome: 'ok' | 'error'): void;
  /** every operation, by anyone, is recorded here before its answer is sent (docs/audit.md "Access log") */
  accessLog?: AccessLogWriter;
}

/** Guards run once the operation is known and before any resolver (graphql.md "Guards"). */
const guardPlugin = (limits: GuardLimits): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    return {
      async didResolveOperation({ document, operation, request }) {
        if (!operation) return;
        const problem = checkGuards(document, operation, request.variables ?? {}, limits);
        if (problem) throw guardError(problem);
      },
    };
  },
});

const outcomePlugin = (report: (o: 'ok' | 'error') => void): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
        report(errors && errors.length > 0 ? 'error' : 'ok');
      },
    };
  },
});

/**
 * The access log (audit issue): one entry per operation, written before the answer leaves. If the entry
 * cannot be written the answer is withheld (503): an auditor must be able to trust that whatever was read
 * was logged.
 */
const accessLogPlugin = (log: AccessLogWriter): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    const started = performance.now();
    return {
      async willSendResponse({ contextValue, request, operation, document, response }) {
        const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
        const entry = accessEntry({
          principal: contextValue.principal,
          at: contextValue.services.now(),
          request: describeRequest({ operation: operation ?? null, document: document ?? null, operationName: request.operationName ?? null, variables: request.variables }),
          ...outcomeOf(errors),
          client: contextValue.client ?? null,
          durationMs: performance.now() - started,
        });
        try {
          await log.record(entry);
        } catch (error) {
          console.error(`[访问日志] 无法记录 ${entry.principal} 的 ${entry.operationName ?? '(匿名操作)'}：${(error as Error).message}`);
          response.http.status = 503;
          response.body = {
            kind: 'single',
            singleResult: { errors: [{ message: '访问日志暂时无法记录，本次查询不予应答，请稍后重试', extensions: { code: 'ACCESS_LOG_UNAVAILABLE' } }] },
          };
        }
      },
    };
  },
});

/** GraphiQL's files come from the installed packages: nothing is loaded from a CDN. */
function graphiqlRouter(): Router {
  const require = createRequire(import.meta.url);
  const asset = (pkg: string, file: string) => join(dirname(require.resolve(`${pkg}/package.json`)), file);
  const assets: Record<string, string> = {
    'react.production.min.js': asset('react', 'umd/react.production.min.js'),
    'react-dom.production.min.js': asset('react-dom', 'umd/react-dom.production.min.js'),
    'graphiql.min.js': asset('graphiql', 'graphiql.min.js'),
    'graphiql.min.css': asset('graphiql', 'graphiql.min.css'),
  };
  const router = express.Router();
  router.get('/graphiql/assets/:file', (req: Request, res: Response) => {
    const path = assets[String(req.params.file)];
    if (!path) return void res.status(404).end();
    res.sendFile(path, { maxAge: '1d' });
  });
  router.get('/graphiql/app.js', (_req, res) => res.sendFile(join(here, 'graphiql', 'app.js')));
  router.get('/graphiql/examples.json', (_req, res) => res.sendFile(join(here, 'graphiql', 'examples.json')));
  router.get('/graphql', (req, res, next) => {
    if (req.accepts(['application/json', 'text/html']) !== 'text/html') return next();
    res.sendFile(join(here, 'graphiql', 'index.html'));
  });
  return router;
}

export async function createGraphqlRouter(options: GraphqlOptions): Promise<{ router: Router; stop(): Promise<void> }> {
  const server = new ApolloServer<GatewayContext>({
    typeDefs,
    resolvers: resolvers as never,
    introspection: options.introspection,
    allowBatchedHttpRequests: false,
    // the composition root owns shutdown (drain, stop consumers, close stores); Apollo must not exit on its own
    stopOnTerminationSignals: false,
    // stack traces stay in the server log, never in answers to agencies
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      guardPlugin(options.guards ?? DEFAULT_GUARD_LIMITS),
      ...(options.onOperation ? [outcomePlugin(options.onOperation)] : []),
      ...(options.accessLog ? [accessLogPlugin(options.accessLog)] : []),
    ],
  });
  await server.start();
  const router = express.Router();
  if (options.graphiql) router.use(graphiqlRouter());
  router.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(server, {
      context: async ({ req }): Promise<GatewayContext> => {
        const principal = options.authenticate(req.headers.authorization);
        if (!principal) {
          // no operation runs, so no plugin sees it: logged here (a failure to log changes nothing: it is a 401 anyway)
          if (options.accessLog) await recordUnauthenticated(options.accessLog, { body: req.body as unknown, client: req.ip ?? null, at: options.services.now() });
          throw new GraphQLError('缺少或无效的访问令牌：请在 Authorization 头中携带 Bearer token', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        }
        return { ...createContext(principal, options.services), client: req.ip ?? null };
      },
    }),
  );
  return { router, stop: () => server.stop() };
}

