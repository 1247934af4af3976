/**
 * A background thread gives the CPU to the event loop first.
 *
 * On two cores the event loop that answers `/healthz`, GraphQL and ingest shares the CPU with the writer threads (the
 * event store's, the read models', the access log's) and the audit verifier. Sampling the loop's thread during a
 * 1,000,000-event HTTP ingest found it ready but not running for most of its long waits (stop 29): not a lock, not the disk, but
 * its turn on a core (docs/decisions.md "The background threads run at a lower priority"). Linux schedules threads, not
 * processes, and lets an unprivileged thread raise its own nice value; a thread at nice 10 gets about a tenth of the
 * CPU share of one at 0 while both want to run, and all of it while the loop is idle. So the loop is served first and
 * the writers still use every cycle it leaves.
 *
 * Elsewhere than Linux, or where /proc is not mounted, the thread keeps its priority: the program works the same, only
 * without the preference.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** how many steps below the event loop a background thread runs (nice 0 → 10) */
export const BACKGROUND_NICE = 10;

/** the kernel's id of the calling thread: /proc/thread-self links to /proc/<pid>/task/<tid> */
function threadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/**
 * Lowers the calling thread's priority by `steps` (never above nice 19). Call it from a worker thread once its module
 * has loaded: threads it starts afterwards would inherit the lower priority. Returns the nice value it set, or null
 * where the platform gives no thread id.
 */
export function runBehindEventLoop(steps: number = BACKGROUND_NICE): number | null {
  if (process.platform !== 'linux') return null;
  const tid = threadId();
  if (tid === null || tid === process.pid) return null; // the main thread is the event loop itself
  try {
    const nice = Math.min(19, getPriority(tid) + steps);
    setPriority(tid, nice);
    return nice;
  } catch {
    return null;
  }
}
