import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import { DEFAULT_MAX_CONNECTIONS } from '../config/schema.js';
import type { Metrics } from './metrics.js';
import type { Logger } from '../log/logger.js';

export interface HealthProbe {
  /** null when ready, else why not (Chinese, for the operator) */
  notReadyReason(): Promise<string | null>;
  /** what else /readyz reports in its body (e.g. the projection lag), read after notReadyReason */
  details?(): Record<string, unknown>;
}

export interface HttpLimits {
  /** connections open at once; a connection beyond it is closed as soon as it is accepted */
  maxConnections: number;
}

/** A setting the operator must fix; the CLI prints the message without a stack trace (it matches the class name). */
class StartupError extends Error {}

/** the limits of a process: the config file's `http`, LIANDONG_MAX_CONNECTIONS over it */
export function httpLimitsFrom(config: { http: { maxConnections: number } }, env: NodeJS.ProcessEnv): HttpLimits {
  const text = env.LIANDONG_MAX_CONNECTIONS;
  if (text === undefined || text.trim() === '') return { maxConnections: config.http.maxConnections };
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new StartupError(`环境变量 LIANDONG_MAX_CONNECTIONS=${text} 无效：应为不小于 1 的整数（同时打开的 HTTP 连接数上限）`);
  return { maxConnections: value };
}

/**
 * The HTTP surface of a process: liveness, readiness and metrics (no token: expose them on an internal
 * interface in production), plus whatever routers the process serves. The server `app.listen` creates holds
 * at most `limits.maxConnections` connections (config `http.maxConnections`, default 1024).
 */
export function createHttpApp(deps: { metrics: Metrics; health: HealthProbe; routers: Router[]; limits?: HttpLimits; log?: Logger }): Express {
  const app = express();
  app.disable('x-powered-by');
  const maxConnections = deps.limits?.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const listen = app.listen.bind(app) as (...args: unknown[]) => Server;
  app.listen = ((...args: unknown[]) => {
    const server = listen(...args);
    server.maxConnections = maxConnections;
    return server;
  }) as Express['listen'];
  app.use((req, res, next) => {
    // a request id for the logs: the caller's X-Request-Id (a proxy's) when it is a sane token, else a new one
    const given = req.headers['x-request-id'];
    const reqId = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    res.locals.reqId = reqId;
    res.set('X-Request-Id', reqId);
    if (deps.log) res.locals.log = deps.log.child({ reqId });
    const end = deps.metrics.httpDuration.startTimer();
    // the route is read from the original URL: a router mounted under a path (`/graphql`) sees only the rest of it
    res.on('finish', () => {
      const route = routeLabel(req.originalUrl.split('?')[0]!);
      const labels = { method: req.method, route, status: String(res.statusCode) };
      end(labels);
      deps.metrics.httpRequests.inc(labels);
      (res.locals.log as Logger | undefined)?.debug({ method: req.method, route, status: res.statusCode }, 'HTTP 请求');
    });
    next();
  });
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const reason = await deps.health.notReadyReason().catch((e: Error) => `检查失败：${e.message}`);
    const details = deps.health.details?.() ?? {};
    res.status(reason ? 503 : 200).json(reason ? { status: 'not_ready', reason, ...details } : { status: 'ready', ...details });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('content-type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  for (const router of deps.routers) app.use(router);
  // an address nothing serves: JSON like every other answer of the API, not Express' HTML page
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', message: `没有这个地址：${req.method} ${req.path}（接口：POST /v1/events、/graphql、/healthz、/readyz、/metrics）` });
  });
  app.use((err: Error & { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.too.large') return void res.status(413).json({ error: 'payload_too_large', message: '请求体过大' });
    if (err.type === 'entity.parse.failed') return void res.status(400).json({ error: 'bad_request', message: '请求体不是合法的 JSON' });
    if (isStoreUnavailable(err)) {
      // the store retried on fresh connections for its retry window and still could not reach the database:
      // the client should come back, nothing is wrong with its request (issue 18: never a 500 for this)
      const log = (res.locals.log as Logger | undefined) ?? deps.log;
      if (log) log.error({ err, method: req.method }, '存储暂不可用');
      else console.error('[http] 存储暂不可用', err.message);
      return void res.status(503).set('Retry-After', '5').json({ error: 'unavailable', message: '事件存储暂时不可用，请稍后重试（已发布的事件可按相同 id 重发，不会重复）' });
    }
    const log = (res.locals.log as Logger | undefined) ?? deps.log;
    if (log) log.error({ err, method: req.method, route: routeLabel(req.originalUrl.split('?')[0]!) }, 'HTTP 请求处理出错');
    else console.error('[http] 未处理的错误', err);
    const status = err.status && err.status >= 400 && err.status < 600 ? err.status : 500;
    res.status(status).json({ error: status === 500 ? 'internal' : 'bad_request', message: status === 500 ? `平台内部错误，请稍后重试；若持续出现请联系运维并提供请求编号 ${String(res.locals.reqId)}` : '请求无法处理' });
  });
  return app;
}

const ROUTES = new Set(['/v1/events', '/graphql', '/healthz', '/readyz', '/metrics']);

/** a bounded set of route labels (a label per raw path would grow without limit) */
export const routeLabel = (path: string): string => {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (ROUTES.has(trimmed)) return trimmed;
  if (trimmed.startsWith('/graphiql')) return '/graphiql';
  if (trimmed === '' || trimmed === '/' || trimmed === '/console' || trimmed.startsWith('/assets/') || trimmed.startsWith('/console/')) return '/console';
  return 'other';
};

/** a database that cannot be reached (SQLSTATE class 08, shutting down 57P01–57P03, lock timeout, socket errors) */
function isStoreUnavailable(error: Error & { code?: unknown }): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  return (
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', '55P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE'].includes(code) ||
    /Connection terminated|connection error/i.test(error.message)
  );
}
