/**
 * The embedded platform's data directory as a process owns it (issue 13, "clean process behaviour"):
 * created private (0700, its database files and key 0600, whatever the umask), locked by one process at a
 * time, and the port checked, before any store is opened — so each of these problems is one line the
 * operator can act on instead of a parsed SQLite error or a stack trace.
 *
 * The lock is an SQLite file, `liandong.lock`, held in EXCLUSIVE locking mode for the life of the process:
 * the operating system releases it when the process ends however it ends (SIGKILL, power loss of a
 * container), so a stale lock never blocks a start, and no pid has to be guessed alive. The holder's pid
 * is written beside it, in `liandong.pid`, only to name it in the message.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A start-up problem the operator can fix; the CLI prints the message, one line, without a stack trace (exit 2). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export const LOCK_FILE = 'liandong.lock';
export const PID_FILE = 'liandong.pid';

/**
 * files of the data directory that must be private: the SQLite files (with WAL, SHM, journal), the locks (the data
 * directory's, the read models' `readmodels.db.lock`), the signing key
 */
const PRIVATE_FILE = /\.db(-wal|-shm|-journal)?$|^liandong\.(lock|lock-journal|pid)$|\.db\.lock(-journal)?$|^audit-signing-key\.pem$|^demo-load\.json$/;

/**
 * Creates the directory (and its parents) if need be and makes it 0700 and its private files 0600 —
 * also those an older version, or a copy, left readable by others. chmod, not the mode of mkdir/open,
 * so the umask cannot widen them.
 */
export function securePrivateDirectory(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if ((statSync(dataDir).mode & 0o777) !== 0o700) chmodSync(dataDir, 0o700);
    for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
      if (!entry.isFile() || !PRIVATE_FILE.test(entry.name)) continue;
      const path = join(dataDir, entry.name);
      if ((statSync(path).mode & 0o777) !== 0o600) chmodSync(path, 0o600);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EEXIST') {
      throw new StartupError(`无法使用数据目录 ${dataDir}（${code}）：请检查它是否为本用户可写的目录，或用 --data-dir 指定其他目录`);
    }
    throw error;
  }
}

export interface DataDirLock {
  release(): void;
}

/**
 * Takes the data directory for this process, or refuses with a StartupError naming the process that holds
 * it. Call it before opening any store.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  const pidPath = join(dataDir, PID_FILE);
  createPrivateFile(path);
  // timeout 0: a held lock answers SQLITE_BUSY at once instead of after a busy wait
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // the first write takes the EXCLUSIVE lock; in EXCLUSIVE locking mode it is kept until the connection closes
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL); DELETE FROM holder;');
    db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(process.pid, new Date().toISOString());
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      const pid = readPid(pidPath);
      throw new StartupError(`数据目录 ${dataDir} 已被另一个 liandong 进程使用（pid ${pid ?? '未知'}）：请先停止它，或用 --data-dir 指定其他目录`);
    }
    throw new StartupError(`无法锁定数据目录 ${dataDir}（${(error as Error).message}）：请检查目录权限，或用 --data-dir 指定其他目录`);
  }
  writePrivateFile(pidPath, `${process.pid}\n`);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      // the pid file goes first: whoever takes the lock next writes its own
      rmSync(pidPath, { force: true });
      db.close();
    },
  };
}

function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** an empty file with mode 0600 if there is none (SQLite gives its WAL and SHM files the mode of the database file) */
export function createPrivateFile(path: string): void {
  if (existsSync(path)) return;
  try {
    closeSync(openSync(path, 'a', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(path, 0o600);
}

/** writes a small file whole (temporary file, fsync, rename), mode 0600 */
export function writePrivateFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/**
 * Fails with one line when the port is taken (or not ours to take), before minutes of start-up work
 * (catching up, loading the demo) that would end in the same error. The listen at the end still handles
 * the port being taken in between.
 */
export async function checkPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => reject(portError(error, port, host)));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
  });
}

export function portError(error: NodeJS.ErrnoException, port: number, host: string): Error {
  if (error.code === 'EADDRINUSE') return new StartupError(`端口 ${port} 已被占用（${host}:${port}）：请用 --port 指定其他端口，或先停止占用它的程序`);
  if (error.code === 'EACCES') return new StartupError(`没有权限监听端口 ${port}（${host}）：请用 --port 指定 1024 以上的端口`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') return new StartupError(`无法监听地址 ${host}：本机没有这个地址，请用 --host 指定本机的地址（如 127.0.0.1）`);
  return error;
}

/**
 * The demo load's marker, `<dataDir>/demo-load.json`: written `started` before the first demo event is
 * published and `finished` after the last step, so a load that a SIGKILL, a power cut or Ctrl+C ended half
 * way is known at the next start and never taken for the whole demo. Nothing else writes to the store while
 * the demo loads (the port opens only after it), so the store and read models of an unfinished load hold
 * demo data only and can be discarded and loaded again.
 */
export const DEMO_MARKER = 'demo-load.json';

export type DemoLoadMarker =
  | { state: 'started'; startedAt: string; pid: number }
  | { state: 'finished'; startedAt: string; finishedAt: string; accepted: number; rejected: number; mutations: number };

/** null when no demo was ever loaded here (or by a version before the marker) */
export function readDemoMarker(dataDir: string): DemoLoadMarker | null {
  const path = join(dataDir, DEMO_MARKER);
  if (!existsSync(path)) return null;
  try {
    const marker = JSON.parse(readFileSync(path, 'utf8')) as DemoLoadMarker;
    if (marker.state === 'started' || marker.state === 'finished') return marker;
  } catch {
    /* unreadable: taken as unfinished below */
  }
  return { state: 'started', startedAt: '', pid: 0 };
}

export function markDemoStarted(dataDir: string, now: Date): DemoLoadMarker & { state: 'started' } {
  const marker = { state: 'started' as const, startedAt: now.toISOString(), pid: process.pid };
  writePrivateFile(join(dataDir, DEMO_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  return marker;
}

export function markDemoFinished(dataDir: string, started: { startedAt: string }, now: Date, result: { accepted: number; rejected: number; mutations: number }): void {
  const { accepted, rejected, mutations } = result;
  const marker: DemoLoadMarker = { state: 'finished', startedAt: started.startedAt, finishedAt: now.toISOString(), accepted, rejected, mutations };
  writePrivateFile(join(dataDir, DEMO_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}

/** the files an unfinished demo load wrote: the event store (with the rejections), the read models and the search index, with their WAL and SHM */
export function discardInterruptedDemo(dataDir: string): string[] {
  const removed: string[] = [];
  for (const base of ['liandong.db', 'readmodels.db', 'search.db']) {
    for (const suffix of ['', '-wal', '-shm', '-journal']) {
      const path = join(dataDir, base + suffix);
      if (!existsSync(path)) continue;
      rmSync(path, { force: true });
      removed.push(base + suffix);
    }
  }
  rmSync(join(dataDir, DEMO_MARKER), { force: true });
  return removed;
}
