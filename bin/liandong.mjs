#!/usr/bin/env node
// The `liandong` executable. TypeScript sources run through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { runAsProcess } = await import('../infra/cli/main.ts');
process.exitCode = await runAsProcess(process.argv.slice(2));
