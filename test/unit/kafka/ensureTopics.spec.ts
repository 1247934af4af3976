/**
 * Topic creation on a KRaft broker (infra/kafka/ensureTopics.ts): the broker's answers right after
 * CreateTopics are replayed here as a scripted admin client, in the order a real broker gave them when the
 * Kafka tests failed ("This server does not host this topic-partition" after `waitForLeaders`). The real
 * broker path runs in the Kafka integration tests.
 */
import { expect } from 'chai';
import type { Admin } from 'kafkajs';
import { ensureTopics } from '../../../infra/kafka/ensureTopics.js';

const unknownPartition = () => Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });

/** a broker that has just created the topics: metadata and logs become available `lagCalls` calls later */
function freshBroker(options: { metadataLag: number; logLag: number; partitions?: number; denied?: boolean; createFailures?: Error[]; createdByOther?: boolean }) {
  const topics = new Set<string>();
  const calls = { metadata: 0, offsets: 0, created: [] as string[], createAttempts: 0 };
  const createFailures = [...(options.createFailures ?? [])];
  const partitions = options.partitions ?? 4;
  const admin = {
    listTopics: async () => [...topics],
    createTopics: async ({ topics: wanted }: { topics: { topic: string }[] }) => {
      calls.createAttempts += 1;
      const failure = createFailures.shift();
      if (failure) throw failure;
      if (options.createdByOther && calls.createAttempts === 1) {
        // another replica created them between our list and our create
        for (const { topic } of wanted) topics.add(topic);
        throw Object.assign(new Error('Topic with this name already exists'), { type: 'TOPIC_ALREADY_EXISTS' });
      }
      for (const { topic } of wanted) {
        topics.add(topic);
        calls.created.push(topic);
      }
      return true;
    },
    fetchTopicMetadata: async ({ topics: asked }: { topics: string[] }) => {
      calls.metadata += 1;
      if (options.denied) throw Object.assign(new Error('Not authorized to access topics'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
      if (calls.metadata <= options.metadataLag) throw unknownPartition();
      return { topics: asked.map((name) => ({ name, partitions: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1 })) })) };
    },
    fetchTopicOffsets: async (topic: string) => {
      calls.offsets += 1;
      if (calls.offsets <= options.logLag) throw unknownPartition();
      return Array.from({ length: partitions }, (_, partition) => ({ partition, offset: '0', high: '0', low: '0', topic }));
    },
  };
  return { admin: admin as unknown as Admin, calls };
}

describe('ensureTopics on a KRaft broker', () => {
  it('waits while the new topic is still unknown to the metadata, then reports it created', async () => {
    const broker = freshBroker({ metadataLag: 2, logLag: 0 });
    const topics = await ensureTopics(broker.admin, ['liandong.agency.a', 'liandong.rejections'], { partitions: 4, replicationFactor: undefined, timeoutMs: 5000 });
    expect([...topics]).to.deep.equal([
      ['liandong.agency.a', { partitions: 4, created: true }],
      ['liandong.rejections', { partitions: 4, created: true }],
    ]);
    expect(broker.calls.metadata).to.equal(3);
  });

  it('does not return while the leaders are known but a partition log is not hosted yet', async () => {
    const broker = freshBroker({ metadataLag: 0, logLag: 3 });
    await ensureTopics(broker.admin, ['liandong.agency.a'], { partitions: 4, replicationFactor: undefined, timeoutMs: 5000 });
    expect(broker.calls.offsets, 'asked the partition logs until they answered').to.equal(4);
  });

  it('creates only the missing topics', async () => {
    const broker = freshBroker({ metadataLag: 0, logLag: 0 });
    await broker.admin.createTopics({ topics: [{ topic: 'liandong.agency.a' }] });
    const topics = await ensureTopics(broker.admin, ['liandong.agency.a', 'liandong.agency.b'], { partitions: 4, replicationFactor: undefined });
    expect(broker.calls.created).to.deep.equal(['liandong.agency.a', 'liandong.agency.b']);
    expect(topics.get('liandong.agency.a')!.created).to.equal(false);
    expect(topics.get('liandong.agency.b')!.created).to.equal(true);
  });

  it('retries a create the broker cannot answer yet (UNKNOWN_TOPIC_OR_PARTITION, NOT_CONTROLLER right after a restart)', async () => {
    const notController = Object.assign(new Error('This is not the correct controller for this cluster'), { type: 'NOT_CONTROLLER', retriable: true });
    const broker = freshBroker({ metadataLag: 0, logLag: 0, createFailures: [unknownPartition(), notController] });
    const topics = await ensureTopics(broker.admin, ['liandong.agency.a'], { partitions: 4, replicationFactor: undefined, timeoutMs: 10_000 });
    expect(broker.calls.createAttempts).to.equal(3);
    expect(topics.get('liandong.agency.a')).to.deep.equal({ partitions: 4, created: true });
  });

  it('takes a topic another replica created at the same moment as existing', async () => {
    const broker = freshBroker({ metadataLag: 0, logLag: 0, createdByOther: true });
    const topics = await ensureTopics(broker.admin, ['liandong.agency.a'], { partitions: 4, replicationFactor: undefined, timeoutMs: 10_000 });
    expect(broker.calls.createAttempts).to.equal(1);
    expect(topics.get('liandong.agency.a')).to.deep.equal({ partitions: 4, created: false });
  });

  it('gives up after its deadline with a message that says what to check', async () => {
    const broker = freshBroker({ metadataLag: Number.MAX_SAFE_INTEGER, logLag: 0 });
    const error = await ensureTopics(broker.admin, ['liandong.agency.a'], { partitions: 4, replicationFactor: undefined, timeoutMs: 300 }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.match(/^Kafka 主题 liandong\.agency\.a 在 0\.3 秒内仍不可用（This server does not host this topic-partition）：请检查 Kafka 代理/);
  });

  it('does not wait when the broker refuses access', async () => {
    const broker = freshBroker({ metadataLag: 0, logLag: 0, denied: true });
    const error = await ensureTopics(broker.admin, ['liandong.agency.a'], { partitions: 4, replicationFactor: undefined, timeoutMs: 60_000 }).then(
      () => null,
      (e: unknown) => e as { type?: string },
    );
    expect(error?.type).to.equal('TOPIC_AUTHORIZATION_FAILED');
    expect(broker.calls.metadata).to.equal(1);
  });
});
