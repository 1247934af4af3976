#!/usr/bin/env node
// `npm run bench`: the benchmark suite (bench/cli.ts), for a development checkout. Not part of the production
// `liandong` executable: it needs the development dependencies.
import { register } from 'tsx/esm/api';

register();
const { benchMain } = await import('../bench/cli.ts');
process.exitCode = await benchMain(process.argv.slice(2));
