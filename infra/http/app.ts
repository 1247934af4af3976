import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import { DEFAULT_MAX_CONNECTIONS } from '../config/schema.js';
import type { Metrics } from './metrics.js';

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
export function createHttpApp(deps: { metrics: Metrics; health: HealthProbe; routers: Router[]; limits?: HttpLimits }): Express {
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
    const end = deps.metrics.httpDuration.startTimer();
    res.on('finish', () => end({ route: routeLabel(req.path), status: String(res.statusCode) }));
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
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.too.large') return void res.status(413).json({ error: 'payload_too_large', message: '请求体过大' });
    if (err.type === 'entity.parse.failed') return void res.status(400).json({ error: 'bad_request', message: `JSON 解析失败：${err.message}` });
    if (isStoreUnavailable(err)) {
      // the store retried on fresh connections for its retry window and still could not reach the database:
      // the client should come back, nothing is wrong with its request (issue 18: never a 500 for this)
      console.error('[http] 存储暂不可用', err.message);
      return void res.status(503).set('Retry-After', '5').json({ error: 'unavailable', message: '事件存储暂时不可用，请稍后重试（已发布的事件可按相同 id 重发，不会重复）' });
    }
    console.error('[http] 未处理的错误', err);
    res.status(err.status ?? 500).json({ error: 'internal', message: '平台内部错误，请稍后重试；若持续出现请联系运维并提供时间点' });
  });
  return app;
}

const routeLabel = (path: string): string =>
  path.startsWith('/graphiql') ? '/graphiql' : ['/v1/events', '/graphql', '/healthz', '/readyz', '/metrics'].includes(path) ? path : 'other';

/** a database that cannot be reached (SQLSTATE class 08, shutting down 57P01–57P03, lock timeout, socket errors) */
function isStoreUnavailable(error: Error & { code?: unknown }): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  return (
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', '55P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE'].includes(code) ||
    /Connection terminated|connection error/i.test(error.message)
  );
}
