import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

const here = dirname(fileURLToPath(import.meta.url));
/** web/dist beside the sources (run through tsx) or beside a compiled dist/gateway */
const CANDIDATES = [join(here, '..', 'web', 'dist'), join(here, '..', '..', 'web', 'dist')];

const NOT_BUILT = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>联动工作台尚未构建</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.6">
<h1>联动工作台尚未构建</h1>
<p>请在程序目录运行 <code>npm run build:web</code>（<code>npm ci</code> 安装开发依赖时会自动构建），然后刷新本页。</p>
<p>GraphQL 接口照常可用：<a href="/graphql">/graphql</a></p>
</body></html>`;

/**
 * The web console (web/, built by Vite) served same-origin at `/` and `/console/` from the package's own
 * files — nothing from a CDN. Asset names carry content hashes and are cached; index.html is revalidated
 * and looked up per request, so a build made after start-up shows without a restart.
 */
export function consoleRouter(options: { dist?: string } = {}): Router {
  const dirs = options.dist ? [options.dist] : CANDIDATES;
  const router = express.Router();
  router.get(['/', '/console', '/console/'], (_req, res) => {
    const dist = dirs.find((dir) => existsSync(join(dir, 'index.html')));
    if (!dist) return void res.status(503).type('html').send(NOT_BUILT);
    res.set('cache-control', 'no-cache').sendFile(join(dist, 'index.html'));
  });
  for (const dir of dirs) router.use(['/assets', '/console/assets'], express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false }));
  return router;
}
