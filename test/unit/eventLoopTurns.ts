/**
 * Watches the event loop while some work runs: how many times it turned (setImmediate callbacks) and the longest
 * stretch between two turns, in this process's CPU time (user + system) — a stretch the work ran without yielding.
 * CPU time rather than wall time, because on a loaded machine (CI, other jobs) the operating system may suspend the
 * process in the middle of a short slice, and that is not the work's doing.
 */
export function eventLoopTurns(): { count(): number; worstGapMs(): number; stop(): void } {
  let turns = 0;
  let worst = 0;
  let last = process.cpuUsage();
  let handle = setImmediate(function tick() {
    turns += 1;
    const spent = process.cpuUsage(last);
    worst = Math.max(worst, (spent.user + spent.system) / 1000);
    last = process.cpuUsage();
    handle = setImmediate(tick);
  });
  return { count: () => turns, worstGapMs: () => worst, stop: () => clearImmediate(handle) };
}
