/**
 * Readiness of a process that runs the projections itself (embedded mode, `liandong project`): not ready while a
 * projection has stopped, or while one retries after a store error (a full disk, a lost connection), or while
 * the read models trail the event store by more than `readyLag` events. The reasons are for the operator, in
 * Chinese.
 */
import type { ProjectionRunner, ProjectionStatus } from '../../projections/runner.js';
import type { HealthProbe } from './app.js';
import type { Metrics } from './metrics.js';

/** why the projections keep this process from being ready, or null */
export function projectionNotReadyReason(statuses: readonly ProjectionStatus[]): string | null {
  const failed = statuses.find((p) => p.failure);
  if (failed) return `投影 ${failed.name} 在位置 ${failed.failure!.position} 出错：${failed.failure!.message}`;
  const retrying = statuses.find((p) => p.retrying);
  if (retrying) {
    const { operation, attempt, message } = retrying.retrying!;
    return `投影 ${retrying.name} ${operation === 'write' ? '写入' : '读取'}失败，正在重试（第 ${attempt} 次）：${message}`;
  }
  return null;
}

/** /readyz of embedded mode: the runner's projections, and the lag (also set on the lag gauge) */
export function projectionHealthProbe(deps: { runner: ProjectionRunner; metrics: Metrics; readyLag: bigint }): HealthProbe {
  const { runner, metrics, readyLag } = deps;
  return {
    async notReadyReason() {
      const lag = await runner.lag();
      metrics.projectionLag.set(Number(lag));
      const trouble = projectionNotReadyReason(runner.status());
      if (trouble !== null) return trouble;
      return lag > readyLag ? `读模型落后事件库 ${lag} 个事件` : null;
    },
  };
}
