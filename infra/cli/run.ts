// The process entry of the compiled program (`npm run build` → dist/infra/cli/run.js), what the Docker image runs:
// plain JavaScript, no TypeScript loader. A development checkout runs the same CLI through bin/liandong.mjs (tsx).
import { runAsProcess } from './main.js';

process.exitCode = await runAsProcess(process.argv.slice(2));
