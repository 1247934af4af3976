/**
 * Clean process behaviour (operations.md "CLI"), with the program started as a user would:
 * - `liandong replay` stops on SIGINT / SIGTERM between slices, says so in one line and exits 130 / 143;
 * - a second `liandong start` on the same data directory, or a start on a busy port, is one Chinese line on
 *   stderr with what to do, exit 2, no stack trace; a SIGKILLed platform leaves no lock behind;
 * - a demo load killed half-way is finished at the next start (the same events as an uninterrupted one);
 * - the data directory is 0700 and its database files and signing key 0600, whatever the umask, and
 *   files of an older, laxer start are tightened.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { TEST_CITY } from './fixtures.js';
import { freePort, sleep, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';
import { buildLargeDataDir } from './process.fixtures.js';

interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node bin/liandong.mjs …` in its own process group (as a terminal runs it), optionally under a umask */
function cli(args: string[], options: { umask?: string } = {}): Cli {
  const child = spawn('sh', ['-c', `umask ${options.umask ?? '022'}; exec node bin/liandong.mjs "$@"`, 'sh', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exit };
}

const signalGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* gone */
  }
};

async function until(what: string, condition: () => boolean, timeoutMs: number, every = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

async function stopCli(p: Cli, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  signalGroup(p.child, signal);
  const timer = setTimeout(() => signalGroup(p.child, 'SIGKILL'), 20_000);
  await p.exit;
  clearTimeout(timer);
}

/** the stored events of a data directory, checkpoints aside (null while the store or its table is not there) */
function eventCount(dataDir: string): number | null {
  const path = join(dataDir, 'liandong.db');
  if (!existsSync(path)) return null;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT count(*) FROM events WHERE stream_id <> 'audit-checkpoints'").pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

/** stderr as a person reads it: its non-empty lines */
const lines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');
const STACK_LINE = /^\s+at /m;
const READY = '按 Ctrl+C 停止';

describe('clean process behaviour (e2e)', function () {
  this.timeout(300_000);
  const dir = tempDir('ld-process-e2e-');
  const config = writeConfig(dir, TEST_CITY);
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('liandong replay is interrupted between slices', () => {
    const big = join(dir, 'big');
    before(async function () {
      this.timeout(120_000);
      await buildLargeDataDir(big, 30_000); // 150,000 events: an uninterrupted replay takes well over 10 s here
    });

    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      it(`${signal}: stops within seconds, says it was interrupted, exits ${code}`, async () => {
        const replay = cli(['replay', '--config', config, '--data-dir', big]);
        try {
          await until('replay to start rebuilding', () => replay.stdout().includes('重放：'), 60_000);
          await sleep(1000);
          const sent = Date.now();
          signalGroup(replay.child, signal);
          const exit = await Promise.race([replay.exit, sleep(8000).then(() => null)]);
          const took = Date.now() - sent;
          expect(exit, `replay still running 8 s after ${signal}:\n${replay.stdout()}${replay.stderr()}`).to.not.equal(null);
          expect(took, 'time from the signal to the exit').to.be.below(5000);
          expect(exit!.code, replay.stdout() + replay.stderr()).to.equal(code);
          expect(replay.stderr()).to.contain(`重放已中断（${signal}）`);
          expect(replay.stderr()).to.not.match(STACK_LINE);
          expect(replay.stdout()).to.not.contain('✔ 一致');
        } finally {
          await stopCli(replay, 'SIGKILL');
        }
      });
    }
  });

  describe('a locked data directory or a busy port', () => {
    let first: RunningProgram | undefined;
    afterEach(async () => {
      if (first) await stopProgram(first);
      first = undefined;
    });

    it('a second start on the same data directory: one Chinese line naming the running process, exit 2, no stack', async () => {
      const dataDir = join(dir, 'locked');
      first = await startProgram({ config, dataDir });
      // how long the program takes to load and refuse something at once (a missing config file), on this machine now:
      // a loaded machine (CI running jobs side by side) takes seconds just to load it, so "at once" is measured from there
      const loadStarted = Date.now();
      const missing = spawnSync('node', ['bin/liandong.mjs', 'start', '--config', join(dir, 'no-such-config.json'), '--data-dir', join(dir, 'unused'), '--no-demo'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      const loadMs = Date.now() - loadStarted;
      expect(missing.status, missing.stderr).to.not.equal(0);
      const started = Date.now();
      const second = spawnSync('node', ['bin/liandong.mjs', 'start', '--config', config, '--data-dir', dataDir, '--port', String(freePort()), '--no-demo'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(second.status, second.stdout + second.stderr).to.equal(2);
      expect(lines(second.stderr), second.stderr).to.have.length(1);
      expect(second.stderr).to.not.match(STACK_LINE);
      const match = /数据目录 (.+) 已被另一个 liandong 进程使用（pid (\d+)）：请先停止它，或用 --data-dir 指定其他目录/.exec(second.stderr);
      expect(match, second.stderr).to.not.equal(null);
      expect(() => process.kill(Number(match![2]), 0), 'the pid named is alive').to.not.throw();
      // SQLite's busy timeout is 5 s: waiting for it would take at least that beyond loading
      expect(Date.now() - started, `refused at once, not after a lock timeout (loading and refusing took ${loadMs} ms)`).to.be.below(loadMs + 2500);
      // the first one goes on serving
      expect((await fetch(`${first.base}/healthz`)).ok).to.equal(true);
    });

    it('a platform killed with SIGKILL leaves no lock behind: the next start takes the directory over', async () => {
      const dataDir = join(dir, 'killed');
      first = await startProgram({ config, dataDir });
      await stopProgram(first, 'SIGKILL');
      first = await startProgram({ config, dataDir });
      expect((await fetch(`${first.base}/healthz`)).ok).to.equal(true);
    });

    it('a busy port: one Chinese line saying so and what to do, exit 2, no stack', async () => {
      const port = freePort();
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
      try {
        const r = spawnSync('node', ['bin/liandong.mjs', 'start', '--config', config, '--data-dir', join(dir, 'busy'), '--port', String(port), '--no-demo'], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(r.status, r.stdout + r.stderr).to.equal(2);
        expect(lines(r.stderr), r.stderr).to.have.length(1);
        expect(r.stderr).to.not.match(STACK_LINE);
        expect(r.stderr).to.match(new RegExp(`端口 ${port} 已被占用.*：请用 --port 指定其他端口`));
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });
  });

  describe('the demo load', () => {
    let expected: number;
    before(async function () {
      this.timeout(180_000);
      // an uninterrupted demo load, for reference
      const reference = join(dir, 'demo-reference');
      const whole = cli(['start', '--data-dir', reference, '--port', String(freePort())]);
      try {
        await until('the demo platform to be ready', () => whole.stdout().includes(READY), 120_000, 100);
      } finally {
        await stopCli(whole);
      }
      expected = eventCount(reference)!;
      expect(expected, 'events of the whole demo').to.be.above(500);
    });

    /** starts the demo platform on `dataDir` and stops it with `signal` once the load is under way */
    async function interruptedLoad(dataDir: string, signal: NodeJS.Signals): Promise<{ partial: number; run: Cli; exit: { code: number | null; signal: NodeJS.Signals | null } }> {
      const run = cli(['start', '--data-dir', dataDir, '--port', String(freePort())]);
      try {
        await until('the demo load to be under way', () => (eventCount(dataDir) ?? 0) > 100, 120_000, 20).catch((error: Error) => {
          // what the program said is what tells a hang from a failed start
          throw new Error(`${error.message} (${eventCount(dataDir) ?? 0} events, exit ${run.child.exitCode ?? run.child.signalCode ?? 'none'}):\n${(run.stdout() + run.stderr()).slice(-3000)}`);
        });
      } finally {
        await stopCli(run, signal);
      }
      const exit = await run.exit;
      const partial = eventCount(dataDir)!;
      expect(partial, 'the signal landed during the load').to.be.below(expected);
      return { partial, run, exit };
    }

    async function nextStartCompletes(dataDir: string): Promise<void> {
      const next = cli(['start', '--data-dir', dataDir, '--port', String(freePort())]);
      try {
        await until('the restarted platform to be ready', () => next.stdout().includes(READY) || next.child.exitCode !== null, 120_000, 100);
        expect(next.stdout() + next.stderr()).to.match(/演示数据上次载入时被中断/);
        expect(next.stdout()).to.contain(READY);
        expect(eventCount(dataDir)).to.equal(expected);
      } finally {
        await stopCli(next);
      }
    }

    it('killed half-way (SIGKILL) is finished at the next start: the same events as an uninterrupted load, and it says so', async () => {
      const dataDir = join(dir, 'demo-killed');
      await interruptedLoad(dataDir, 'SIGKILL');
      await nextStartCompletes(dataDir);
    });

    it('Ctrl+C during the load: one line, exit 130; the next start loads the whole demo', async () => {
      const dataDir = join(dir, 'demo-interrupted');
      const { run, exit } = await interruptedLoad(dataDir, 'SIGINT');
      expect(exit.code, run.stdout() + run.stderr()).to.equal(130);
      expect(run.stderr()).to.contain('演示数据载入已中断（SIGINT）');
      expect(run.stderr()).to.not.match(STACK_LINE);
      await nextStartCompletes(dataDir);
    });

    it('a partial demo is reported, not served, when started with --no-demo', async () => {
      const dataDir = join(dir, 'demo-partial-no-demo');
      await interruptedLoad(dataDir, 'SIGKILL');
      const r = spawnSync('node', ['bin/liandong.mjs', 'start', '--data-dir', dataDir, '--port', String(freePort()), '--no-demo'], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stdout + r.stderr).to.equal(2);
      expect(lines(r.stderr), r.stderr).to.have.length(1);
      expect(r.stderr).to.match(/演示数据上次载入时被中断，内容不完整/);
    });
  });

  describe('file modes', () => {
    const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
    const expectPrivate = (dataDir: string): void => {
      expect(mode(dataDir), 'data directory').to.equal('0700');
      const files = readdirSync(dataDir);
      for (const required of ['liandong.db', 'liandong.db-wal', 'readmodels.db', 'access-log.db', 'audit-signing-key.pem']) expect(files).to.include(required);
      for (const file of files.filter((f) => /\.db(-wal|-shm|-journal)?$|\.lock$|^audit-signing-key\.pem$/.test(f))) {
        expect(mode(join(dataDir, file)), file).to.equal('0600');
      }
    };

    it('data directory 0700, database files and signing key 0600 under umask 000, and tightened at the next start', async () => {
      const dataDir = join(dir, 'modes', 'data');
      const start = () => cli(['start', '--config', config, '--data-dir', dataDir, '--port', String(freePort()), '--no-demo'], { umask: '000' });
      let p = start();
      try {
        await until('the platform to be ready', () => p.stdout().includes(READY) || p.child.exitCode !== null, 120_000, 100);
        expectPrivate(dataDir);
      } finally {
        await stopCli(p);
      }
      // as an older version (or a careless copy) left them
      chmodSync(dataDir, 0o755);
      for (const file of readdirSync(dataDir)) chmodSync(join(dataDir, file), 0o644);
      p = start();
      try {
        await until('the platform to be ready again', () => p.stdout().includes(READY) || p.child.exitCode !== null, 120_000, 100);
        expectPrivate(dataDir);
      } finally {
        await stopCli(p);
      }
    });
  });
});

