#!/usr/bin/env node
// Builds the web console into web/dist (run by `npm run build:web` and by `prepare` after `npm ci`).
// Without the dev dependencies (`npm ci --omit=dev`) there is nothing to build with: say so and leave the
// install alone — the gateway then answers `/` with a page that says how to build the console.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
let vite;
try {
  vite = await import('vite');
} catch {
  console.warn('web/build.mjs: vite 未安装（生产安装未含 devDependencies），跳过工作台构建。');
  process.exit(0);
}
await vite.build({ root, configFile: `${root}vite.config.ts`, logLevel: process.env.CI ? 'warn' : 'info' });
