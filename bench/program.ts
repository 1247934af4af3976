/**
 * The real embedded program (`liandong start`) as a child process, as an operator runs it: its own node
 * process (so the benchmark's load generator does not share its event loop), its own data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(REPO_ROOT, 'bin', 'liandong.mjs');

export interface RunningProgram {
  readonly child: ChildProcess;
  readonly base: string;
  output(): string;
  /** resident set size now and at its peak (VmHWM), in bytes */
  memory(): { rss: number; peak: number };
  stop(): Promise<void>;
}

/** a TCP port nobody listens on right now */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM of a process (Linux /proc), in bytes */
export function processMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** every child this run started and that has not exited: an interrupted run stops them */
const running = new Set<ChildProcess>();

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child, 5000)));
}

/** Spawns a node script (a TypeScript file through tsx, or bin/liandong.mjs) in its own process group. */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output(): string } {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => out };
}

/** SIGTERM to the child's group, SIGKILL after `graceMs`; resolves once it has exited */
export async function stopChild(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

export async function waitForHttp(url: string, child: ChildProcess, output: () => string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process exited early (${child.exitCode ?? child.signalCode}):\n${output().slice(-3000)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} not answering within ${timeoutMs / 1000} s:\n${output().slice(-3000)}`);
}

export async function startProgram(options: { config: string; dataDir: string; env?: NodeJS.ProcessEnv }): Promise<RunningProgram> {
  const port = await freePort();
  const { child, output } = spawnNode([BIN, 'start', '--config', options.config, '--data-dir', options.dataDir, '--port', String(port), '--no-demo'], {
    NODE_ENV: 'production',
    ...options.env,
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/healthz`, child, output);
  } catch (e) {
    await stopChild(child, 1000);
    throw e;
  }
  return { child, base, output, memory: () => processMemory(child.pid!), stop: () => stopChild(child) };
}
