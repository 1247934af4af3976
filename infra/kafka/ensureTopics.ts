/**
 * Topic creation that returns only once the topics can be used.
 *
 * On a KRaft broker a new topic reaches the broker's metadata cache before its replica manager hosts the
 * partitions (KAFKA-15780). kafkajs' `waitForLeaders` only waits for the metadata, so the first produce,
 * fetch or list-offsets right after it can still fail with "This server does not host this topic-partition",
 * and the metadata request itself can answer UNKNOWN_TOPIC_OR_PARTITION for a moment. So after creating we
 * poll until every partition has a leader in the metadata AND a ListOffsets request — which is answered by
 * the partition's log on its leader — succeeds for every topic.
 */
import type { Admin } from 'kafkajs';

export interface EnsureTopicsOptions {
  partitions: number;
  replicationFactor: number | undefined;
  /** how long the partitions may take to become usable (default 30 s) */
  timeoutMs?: number;
}

export interface EnsuredTopic {
  partitions: number;
  created: boolean;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** errors that say "not allowed", not "not yet": waiting would not help */
const isDenied = (error: unknown): boolean => /AUTHORIZATION_FAILED|SASL_AUTHENTICATION_FAILED|POLICY_VIOLATION/.test(String((error as { type?: string }).type ?? ''));

/** Creates the topics that are missing; returns their partition counts once every partition can be used. */
export async function ensureTopics(admin: Admin, topics: string[], options: EnsureTopicsOptions): Promise<Map<string, EnsuredTopic>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const created = new Set<string>();
  // listing and creating are retried too: right after a broker (re)start, or while another replica creates the
  // same topics, KRaft answers UNKNOWN_TOPIC_OR_PARTITION, NOT_CONTROLLER or a timeout for a moment
  for (let delay = 200; ; delay = Math.min(delay * 2, 2000)) {
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        // false (already exists) is fine: another replica created it between our list and this call
        await admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: options.partitions,
            ...(options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor }),
          })),
        });
        for (const topic of missing) created.add(topic);
      }
      break;
    } catch (error) {
      if (isDenied(error) || Date.now() + delay >= deadline) throw error;
      if (!isAlreadyExists(error)) await pause(delay);
    }
  }
  const partitions = await waitForUsablePartitions(admin, topics, timeoutMs, deadline);
  return new Map(topics.map((t) => [t, { partitions: partitions.get(t)!, created: created.has(t) }]));
}

/** another replica won the race to create a topic: list again, it is there */
const isAlreadyExists = (error: unknown): boolean =>
  /TOPIC_ALREADY_EXISTS/.test(String((error as { type?: string }).type ?? '')) ||
  ((error as { errors?: { type?: string }[] }).errors ?? []).some((e) => e.type === 'TOPIC_ALREADY_EXISTS');

/** Polls until every partition of the topics has a leader that hosts its log; returns the partition counts. */
export async function waitForUsablePartitions(admin: Admin, topics: string[], timeoutMs: number, deadline = Date.now() + timeoutMs): Promise<Map<string, number>> {
  let last = 'no answer yet';
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const leaderless = metadata.topics.flatMap((t) => t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}/${p.partitionId}`));
      if (metadata.topics.length === topics.length && leaderless.length === 0) {
        // answered by each partition's log: fails until the replica manager hosts it
        await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
        return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
      }
      last = leaderless.length > 0 ? `分区尚无主副本：${leaderless.slice(0, 5).join(', ')}` : '元数据缺少部分主题';
    } catch (error) {
      if (isDenied(error)) throw error;
      last = (error as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Kafka 主题 ${topics.join(', ')} 在 ${timeoutMs / 1000} 秒内仍不可用（${last}）：请检查 Kafka 代理是否正常运行`);
    }
    await pause(200);
  }
}
