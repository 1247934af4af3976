/**
 * Work that one replica of a deployment does at a time (the notifier of `liandong project`): started when this
 * replica takes the lease, stopped when it cannot renew it or stops. The lease is looked at every third of its TTL,
 * so a replica that dies is replaced within about one TTL and a live one never lets its grant run out.
 */
import type { Lease, LeaseGrant } from '../../ports/lease.js';

export interface LeasedWorkerDeps {
  lease: Lease;
  /** starts the work; it keeps running until stop() */
  start(): Promise<void>;
  stop(): Promise<void>;
  log: { info(message: string): void; warn(message: string): void };
  /** what the work is, for the log lines */
  what: string;
}

export function createLeasedWorker(deps: LeasedWorkerDeps) {
  const { lease, log } = deps;
  let grant: LeaseGrant | null = null;
  let timer: NodeJS.Timeout | undefined;
  let tick: Promise<void> = Promise.resolve();
  let stopped = false;

  const step = async (): Promise<void> => {
    if (stopped) return;
    try {
      if (grant === null) {
        grant = await lease.acquire();
        if (grant !== null) {
          log.info(`取得租约 ${lease.name}（令牌 ${grant.token}）：本副本负责${deps.what}`);
          await deps.start();
        }
        return;
      }
      const renewed = await lease.renew(grant);
      if (renewed !== null) {
        grant = renewed;
        return;
      }
      grant = null;
      log.warn(`租约 ${lease.name} 已不在本副本：停止${deps.what}，由持有租约的副本接手`);
      await deps.stop();
    } catch (error) {
      // Redis unreachable: keep going while the grant may still be ours; past its validity, stop the work
      log.warn(`租约 ${lease.name} 续约失败：${(error as Error).message}`);
      if (grant !== null && Date.now() > grant.validUntil) {
        grant = null;
        await deps.stop();
      }
    }
  };

  return {
    /** tries to take the lease at once, then keeps looking */
    async start(): Promise<void> {
      tick = step();
      await tick;
      timer = setInterval(() => {
        tick = tick.then(step);
      }, Math.max(100, Math.floor(lease.ttlMs / 3)));
      timer.unref();
    },
    /** stops the work and gives the lease up, so another replica takes it at once */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await tick;
      if (grant !== null) {
        await deps.stop();
        await lease.release(grant).catch(() => undefined);
        grant = null;
      }
    },
    holds: (): boolean => grant !== null,
  };
}
