import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starts the real program as a user would (`npm start -- …`) and talks to it over HTTP. */
export interface RunningProgram {
  child: ChildProcess;
  base: string;
  output(): string;
}

export const tempDir = (prefix = 'ld-e2e-'): string => mkdtempSync(join(tmpdir(), prefix));

export function writeConfig(dir: string, config: unknown): string {
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

// below Linux's ephemeral range (32768–60999): a port an outgoing connection happens to hold cannot be picked
let nextPort = 20000 + Math.floor(Math.random() * 12000);
export const freePort = (): number => (nextPort >= 32700 ? (nextPort = 20000) : nextPort++);

export async function startProgram(opts: { config: string; dataDir: string; port?: number; extraArgs?: string[]; env?: Record<string, string> }): Promise<RunningProgram> {
  const port = opts.port ?? freePort();
  const args = ['start', '--', '--config', opts.config, '--data-dir', opts.dataDir, '--port', String(port), '--no-demo', ...(opts.extraArgs ?? [])];
  const child = spawn('npm', args, { cwd: process.cwd(), env: { ...process.env, NODE_ENV: 'test', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited(child)) {
      // a port picked for the test but taken meanwhile by some other program on the machine: try the next one
      if (opts.port === undefined && out.includes(`端口 ${port} 已被占用`)) return startProgram(opts);
      throw new Error(`program exited early (${child.exitCode}):\n${out.slice(-3000)}`);
    }
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { child, base, output: () => out };
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  kill({ child }, 'SIGKILL');
  throw new Error(`program not healthy within 120 s:\n${out.slice(-3000)}`);
}

/** Signals the whole process group (npm → node), as a terminal's Ctrl+C or an orchestrator would. */
export const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

export function kill(p: { child: ChildProcess }, signal: NodeJS.Signals): void {
  const pid = p.child.pid;
  if (!pid || exited(p.child)) return; // never signal our own process group by accident
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** true while any process of the program's group (npm and the node under it) is alive */
const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Signals the program's process group and waits until every process in it is gone — npm dies of the
 * signal at once, the platform under it only after draining and closing its stores.
 */
export async function stopProgram(p: RunningProgram, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  const pid = p.child.pid;
  if (!pid) return;
  if (groupAlive(pid)) process.kill(-pid, signal);
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
  if (groupAlive(pid)) {
    process.kill(-pid, 'SIGKILL');
    while (groupAlive(pid)) await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function publish(base: string, token: string | null, body: unknown, contentType = 'application/cloudevents-batch+json') {
  const r = await fetch(`${base}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await r.json().catch(() => null)) as { results?: { id: string | null; status: string; position?: string; code?: string; message?: string }[] } | null;
  return { status: r.status, json };
}

export async function gql(base: string, token: string | null, query: string, variables: Record<string, unknown> = {}) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await r.json().catch(() => null)) as { data?: Record<string, any>; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
  return { status: r.status, json };
}

export const cloudEvent = (source: string, id: string, type: string, subject: string, time: string, data: Record<string, unknown>) => ({
  specversion: '1.0',
  id,
  source,
  type,
  subject,
  time,
  data,
});

/** the read side follows the store shortly after: ask again (every 100 ms, up to 10 s) until `ready` holds; the last answer */
export async function readUntil<T>(read: () => Promise<T>, ready: (value: T) => boolean): Promise<T> {
  let last = await read();
  for (let i = 0; i < 100 && !ready(last); i++) {
    await sleep(100);
    last = await read();
  }
  return last;
}
