/**
 * /readyz of `liandong ingest`: ready while the consumer is a member of its group and the event store
 * answers. Either one missing means no event moves from Kafka to the store, whatever liveness says.
 */
import type { EventStore } from '../../ports/eventStore.js';
import type { ConsumerState } from './ingestConsumer.js';

const NOT_RUNNING: Record<Exclude<ConsumerState, 'running'>, string> = {
  starting: '正在连接 Kafka 并加入消费组',
  restarting: 'Kafka 消费者出错，正在自动重启',
  failed: 'Kafka 消费者出错且无法自动重启',
  stopped: 'Kafka 消费者已停止',
};

export function ingestReadiness(deps: {
  /** null until the consumer exists */
  consumerState(): ConsumerState | null;
  store: Pick<EventStore, 'headPosition'>;
}): { notReadyReason(): Promise<string | null> } {
  return {
    async notReadyReason() {
      const state = deps.consumerState() ?? 'starting';
      if (state !== 'running') return NOT_RUNNING[state];
      try {
        await deps.store.headPosition();
        return null;
      } catch (e) {
        return `事件存储不可达：${(e as Error).message}`;
      }
    },
  };
}
