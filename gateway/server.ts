import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request, type Response, type Router } from 'express';
import { GraphQLError } from 'graphql';
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
          throw new GraphQLError('缺少或无效的访问令牌：请在 Authorization 头中携带 Bearer token', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        }
        return createContext(principal, options.services);
      },
    }),
  );
  return { router, stop: () => server.stop() };
}

