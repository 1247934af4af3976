import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { HeaderMap } from '@apollo/server';
import express, { type Request, type Response, type Router } from 'express';
import { GraphQLError } from 'graphql';
import { chinaDate } from '../domain/deadlines/index.js';
import type { AccessLogWriter } from '../infra/accessLog/accessLog.js';
import { accessEntry, describeRequest, outcomeOf, recordUnauthenticated, type DescribedRequest } from './accessLogEntry.js';
import { answersFromReadModels, audienceOf, createAnswerCache, type AnswerCache, type AnswerCacheStats, type CachedAnswer } from './answerCache.js';
import type { Authenticator, Principal } from './auth.js';
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
  /** null: no guard plugin (only the benchmark's "unguarded" server, to measure what the guards cost) */
  guards?: GuardLimits | null;
  onOperation?(outcome: 'ok' | 'error'): void;
  /**
   * Keep answers of read-model queries until a projection commits (gateway/answerCache.ts). `projections`:
   * the projections whose checkpoints version the read side; maxBytes 0 turns the cache off.
   */
  answerCache?: { maxBytes: number; projections: readonly string[] };
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

/**
 * Marks an answer as one that may be kept (gateway/answerCache.ts): a query reading only the read models that
 * ended without errors. Its access-log description goes with it, so a later hit is logged the same way.
 */
const answerPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operation }) {
        const slot = contextValue.answer;
        if (!slot || !operation) return;
        slot.cacheable = answersFromReadModels(operation);
        if (slot.cacheable) slot.onCacheable?.();
      },
      async willSendResponse({ contextValue, request, operation, document, response }) {
        const slot = contextValue.answer;
        if (!slot?.cacheable) return;
        const errors = response.body.kind === 'single' ? response.body.singleResult.errors : ['incremental'];
        if (errors && errors.length > 0) {
          slot.cacheable = false;
          return;
        }
        slot.described = describeRequest({ operation: operation ?? null, document: document ?? null, operationName: request.operationName ?? null, variables: request.variables });
      },
    };
  },
};

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

export interface GraphqlRouter {
  router: Router;
  stop(): Promise<void>;
  /** hits, misses and size of the answer cache; null when it is off */
  answerCacheStats(): AnswerCacheStats | null;
}

/** a request whose answer may be kept: where it goes, and how the requests waiting for it are told */
interface Keep {
  key: string;
  /** the read models' version when it was asked: kept only if still the same once computed */
  version: string;
  slot: NonNullable<GatewayContext['answer']>;
  /** hands the kept answer (or nothing) to the requests waiting for it; a no-op until claimed */
  settle: (kept: CachedAnswer<DescribedRequest> | undefined) => void;
}

export async function createGraphqlRouter(options: GraphqlOptions): Promise<GraphqlRouter> {
  const cacheOptions = options.answerCache && options.answerCache.maxBytes > 0 ? options.answerCache : null;
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
      // no @cacheControl hints in this schema (answers are kept by version instead, answerCache.ts): without this,
      // Apollo would still compute a cache policy for every resolved field
      ApolloServerPluginCacheControlDisabled(),
      ...(options.guards === null ? [] : [guardPlugin(options.guards ?? DEFAULT_GUARD_LIMITS)]),
      ...(options.onOperation ? [outcomePlugin(options.onOperation)] : []),
      ...(options.accessLog ? [accessLogPlugin(options.accessLog)] : []),
      ...(cacheOptions ? [answerPlugin] : []),
    ],
  });
  await server.start();

  const answers: AnswerCache<DescribedRequest> | null = cacheOptions ? createAnswerCache({ maxBytes: cacheOptions.maxBytes }) : null;
  const readModels = options.services.readModels;
  const versionOf = async (projections: readonly string[]): Promise<string> =>
    (await Promise.all(projections.map((name) => readModels.checkpoint(name)))).map((position) => position?.toString() ?? '-').join(',');

  /** `known`: the principal the handler already resolved from this request's token, so it is not resolved twice */
  const contextFor = async (req: Request, answer: GatewayContext['answer'], known: Principal | null): Promise<GatewayContext> => {
    const principal = known ?? options.authenticate(req.headers.authorization);
    if (!principal) {
      // no operation runs, so no plugin sees it: logged here (a failure to log changes nothing: it is a 401 anyway)
      if (options.accessLog) await recordUnauthenticated(options.accessLog, { body: req.body as unknown, client: req.ip ?? null, at: options.services.now() });
      throw new GraphQLError('缺少或无效的访问令牌：请在 Authorization 头中携带 Bearer token', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
    return { ...createContext(principal, options.services), client: req.ip ?? null, ...(answer ? { answer } : {}) };
  };

  /** a kept answer, sent after its access-log entry is on disk (as every answer is) */
  const sendKept = async (req: Request, res: Response, key: string, principal: Principal, kept: CachedAnswer<DescribedRequest>, client: string | null, started: number): Promise<void> => {
    const described = kept.extra;
    if (options.accessLog) {
      const entry = accessEntry({ principal, at: options.services.now(), request: described, outcome: 'ok', errorCodes: [], client, durationMs: performance.now() - started });
      try {
        await options.accessLog.record(entry);
      } catch (error) {
        console.error(`[访问日志] 无法记录 ${entry.principal} 的 ${entry.operationName ?? '(匿名操作)'}：${(error as Error).message}`);
        options.onOperation?.('error');
        res.status(503).json({ errors: [{ message: '访问日志暂时无法记录，本次查询不予应答，请稍后重试', extensions: { code: 'ACCESS_LOG_UNAVAILABLE' } }] });
        return;
      }
    }
    options.onOperation?.('ok');
    // the key names the answer exactly (version included), so it is its entity tag: express need not hash the body
    res.status(200).type('application/json; charset=utf-8').set('ETag', `W/"${key}"`).vary('Accept-Encoding');
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') res.set('Content-Encoding', 'gzip').send(kept.gzip);
    else res.send(kept.body);
  };

  // Apollo's express integration, written out so that an answer can be kept and sent again as text
  const handle = async (req: Request, res: Response): Promise<void> => {
    const started = performance.now();
    const body = req.body as { query?: unknown; operationName?: unknown; variables?: unknown } | undefined;
    let keep: Keep | null = null;
    let principal: Principal | null = null;
    if (answers && cacheOptions && req.method === 'POST' && typeof body === 'object' && body !== null && typeof body.query === 'string') {
      principal = options.authenticate(req.headers.authorization);
      if (principal) {
        const version = await versionOf(cacheOptions.projections);
        const key = answers.key({
          audience: `${audienceOf(principal, body.query)}|${req.headers.accept ?? ''}`,
          today: chinaDate(options.services.now().toISOString()),
          version,
          query: body.query,
          operationName: typeof body.operationName === 'string' ? body.operationName : null,
          variables: body.variables ?? null,
        });
        let kept = answers.get(key);
        // no await unless someone is computing it: between the miss and the claim below no other request may run
        const computing = kept ? undefined : answers.pending(key);
        if (computing) kept = await computing;
        if (kept) return sendKept(req, res, key, principal, kept, req.ip ?? null, started);
        const entry: Keep = { key, version, slot: { cacheable: false, described: null }, settle: () => undefined };
        // claimed once the operation is known to be keepable, so identical requests of other kinds never wait
        entry.slot.onCacheable = () => (entry.settle = answers.claim(key));
        keep = entry;
      }
    }
    try {
      await execute(req, res, keep, principal);
    } finally {
      keep?.settle(undefined); // nothing kept (or kept already: then this does nothing); waiters compute their own
    }
  };

  const execute = async (req: Request, res: Response, keep: Keep | null, principal: Principal | null): Promise<void> => {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const answer = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: new URL(req.url, 'http://localhost').search, body: req.body },
      context: () => contextFor(req, keep?.slot, principal),
    });
    for (const [name, value] of answer.headers) res.setHeader(name, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      // kept only if no projection committed while it was computed: otherwise it may mix two versions
      if (keep && keep.slot.cacheable && keep.slot.described && res.statusCode === 200 && (await versionOf(cacheOptions!.projections)) === keep.version) {
        const body = Buffer.from(answer.body.string, 'utf8');
        const kept = { body, gzip: gzipSync(body), extra: keep.slot.described };
        answers!.set(keep.key, kept);
        keep.settle(kept);
        res.send(body);
        return;
      }
      res.send(answer.body.string);
      return;
    }
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  };

  const router = express.Router();
  if (options.graphiql) router.use(graphiqlRouter());
  router.use('/graphql', express.json({ limit: '1mb' }), handle);
  return { router, stop: () => server.stop(), answerCacheStats: () => answers?.stats() ?? null };
}
