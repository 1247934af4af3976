/**
 * /readyz of `liandong ingest` without a broker: a consumer state and a store that answers or throws.
 */
import { expect } from 'chai';
import type { ConsumerState } from '../../../infra/kafka/ingestConsumer.js';
import { ingestReadiness } from '../../../infra/kafka/ingestReadiness.js';

const answering = { headPosition: async () => 41n };
const unreachable = {
  headPosition: async (): Promise<bigint | null> => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  },
};

describe('ingest readiness', () => {
  it('is ready while the consumer runs and the event store answers', async () => {
    expect(await ingestReadiness({ consumerState: () => 'running', store: answering }).notReadyReason()).to.equal(null);
  });

  it('is not ready before the consumer exists, nor while it joins, restarts, has failed or stopped', async () => {
    const reasons = await Promise.all(
      ([null, 'starting', 'restarting', 'failed', 'stopped'] as (ConsumerState | null)[]).map((state) =>
        ingestReadiness({ consumerState: () => state, store: answering }).notReadyReason(),
      ),
    );
    expect(reasons).to.deep.equal([
      '正在连接 Kafka 并加入消费组',
      '正在连接 Kafka 并加入消费组',
      'Kafka 消费者出错，正在自动重启',
      'Kafka 消费者出错且无法自动重启',
      'Kafka 消费者已停止',
    ]);
  });

  it('is not ready when the event store does not answer, and says why', async () => {
    expect(await ingestReadiness({ consumerState: () => 'running', store: unreachable }).notReadyReason()).to.equal(
      '事件存储不可达：connect ECONNREFUSED 127.0.0.1:5432',
    );
  });
});
