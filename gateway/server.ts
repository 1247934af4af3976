import { chineseGraphqlMessage } from './graphqlMessages.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { HeaderMap } from '@apollo/server';
import express, { type Request, type Response, type Router } from 'express';
import { jsonSyntaxMessage } from './jsonSyntax.js';
import { createTurnstile } from './turnstile.js';
import { encodeInPieces } from './answerBody.js';
import type { Server as HttpServer } from 'node:http';
import { getOperationAST, GraphQLError, parse, validate, type DocumentNode, type ExecutionArgs, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { AccessLogWriter } from '../ports/accessLog.js';
import { accessEntry, describeRequest, outcomeOf, recordUnauthenticated, type DescribedRequest } from './accessLogEntry.js';
import type { Authenticator, Principal } from './auth.js';
import { createContext, type GatewayContext, type GatewayServices } from './context.js';
import { checkGuards, guardError, type GuardLimits, DEFAULT_GUARD_LIMITS } from './guards.js';
import { resolvers, ScalarInputError } from './resolvers/index.js';

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
  /** every operation, by anyone, is recorded here before its answer is sent (docs/audit.md "Access log") */
  accessLog?: AccessLogWriter;
  /** the process logger (pino's shape); without one, errors go to stderr */
  log?: ServerLog;
  /** how long a turn of the turnstile may run (gateway/turnstile.ts); 0 gives every operation and piece a turn of its own */
  turnBudgetMs?: number;
}

/** what the router logs through: a pino logger fits */
export interface ServerLog {
  error(fields: Record<string, unknown>, message: string): void;
}
const stderrLog: ServerLog = {
  // the access log's failures already name their cause in the message; an unexpected one keeps its stack
  error: (fields, message) => console.error(`[${String(fields['ns'] ?? 'GraphQL')}] ${message}`, ...(fields['ns'] === 'GraphQL' && fields['err'] ? [fields['err']] : [])),
};

/** Guards run once the operation is known and before any resolver (graphql.md "Guards"). */
const guardPlugin = (limits: GuardLimits, introspection: boolean): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    return {
      async didResolveOperation({ document, operation, request }) {
        if (!operation) return;
        // with introspection on, the standard introspection query (depth 14) is not refused for depth
        const problem = checkGuards(document, operation, request.variables ?? {}, limits, { introspection });
        if (problem) throw guardError(problem);
      },
    };
  },
});

/** a subscription sent over HTTP would run as a query and answer null: it is refused, saying where it belongs */
const subscriptionsOverWebSocket: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation !== 'subscription') return;
        throw new GraphQLError('订阅（subscription）请通过 WebSocket（graphql-ws 协议）连接 /graphql；HTTP 只接受查询与变更', {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      },
    };
  },
};

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
const accessLogPlugin = (log: AccessLogWriter, handled: (context: GatewayContext) => void, serverLog: ServerLog): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    const started = performance.now();
    return {
      async willSendResponse({ contextValue, request, operation, document, response }) {
        // from here on this request's entry is this plugin's to write (or its answer withheld): the router's
        // fallback (`logUnlogged`) is for requests that never reach this point
        handled(contextValue);
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
          serverLog.error({ ns: '访问日志', principal: entry.principal, err: error }, `无法记录 ${entry.principal} 的 ${entry.operationName ?? '(匿名操作)'}：${(error as Error).message}`);
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

export interface GraphqlRouter {
  router: Router;
  /**
   * Serves subscriptions (graphql-ws protocol) on the same HTTP server, at /graphql (graphql.md revision 2). Call once
   * the server listens; needs `services.changes`.
   */
  serveSubscriptions(server: HttpServer): void;
  /**
   * Ends every subscription and closes its socket (1001 Going Away: graphql-ws clients reconnect elsewhere). Call
   * before waiting for the HTTP server to close: an upgraded socket keeps it open. stop() does it too.
   */
  closeSubscriptions(): Promise<void>;
  stop(): Promise<void>;
}

/** whether this request's access-log entry has been written (or its answer withheld because it could not be) */
type Tracker = NonNullable<GatewayContext['accessLogged']>;

/** the GraphQL request as the client sent it, before Apollo looks at it (fields of any type) */
interface RawRequest {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

/** Limits before work (issue 13): nothing is buffered before the token is checked. */
const MAX_BODY = '1mb';
/** an unauthenticated request's body is read only this far (for its access-log entry), then 401 */
export const MAX_UNAUTHENTICATED_BODY = 16 * 1024;
/** …and for at most this long: a slow client holds its connection no longer */
const UNAUTHENTICATED_READ_MS = 5_000;
/** variables (and extensions) nested deeper than this are refused with 400; the schema's inputs are 3 levels at most */
export const MAX_VARIABLE_DEPTH = 32;

const INTERNAL_ERROR_MESSAGE = '平台内部错误，请稍后重试；若持续出现请联系运维并提供时间点';
const ACCESS_LOG_UNAVAILABLE = { errors: [{ message: '访问日志暂时无法记录，本次查询不予应答，请稍后重试', extensions: { code: 'ACCESS_LOG_UNAVAILABLE' } }] };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** how deep arrays and objects nest in `value` (the value itself is level 1), counted without recursion, up to limit + 1 */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** the request's GraphQL parameters: the JSON body of a POST, the search parameters of a GET */
function rawRequestOf(req: Request): RawRequest {
  if (req.method !== 'GET') return isRecord(req.body) ? (req.body as RawRequest) : {};
  const params = new URL(req.url, 'http://localhost').searchParams;
  const json = (name: string): unknown => {
    const text = params.get(name);
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  return { query: params.get('query') ?? undefined, operationName: params.get('operationName') ?? undefined, variables: json('variables'), extensions: json('extensions') };
}

/** the access log's description of a request Apollo never ran (or ran into trouble with): whatever can be read of it */
function describeRaw(raw: RawRequest): DescribedRequest {
  const operationName = typeof raw.operationName === 'string' ? raw.operationName : null;
  const variables = isRecord(raw.variables) ? raw.variables : null;
  try {
    let document: DocumentNode | null = null;
    if (typeof raw.query === 'string') {
      try {
        document = parse(raw.query);
      } catch {
        /* not GraphQL: described without fields */
      }
    }
    return describeRequest({ operation: null, document, operationName, variables });
  } catch {
    return { operationType: null, operationName, fields: [], variables: null };
  }
}

/**
 * Reads at most `max` bytes of a body, for at most `ms`: the bytes if the whole body fit, else null. Whatever
 * is left is not read (the caller answers with `Connection: close`).
 */
function readAtMost(req: Request, max: number, ms: number): Promise<Buffer | null> {
  if (req.method === 'GET' || req.method === 'HEAD') return Promise.resolve(null);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve(null);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | null) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFail);
      req.off('aborted', onFail);
      req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) return finish(null);
      chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks));
    const onFail = () => finish(null);
    const timer = setTimeout(onFail, ms);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onFail);
    req.once('aborted', onFail);
  });
}

/** an express body-parser error as an answer: status, code and a Chinese message */
function bodyProblem(error: Error & { status?: number; type?: string }): { status: number; code: string; message: string } {
  if (error.type === 'entity.too.large') return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `请求体超过 ${MAX_BODY.toUpperCase()} 上限` };
  if (error.type === 'entity.parse.failed') return { status: 400, code: 'BAD_REQUEST', message: `请求体${jsonSyntaxMessage(error)}` };
  if (error.type === 'charset.unsupported' || error.type === 'encoding.unsupported') return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: `不支持的请求体编码或字符集：${error.message}` };
  const status = error.status !== undefined && error.status >= 400 && error.status < 500 ? error.status : 400;
  return { status, code: 'BAD_REQUEST', message: `无法读取请求体：${error.message}` };
}

/** what Apollo passes on in place of an answer whose bytes wait in the router (see stringifyResult): no JSON starts so */
const ANSWER_MARKER = '\u0000answer ';
/** answers encoded and not yet sent: one per operation under way at most */
const MAX_WAITING_ANSWERS = 10_000;
const NEWLINE = Buffer.from('\n');

/** a GraphQL error answer of our own (the same shape as Apollo's) */
const errorBody = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

/** the scalar error (resolvers/index.ts) behind a GraphQL error, if it is one */
const isScalarInputError = (error: unknown): boolean => {
  for (let e: unknown = error, hops = 0; e instanceof Error && hops < 5; e = (e as GraphQLError).originalError, hops++) if (e instanceof ScalarInputError) return true;
  return false;
};

export async function createGraphqlRouter(options: GraphqlOptions): Promise<GraphqlRouter> {
  const serverLog = options.log ?? stderrLog;
  // the schema Apollo builds from typeDefs and resolvers, for the subscriptions served beside it
  let schema: GraphQLSchema | null = null;
  const schemaPlugin: ApolloServerPlugin<GatewayContext> = {
    async serverWillStart(service) {
      schema = service.schema;
    },
  };
  // operations take turns with the rest of the event loop; long answers pause between pieces (gateway/turnstile.ts)
  const turn = createTurnstile(options.turnBudgetMs);
  // Apollo hands an answer back as one string. The bytes are made here instead, in pieces (gateway/answerBody.ts):
  // the string Apollo passes on is a marker, unique to the answer, under which the pieces wait for `execute`
  const encodedAnswers = new Map<string, Buffer[]>();
  let answered = 0;
  const server = new ApolloServer<GatewayContext>({
    typeDefs,
    resolvers: resolvers as never,
    introspection: options.introspection,
    // no "Did you mean …" in validation errors when the schema is not public (graphql.md "Guards"); formatError
    // below also takes them out of the messages graphql-js builds elsewhere (variables, enum values)
    hideSchemaDetailsFromClientErrors: !options.introspection,
    formatError: (formatted, error) => {
      let answer = formatted;
      // a bad Date/DateTime written inline is reported by graphql-js as a validation error: it is the caller's input
      if (isScalarInputError(error)) answer = { ...answer, extensions: { ...answer.extensions, code: 'BAD_USER_INPUT' } };
      if (!options.introspection && /Did you mean/.test(answer.message)) answer = { ...answer, message: answer.message.replace(/;? ?Did you mean .*$/s, '') };
      // graphql-js writes English: the caller gets Chinese, the original stays beside it
      const chinese = chineseGraphqlMessage(answer.message);
      if (chinese !== null) answer = { ...answer, message: chinese, extensions: { ...answer.extensions, originalMessage: answer.message } };
      return answer;
    },
    allowBatchedHttpRequests: false,
    stringifyResult: async (result) => {
      // The access log answers a whole group commit at once, outside any turn: every operation in the group would
      // encode and send its answer in that one stretch, which /healthz waited behind (docs/decisions.md "What the
      // access log releases together goes on in turns"). Each goes on in a turn instead, one after another while the
      // turn has budget.
      await turn.resume();
      // Apollo's own writes the JSON and a newline
      const pieces = [...(await encodeInPieces(result, turn.pause)), NEWLINE];
      // an answer Apollo made and then did not send (none is known) must not stay: the oldest goes first
      if (encodedAnswers.size >= MAX_WAITING_ANSWERS) encodedAnswers.delete(encodedAnswers.keys().next().value!);
      const marker = `${ANSWER_MARKER}${++answered}`;
      encodedAnswers.set(marker, pieces);
      return marker;
    },
    // the composition root owns shutdown (drain, stop consumers, close stores); Apollo must not exit on its own
    stopOnTerminationSignals: false,
    // stack traces stay in the server log, never in answers to agencies
    includeStacktraceInErrorResponses: false,
    plugins: [
      schemaPlugin,
      subscriptionsOverWebSocket,
      ApolloServerPluginLandingPageDisabled(),
      // no @cacheControl hints in this schema (answers are never kept: every request reads the read models, issue 14);
      // without this, Apollo would still compute a cache policy for every resolved field
      ApolloServerPluginCacheControlDisabled(),
      ...(options.guards === null ? [] : [guardPlugin(options.guards ?? DEFAULT_GUARD_LIMITS, options.introspection)]),
      ...(options.onOperation ? [outcomePlugin(options.onOperation)] : []),
      ...(options.accessLog
        ? [
            accessLogPlugin(
              options.accessLog,
              (context) => {
                if (context.accessLogged) context.accessLogged.logged = true;
              },
              serverLog,
            ),
          ]
        : []),
    ],
  });
  await server.start();
  if (!schema) throw new Error('Apollo started without reporting its schema');
  const executableSchema: GraphQLSchema = schema;

  /**
   * Writes the entry of a request the access-log plugin did not see — refused before Apollo ran it, or failed
   * outside it — before its answer leaves. False when it could not be written: then the answer is withheld (503).
   */
  const logUnlogged = async (req: Request, principal: Principal, tracker: Tracker, request: DescribedRequest, errors: readonly GraphQLFormattedError[], started: number): Promise<boolean> => {
    if (tracker.logged || !options.accessLog) return true;
    tracker.logged = true;
    const entry = accessEntry({ principal, at: options.services.now(), request, ...outcomeOf(errors), client: req.ip ?? null, durationMs: performance.now() - started });
    try {
      await options.accessLog.record(entry);
      return true;
    } catch (error) {
      serverLog.error({ ns: '访问日志', principal: entry.principal, err: error }, `无法记录 ${entry.principal} 的 ${entry.operationName ?? '(匿名操作)'}：${(error as Error).message}`);
      return false;
    }
  };

  /** a request refused by the router itself (not by Apollo): logged, counted, answered */
  const refuse = async (req: Request, res: Response, principal: Principal, tracker: Tracker, started: number, problem: { status: number; code: string; message: string }, request: DescribedRequest): Promise<void> => {
    const body = errorBody(problem.message, problem.code);
    const logged = await logUnlogged(req, principal, tracker, request, body.errors, started);
    options.onOperation?.('error');
    if (!logged) return void res.status(503).json(ACCESS_LOG_UNAVAILABLE);
    res.status(problem.status).json(body);
  };

  /**
   * Limits before work: the token is checked before a byte of the body is read. Without a valid one, at most
   * 16 KiB are read (for the access log) and the answer is 401, the connection closed if more was coming.
   * With one, the body is read (up to 1 MB); what cannot be read is refused and logged like any operation.
   */
  const gate = (req: Request, res: Response, next: (error?: unknown) => void): void => {
    const started = performance.now();
    const principal = options.authenticate(req.headers.authorization);
    if (principal) {
      res.locals.principal = principal;
      jsonBody(req, res, (error?: unknown) => {
        if (!error) return next();
        const tracker: Tracker = { logged: false };
        const request: DescribedRequest = { operationType: null, operationName: null, fields: [], variables: null };
        refuse(req, res, principal, tracker, started, bodyProblem(error as Error), request).catch(next);
      });
      return;
    }
    readAtMost(req, MAX_UNAUTHENTICATED_BODY, UNAUTHENTICATED_READ_MS)
      .then(async (bytes) => {
        let body: unknown = req.method === 'GET' ? rawRequestOf(req) : undefined;
        if (bytes !== null && bytes.length > 0) {
          try {
            body = JSON.parse(bytes.toString('utf8')) as unknown;
          } catch {
            /* not JSON: logged without fields */
          }
        }
        // no operation runs, so no plugin sees it: logged here (a failure to log changes nothing: it is a 401 anyway)
        if (options.accessLog) await recordUnauthenticated(options.accessLog, { body, client: req.ip ?? null, at: options.services.now() });
        if (!req.complete) res.set('Connection', 'close');
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer')
          .json(errorBody('缺少或无效的访问令牌：请在 Authorization 头中携带 Bearer token', 'UNAUTHENTICATED'));
      })
      .catch(next);
  };
  const jsonBody = express.json({ limit: MAX_BODY });

  const contextFor = async (req: Request, principal: Principal, tracker: Tracker): Promise<GatewayContext> => {
    // Apollo hands plugins a shallow copy of the context: the tracker object is shared with it
    return { ...createContext(principal, options.services, turn.pause), client: req.ip ?? null, accessLogged: tracker };
  };

  // Apollo's express integration, written out so that every answer leaves only after its access-log entry
  const handle = async (req: Request, res: Response): Promise<void> => {
    const started = performance.now();
    const finished = await turn.enter();
    try {
      await answer(req, res, started);
    } finally {
      finished();
    }
  };
  const answer = async (req: Request, res: Response, started: number): Promise<void> => {
    const principal = res.locals.principal as Principal;
    const tracker: Tracker = { logged: false };
    const raw = rawRequestOf(req);
    try {
      // over-nested input reaches nothing that recurses (coercion, the log): refused at once
      for (const [name, value] of [
        ['variables', raw.variables],
        ['extensions', raw.extensions],
      ] as const) {
        if (nestingDepth(value, MAX_VARIABLE_DEPTH) > MAX_VARIABLE_DEPTH) {
          const message = `${name === 'variables' ? '变量（variables）' : '扩展（extensions）'}嵌套超过 ${MAX_VARIABLE_DEPTH} 层，请求不予处理（本平台的输入最多几层，请检查客户端如何构造它）`;
          return await refuse(req, res, principal, tracker, started, { status: 400, code: 'BAD_REQUEST', message }, describeRaw({ ...raw, variables: null }));
        }
      }
      await execute(req, res, principal, tracker, raw, started);
    } catch (error) {
      // a failure outside Apollo's own handling (the log…): a 500 in Chinese,
      // logged like any other answer; the detail stays in the server log
      serverLog.error({ ns: 'GraphQL', reqId: res.locals.reqId, principal: principal.name, agency: principal.agency.id, err: error }, '处理请求时出错');
      const internal = errorBody(INTERNAL_ERROR_MESSAGE, 'INTERNAL_SERVER_ERROR');
      const logged = await logUnlogged(req, principal, tracker, describeRaw(raw), internal.errors, started);
      options.onOperation?.('error');
      if (res.headersSent) return void res.destroy();
      if (!logged) return void res.status(503).json(ACCESS_LOG_UNAVAILABLE);
      res.status(500).json(internal);
    }
  };

  /** the bytes of an answer: the pieces waiting under its marker, or (an answer Apollo wrote itself) its string */
  const bodyOf = (text: string): Buffer => {
    const pieces = text.startsWith(ANSWER_MARKER) ? encodedAnswers.get(text) : undefined;
    if (pieces === undefined) return Buffer.from(text, 'utf8');
    encodedAnswers.delete(text);
    return Buffer.concat(pieces);
  };

  const execute = async (req: Request, res: Response, principal: Principal, tracker: Tracker, raw: RawRequest, started: number): Promise<void> => {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const answer = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: new URL(req.url, 'http://localhost').search, body: req.body },
      context: () => contextFor(req, principal, tracker),
    });
    const status = answer.status ?? 200;
    const body = answer.body.kind === 'complete' ? bodyOf(answer.body.string) : null;
    if (!tracker.logged && body !== null) {
      // Apollo answered without running the operation's plugins: refused before it ran (a bad operationName,
      // variables that are not an object, a CSRF-suspect content type…) or failed where no plugin looks
      let errors: GraphQLFormattedError[] = [];
      try {
        const parsed = JSON.parse(body.toString('utf8')) as { errors?: GraphQLFormattedError[] };
        errors = Array.isArray(parsed.errors) ? parsed.errors : [];
      } catch {
        /* not JSON */
      }
      if (status >= 500) {
        // Apollo's text of an internal failure may carry its cause: that goes to the server log, not the caller
        serverLog.error({ ns: 'GraphQL', reqId: res.locals.reqId, principal: principal.name }, `Apollo 内部错误（${status}）：${errors.map((e) => e.message).join('；')}`);
        const internal = errorBody(INTERNAL_ERROR_MESSAGE, 'INTERNAL_SERVER_ERROR');
        const logged = await logUnlogged(req, principal, tracker, describeRaw(raw), internal.errors, started);
        options.onOperation?.('error');
        if (!logged) return void res.status(503).json(ACCESS_LOG_UNAVAILABLE);
        return void res.status(500).json(internal);
      }
      if (errors.length === 0) errors = [{ message: `HTTP ${status}`, extensions: { code: status >= 400 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR' } }];
      const logged = await logUnlogged(req, principal, tracker, describeRaw(raw), errors, started);
      if (status >= 400) options.onOperation?.('error');
      if (!logged) return void res.status(503).json(ACCESS_LOG_UNAVAILABLE);
    }
    for (const [name, value] of answer.headers) res.setHeader(name, value);
    res.statusCode = status;
    if (body === null) {
      if (answer.body.kind === 'chunked') for await (const chunk of answer.body.asyncIterator) res.write(chunk);
      res.end();
      return;
    }
    // not res.send: a POST answer has no use for the ETag it would hash the whole body for
    res.setHeader('Content-Length', body.length);
    res.end(body);
  };

  const router = express.Router();
  if (options.graphiql) router.use(graphiqlRouter());
  router.use('/graphql', gate, handle);

  let closeSubscriptions: () => Promise<void> = async () => undefined;
  const serveSubscriptions = (httpServer: HttpServer): void => {
    const sockets = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 64 * 1024 });
    const graphqlWs = useServer<Record<string, unknown> | undefined, { principal: Principal }>(subscriptionOptions(options, executableSchema, serverLog), sockets);
    closeSubscriptions = async () => {
      closeSubscriptions = async () => undefined;
      await graphqlWs.dispose(); // completes every subscription, closes every socket with 1001
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    };
  };
  return {
    router,
    serveSubscriptions,
    closeSubscriptions: () => closeSubscriptions(),
    stop: async () => {
      await closeSubscriptions();
      await server.stop();
    },
  };
}

/** the token of a graphql-ws connection: connectionParams { authorization } first, else the upgrade's header */
const tokenOf = (params: Record<string, unknown> | undefined, header: string | undefined): string | undefined => {
  const given = params?.['authorization'] ?? params?.['Authorization'];
  return typeof given === 'string' ? given : header;
};

/** a graphql-js request error with its message in Chinese (gateway/graphqlMessages.ts), the English in extensions */
function inChinese(error: GraphQLError): GraphQLError {
  const chinese = chineseGraphqlMessage(error.message);
  if (chinese === null) return error;
  return new GraphQLError(chinese, { nodes: error.nodes ?? null, source: error.source ?? null, positions: error.positions ?? null, extensions: { ...error.extensions, originalMessage: error.message } });
}

/**
 * graphql-ws over the same tokens, guards, visibility and access log as HTTP: an unknown or missing token is
 * refused at connection (4403 Forbidden), each subscription is checked by the guards and written to the access log
 * before it starts, and only subscriptions are served over the socket (queries and mutations go to POST /graphql,
 * where the limits of issue 13 apply).
 */
function subscriptionOptions(options: GraphqlOptions, schema: GraphQLSchema, serverLog: ServerLog): Parameters<typeof useServer<Record<string, unknown> | undefined, { principal: Principal }>>[0] {
  const refused = (message: string, code: string): readonly GraphQLError[] => [new GraphQLError(message, { extensions: { code } })];
  return {
    schema,
    onConnect(ctx) {
      const principal = options.authenticate(tokenOf(ctx.connectionParams, ctx.extra.request.headers.authorization));
      if (!principal) return false;
      ctx.extra.principal = principal;
      return true;
    },
    async onSubscribe(ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> {
      const principal = ctx.extra.principal;
      if (!principal) return refused('未认证：请在 connectionParams.authorization 中提供 Bearer 令牌', 'UNAUTHENTICATED');
      const started = performance.now();
      let document: DocumentNode;
      try {
        document = parse(payload.query, { maxTokens: 10_000 });
      } catch (error) {
        return [inChinese(error instanceof GraphQLError ? error : new GraphQLError(String(error)))];
      }
      const variables = payload.variables ?? {};
      const operationName = payload.operationName ?? null;
      const operation = getOperationAST(document, operationName);
      // in Chinese as over HTTP (formatError there), graphql-js' English kept beside it
      let problems: readonly GraphQLError[] = validate(schema, document).map(inChinese);
      if (problems.length === 0 && !operation) problems = refused('请求中没有可执行的操作，或 operationName 与之不符', 'BAD_REQUEST');
      if (problems.length === 0 && operation && operation.operation !== 'subscription') {
        problems = refused('WebSocket 只用于订阅（subscription）；查询与变更请用 HTTP POST /graphql', 'BAD_REQUEST');
      }
      if (problems.length === 0 && operation && options.guards !== null) {
        const problem = checkGuards(document, operation, variables, options.guards ?? DEFAULT_GUARD_LIMITS, { introspection: options.introspection });
        if (problem) problems = [guardError(problem)];
      }
      const contextValue = createContext(principal, options.services);
      contextValue.client = ctx.extra.request.socket.remoteAddress ?? null;
      if (options.accessLog) {
        const entry = accessEntry({
          principal,
          at: options.services.now(),
          request: describeRequest({ operation: operation ?? null, document, operationName, variables }),
          ...outcomeOf(problems.map((p) => p.toJSON())),
          client: contextValue.client,
          durationMs: performance.now() - started,
        });
        try {
          await options.accessLog.record(entry);
        } catch (error) {
          serverLog.error({ ns: '访问日志', principal: entry.principal, err: error }, `无法记录 ${entry.principal} 的订阅：${(error as Error).message}`);
          return refused('访问日志暂时无法记录，本次订阅不予应答，请稍后重试', 'ACCESS_LOG_UNAVAILABLE');
        }
      }
      options.onOperation?.(problems.length > 0 ? 'error' : 'ok');
      if (problems.length > 0) return problems;
      return { schema, document, variableValues: variables, operationName, contextValue };
    },
    onClose(ctx, code) {
      // a refused connection is the client's business; anything else unexpected is worth a line
      if (code !== undefined && code >= 4500 && code !== CloseCode.Forbidden) serverLog.error({ ns: 'GraphQL', principal: ctx.extra.principal?.name }, `订阅连接异常关闭（${code}）`);
    },
  };
}
