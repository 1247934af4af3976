/**
 * Projection work with a single owner at a time (distributed mode, `liandong project` replicas).
 *
 * A replica is a standby until it takes the lease; then it owns a *term* (one fencing token): it opens a fresh
 * read model store (so the store's checkpoint fencing starts from what this term commits), runs the projection
 * runner through a fenced view of it, and renews the lease every third of the TTL. The term ends when
 *   - the lease is lost: a renewal finds another holder, or no renewal succeeded before `validUntil` — the
 *     runner is stopped (its in-flight commit is refused by the fence) and the replica goes back to waiting;
 *   - the store refuses a commit with CheckpointConflictError: someone else wrote the checkpoints, so this
 *     replica gives the lease up and competes for it again rather than guess who is right;
 *   - stop() is called (SIGTERM): the runner finishes what was delivered, the lease is released at once, so a
 *     standby takes over within its acquire interval instead of the TTL.
 * A projection that stops on its own (a poison event, a permanent store error) is retried within the term with a
 * growing pause (1 s … 60 s), as a restart of the process would. Transient store errors (an unreachable store, a
 * full disk) never get this far: the runner retries those itself (projections/runner.ts).
 *
 * A standby that finds the lease free takes it; after the owner died without releasing it, that is within the
 * TTL plus one acquire interval.
 *
 * `liandong project` runs one of these per projection, each over its own lease (sharedProjections.ts); `share`
 * then says when to leave a free lease to another replica and when to hand a held one over (a term that ends
 * with 'handover' releases its lease like a stop, and the replica goes back to waiting).
 */
import type { ProjectionRunner } from '../../projections/runner.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import { fencedReadModelStore } from './fencedReadModels.js';
import { LeaseLostError, type Lease, type LeaseGrant, type LeaseHolder } from '../../ports/lease.js';

export type OwnershipState =
  | { role: 'standby'; holder: LeaseHolder | null }
  | { role: 'owner'; token: bigint; since: number; caughtUp: boolean }
  | { role: 'stopped' };

export interface OwnershipLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectionOwnershipDeps {
  lease: Lease;
  /** a fresh read model store for each term and each restart of the runner; the term closes it */
  openReadModels(): Promise<ReadModelStore>;
  /** the runner of one term, writing through `readModels` (already fenced) */
  createRunner(readModels: ReadModelStore): ProjectionRunner;
  log: OwnershipLog;
  /** how often a standby tries to take the lease (default: a third of the TTL, at most 1000 ms) */
  acquireIntervalMs?: number;
  /** how often the owner renews (default: a third of the TTL) */
  renewIntervalMs?: number;
  onChange?(state: OwnershipState): void;
  /**
   * When several leases share the replicas (one per projection, infra/lease/sharedProjections.ts): whether to
   * try for the lease now, and whether to hand a held one over to a replica with fewer. Unset: always try, never
   * hand over (one lease for all the work).
   */
  share?: OwnershipShare;
}

export interface OwnershipShare {
  /** asked right before each attempt to take the lease; true reserves the attempt until afterAcquire */
  beforeAcquire(): boolean;
  afterAcquire(): void;
  /** asked while owning: true ends the term and releases the lease for another replica */
  shouldHandOver(): boolean;
}

export interface ProjectionOwnership {
  /** starts competing for the lease; the work runs in the background until stop() */
  start(): void;
  state(): OwnershipState;
  /** the current term's runner (for readiness and lag), null while standby */
  runner(): ProjectionRunner | null;
  /** ends the term (finishing in-flight work, releasing the lease) and stops competing */
  stop(): Promise<void>;
}

type TermEnd = 'lost' | 'conflict' | 'stopping' | 'handover';

const WATCH_INTERVAL_MS = 200;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 60_000;
/** a runner healthy this long resets the retry pause */
const HEALTHY_RESET_MS = 60_000;

export function createProjectionOwnership(deps: ProjectionOwnershipDeps): ProjectionOwnership {
  const { lease, log } = deps;
  const renewIntervalMs = deps.renewIntervalMs ?? Math.floor(lease.ttlMs / 3);
  const acquireIntervalMs = deps.acquireIntervalMs ?? Math.min(1000, Math.floor(lease.ttlMs / 3));
  let state: OwnershipState = { role: 'standby', holder: null };
  let currentRunner: ProjectionRunner | null = null;
  let stopping = false;
  let running: Promise<void> | null = null;
  const pause = interruptibleSleep();

  const setState = (next: OwnershipState): void => {
    state = next;
    deps.onChange?.(next);
  };

  /** one term of ownership, from the grant until it is lost, refused or stopped */
  async function ownTerm(granted: LeaseGrant): Promise<TermEnd> {
    let grant = granted;
    let lost: string | null = null;
    let expiry: NodeJS.Timeout | undefined;
    const lose = (reason: string): void => {
      if (lost !== null) return;
      lost = reason;
      clearTimeout(expiry);
      // from here on the fence refuses every commit: this replica no longer owns, whatever is still stopping
      setState({ role: 'standby', holder: null });
      pause.wake();
    };
    // the term ends the moment its validity runs out without a renewal, not at the next renewal attempt
    const armExpiry = (): void => {
      clearTimeout(expiry);
      expiry = setTimeout(() => lose('未能在租约有效期内续约'), Math.max(0, grant.validUntil - Date.now()));
    };
    armExpiry();
    let renewing = false;
    const renewTimer = setInterval(() => {
      if (renewing || lost !== null) return;
      renewing = true;
      void lease
        .renew(grant)
        .then(
          (renewed) => {
            if (lost !== null) return;
            if (renewed) {
              grant = renewed;
              armExpiry();
            } else lose('续约时发现租约已不属于本进程（已过期并可能被其他进程取得）');
          },
          (error: unknown) => {
            if (Date.now() >= grant.validUntil) lose(`无法续约（${describe(error)}），租约有效期已过`);
            else log.warn(`续约失败，稍后重试：${describe(error)}`);
          },
        )
        .finally(() => (renewing = false));
    }, renewIntervalMs);

    const fence = async (): Promise<void> => {
      if (lost !== null) throw new LeaseLostError(lease.name, grant.token, lost);
      if (Date.now() >= grant.validUntil) throw new LeaseLostError(lease.name, grant.token, 'no renewal succeeded within the TTL');
      let holds: boolean;
      try {
        holds = await lease.holds(grant);
      } catch (error) {
        throw new LeaseLostError(lease.name, grant.token, `cannot confirm the lease: ${describe(error)}`);
      }
      if (!holds) {
        lose('租约已由其他进程持有');
        throw new LeaseLostError(lease.name, grant.token, 'another process holds the lease');
      }
    };

    const since = Date.now();
    log.info(`已取得投影租约（令牌 ${grant.token}），从检查点追赶事件…`);
    let retryMs = RETRY_MIN_MS;
    try {
      for (;;) {
        const outcome = await runOnce(fence, () => lost, since, grant.token);
        if (outcome.end !== 'failed') return outcome.end;
        if (outcome.healthyFor >= HEALTHY_RESET_MS) retryMs = RETRY_MIN_MS;
        log.warn(`${outcome.reason}；${Math.round(retryMs / 1000)} 秒后重启投影（租约仍由本进程持有）`);
        await pause.sleep(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        if (lost !== null) return 'lost';
        if (stopping) return 'stopping';
        if (deps.share?.shouldHandOver()) return 'handover';
      }
    } finally {
      clearInterval(renewTimer);
      clearTimeout(expiry);
      if (lost !== null) log.warn(`投影租约已失去（${lost}）：投影已停止，回到待命`);
    }
  }

  /** one runner over one store instance, until the term ends or the runner fails */
  async function runOnce(
    fence: () => Promise<void>,
    lostReason: () => string | null,
    since: number,
    token: bigint,
  ): Promise<{ end: TermEnd } | { end: 'failed'; reason: string; healthyFor: number }> {
    if (lostReason() === null && !stopping) setState({ role: 'owner', token, since, caughtUp: false });
    let readModels: ReadModelStore;
    try {
      readModels = await deps.openReadModels();
    } catch (error) {
      return { end: 'failed', reason: `无法打开读模型存储：${describe(error)}`, healthyFor: 0 };
    }
    const runner = deps.createRunner(fencedReadModelStore(readModels, fence));
    currentRunner = runner;
    let startError: unknown = null;
    let caughtUpAt: number | null = null;
    const started = runner.start().then(
      () => {
        caughtUpAt = Date.now();
        if (lostReason() !== null || stopping) return;
        setState({ role: 'owner', token, since, caughtUp: true });
        const at = runner.status().map((p) => `${p.name} 位于 ${p.checkpoint ?? '起点'}`);
        log.info(`追赶完成，实时跟随中：${at.join('，')}`);
      },
      (error: unknown) => {
        startError = error ?? new Error('start failed');
      },
    );

    let end: { end: TermEnd } | { end: 'failed'; reason: string; healthyFor: number };
    for (;;) {
      if (stopping) {
        end = { end: 'stopping' };
        break;
      }
      if (lostReason() !== null) {
        end = { end: 'lost' };
        break;
      }
      if (deps.share?.shouldHandOver()) {
        log.info(`让出投影租约（令牌 ${token}），由负担较轻的副本接手`);
        end = { end: 'handover' };
        break;
      }
      const failed = runner.status().find((p) => p.failure !== null);
      if (failed && isCheckpointConflict(failed.failure!.error)) {
        log.warn(`读模型检查点被其他进程改动（${failed.failure!.message}）：让出投影租约，重新竞争`);
        end = { end: 'conflict' };
        break;
      }
      if (failed || startError !== null) {
        const reason = failed
          ? `投影 ${failed.name} 在位置 ${failed.failure!.position} 出错：${failed.failure!.message}`
          : `追赶失败：${describe(startError)}`;
        end = { end: 'failed', reason, healthyFor: caughtUpAt === null ? 0 : Date.now() - caughtUpAt };
        break;
      }
      await pause.sleep(WATCH_INTERVAL_MS);
    }
    await runner.stop().catch((error: unknown) => log.error(`停止投影时出错：${describe(error)}`));
    await started;
    currentRunner = null;
    await readModels.close().catch((error: unknown) => log.error(`关闭读模型存储时出错：${describe(error)}`));
    return end;
  }

  async function compete(): Promise<void> {
    let reported = '';
    while (!stopping) {
      let grant: LeaseGrant | null = null;
      // over this replica's share: leave the free lease to a replica with fewer
      const trying = deps.share?.beforeAcquire() ?? true;
      try {
        if (trying) grant = await lease.acquire();
      } catch (error) {
        const line = `无法访问租约（${describe(error)}），稍后重试`;
        if (line !== reported) log.warn(line);
        reported = line;
      } finally {
        if (trying) deps.share?.afterAcquire();
      }
      if (grant === null) {
        const holder = await lease.current().catch(() => null);
        if (state.role !== 'standby' || state.holder?.token !== holder?.token) setState({ role: 'standby', holder });
        const line = holder ? `待命：投影租约由 ${holder.holder} 持有（令牌 ${holder.token}）；每 ${acquireIntervalMs} ms 检查一次，持有者停止续约后接管` : '';
        if (line && line !== reported) log.info(line);
        if (line) reported = line;
        await pause.sleep(acquireIntervalMs);
        continue;
      }
      reported = '';
      const end = await ownTerm(grant);
      if (end !== 'lost') await lease.release(grant).catch((error: unknown) => log.warn(`释放租约失败（将在 TTL 后自然过期）：${describe(error)}`));
      if (end === 'stopping') break;
      setState({ role: 'standby', holder: null });
    }
  }

  return {
    start() {
      if (running !== null) throw new Error('projection ownership already started');
      running = compete().catch((error: unknown) => log.error(`投影租约循环意外终止：${describe(error)}`));
    },
    state: () => state,
    runner: () => currentRunner,
    async stop() {
      stopping = true;
      pause.wake();
      await running;
      setState({ role: 'stopped' });
    },
  };
}

/**
 * the store refused a commit because another process wrote the projection's checkpoint (by name: the port
 * does not name the Redis adapter's error, and the embedded store never throws it)
 */
function isCheckpointConflict(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'CheckpointConflictError';
}

/** sleeps that stop() or a lost lease can cut short */
function interruptibleSleep(): { sleep(ms: number): Promise<void>; wake(): void } {
  const sleepers = new Set<() => void>();
  return {
    sleep(ms) {
      return new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          sleepers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        sleepers.add(done);
      });
    },
    wake() {
      for (const done of [...sleepers]) done();
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
