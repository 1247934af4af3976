#!/usr/bin/env node
// `npm run build`: the one build of the program, used by the Dockerfile and checked by CI (scripts/image-check.sh).
//  1. TypeScript → dist/ (tsconfig.build.json: domain, ports, application, projections, infra, gateway);
//  2. the files those folders need at run time beside the compiled code (schema.graphql, the demo config, the
//     GraphiQL page) copied into dist/ at the same paths;
//  3. the web console → web/dist (web/build.mjs).
// Run from a clean checkout after `npm ci`; needs the dev dependencies (typescript, vite).
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['domain', 'ports', 'application', 'projections', 'infra', 'gateway'];
/** source files tsc compiles (or that only tsx can run): never copied */
const COMPILED = /\.(ts|mts|cts)$|Worker\.mjs$/;

const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`构建失败：${command} ${args.join(' ')}（退出码 ${result.status ?? result.signal}）`);
    process.exit(1);
  }
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);

let copied = 0;
const copyAssets = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (!COMPILED.test(entry.name)) {
      cpSync(path, join(root, 'dist', relative(root, path)));
      copied++;
    }
  }
};
for (const source of SOURCES) copyAssets(join(root, source));
console.log(`dist/：已编译 TypeScript，并复制 ${copied} 个运行所需的文件`);

run(process.execPath, [join(root, 'web', 'build.mjs')]);
