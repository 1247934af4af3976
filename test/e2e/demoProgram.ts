/**
 * `node bin/liandong.mjs start` with the demo city 云岭市, as `npm start` runs it, for the console's browser tests.
 * The program listens only once the demo city is loaded, so healthy means the demo data is there.
 */
import { spawn } from 'node:child_process';
import { exited, freePort, sleep, stopProgram, type RunningProgram } from './harness.js';

export async function startWithDemo(dataDir: string): Promise<RunningProgram> {
  const port = freePort();
  const child = spawn(process.execPath, ['bin/liandong.mjs', 'start', '--data-dir', dataDir, '--port', String(port)], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const program = { child, base: `http://127.0.0.1:${port}`, output: () => out };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`program exited early (${child.exitCode}):\n${out.slice(-3000)}`);
    if (await fetch(`${program.base}/healthz`).then((r) => r.ok, () => false)) return program;
    await sleep(200);
  }
  await stopProgram(program, 'SIGKILL');
  throw new Error(`program not healthy within 120 s:\n${out.slice(-3000)}`);
}

/** polls until `check` holds: the console answers asynchronously after every click */
export async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

/** the demo config's token of an agency's own system (yl-market → demo-market) */
export const demoToken = (agencyId: string): string => `demo-${agencyId.replace(/^yl-/, '')}`;
