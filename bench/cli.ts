/**
 * `npm run bench [-- --quick] [-- --out FILE]`: the benchmark's own entry (bin/liandong-bench.mjs). Kept out of the
 * production CLI (infra/cli/main.ts): the benchmark needs the development dependencies (autocannon, Emmett), which
 * the production image does not install.
 */
import { parseArgs } from 'node:util';
import { runBench } from './main.js';

const USAGE = `用法 (usage): npm run bench -- [--quick] [--out FILE]

  基准测试：打印结果表并写入 bench/results.json（--quick 两分钟内完成）；需在开发检出目录中运行（依赖开发依赖）`;

export async function benchMain(argv: string[]): Promise<number> {
  let values: { quick: boolean; out?: string | undefined; help: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { quick: { type: 'boolean', default: false }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }, strict: true }));
  } catch (e) {
    if (!(e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw e;
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  return await runBench({ quick: values.quick, ...(values.out ? { out: values.out } : {}) });
}
