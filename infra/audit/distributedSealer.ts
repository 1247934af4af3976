/**
 * Signed checkpoints in distributed mode (operations.md: "the projector seals them on a schedule"): the
 * `liandong project` replica holding the Redis lease `audit-sealer` seals what is stored when it takes the lease,
 * then every `audit.checkpointIntervalSeconds`, and once more when it stops. One sealer at a time keeps the
 * checkpoint stream a single chain; should two overlap at a lease change, the checkpoint append's expected revision
 * refuses the second, which reloads and seals on top of the first at its next turn.
 */
import type { Clock } from '../../ports/clock.js';
import type { EventStore } from '../../ports/eventStore.js';
import type { Lease } from '../../ports/lease.js';
import { createLeasedWorker } from '../lease/leasedWorker.js';
import { createCheckpointWriter, scheduleCheckpoints, type CheckpointSchedule, type WrittenCheckpoint } from './checkpoints.js';
import type { CheckpointSigner } from './signingKey.js';

export interface DistributedSealerDeps {
  store: EventStore;
  signer: CheckpointSigner;
  lease: Lease;
  clock: Clock;
  intervalMs: number;
  log: { info(message: string): void; warn(message: string): void; error(message: string): void };
  onWritten?(checkpoint: WrittenCheckpoint): void;
}

export function createDistributedSealer(deps: DistributedSealerDeps) {
  const { log } = deps;
  let schedule: CheckpointSchedule | null = null;
  const said = (written: WrittenCheckpoint | null): void => {
    if (!written) return;
    log.info(`检查点已写入位置 ${written.position}：封存至位置 ${written.covers}，${written.streamCount} 个流（密钥 id ${written.keyId}）`);
    deps.onWritten?.(written);
  };
  const worker = createLeasedWorker({
    lease: deps.lease,
    what: '封存审计检查点',
    log,
    async start() {
      // a writer per term: it reads the checkpoint chain as the previous holder left it
      const writer = createCheckpointWriter({ store: deps.store, signer: deps.signer, clock: deps.clock });
      schedule = scheduleCheckpoints({
        writer,
        intervalMs: deps.intervalMs,
        onWritten: said,
        onError: (error) => log.error(`写检查点失败（下个周期重试）：${(error as Error).message}`),
      });
      // not awaited: sealing a long store must not hold up the lease renewals
      writer.write().then(said, (error: Error) => log.error(`写检查点失败（下个周期重试）：${error.message}`));
    },
    async stop() {
      const last = schedule;
      schedule = null;
      // a last checkpoint, so what was stored up to the stop is sealed
      said(await last?.stop().catch((error: Error) => (log.error(`停止时写检查点失败：${error.message}`), null)) ?? null);
    },
  });
  return { start: () => worker.start(), stop: () => worker.stop(), holdsLease: () => worker.holds() };
}
