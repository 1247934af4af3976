import { Redis } from 'ioredis';
import { createInProcessChangeFeed, type ChangeFeed, type ReadModelChange } from '../../ports/changeFeed.js';

/**
 * The change feed across processes (distributed mode): the projector publishes on a Redis channel beside the read
 * models it writes, every gateway replica subscribes. Redis pub/sub is at most once, which is what the port
 * promises (ports/changeFeed.ts): a gateway that was disconnected misses what was published meanwhile, and its
 * subscribers' views refetch on reconnecting. Why not polling the checkpoints: docs/decisions.md "Live updates".
 *
 * Two connections: a subscribed Redis connection can do nothing else. Each is opened only when first needed —
 * the projector only publishes, the gateway only subscribes.
 */
export interface RedisChangeFeedOptions {
  url: string;
  keyPrefix: string;
  connectionName: string;
  log?: { error(message: string, fields?: Record<string, unknown>): void };
}

export const changeChannel = (keyPrefix: string): string => `${keyPrefix}read-model-changes`;

const isChange = (value: unknown): value is ReadModelChange =>
  typeof value === 'object' && value !== null && typeof (value as ReadModelChange).collection === 'string' && Array.isArray((value as ReadModelChange).ids);

export function openRedisChangeFeed(options: RedisChangeFeedOptions): ChangeFeed {
  const channel = changeChannel(options.keyPrefix);
  const local = createInProcessChangeFeed((error) => options.log?.error(`读模型变更监听出错：${(error as Error).message}`, { error }));
  const connect = (role: string): Redis => {
    const redis = new Redis(options.url, {
      lazyConnect: role === 'publisher',
      connectionName: `${options.connectionName}:${role}`,
      // a publish while Redis is away fails at once (the commit stands, a live view misses one change); the
      // subscriber reconnects and ioredis subscribes again by itself
      enableOfflineQueue: role === 'subscriber',
      maxRetriesPerRequest: role === 'subscriber' ? null : 0,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    redis.on('error', (error: Error) => options.log?.error(`读模型变更通道（Redis ${role}）：${error.message}`, { error }));
    return redis;
  };
  /** the publishing connection once connected; a failed connect is tried again at the next publish */
  let publisher: Promise<Redis> | null = null;
  const publishing = (): Promise<Redis> => {
    if (publisher) return publisher;
    const redis = connect('publisher');
    publisher = redis.connect().then(
      () => redis,
      (error: unknown) => {
        publisher = null;
        redis.disconnect();
        throw error;
      },
    );
    return publisher;
  };
  let subscriber: Redis | null = null;
  /** settles once the channel is subscribed (or the attempt failed: a later listening() asks again) */
  let subscribed: Promise<void> | null = null;

  const follow = (): void => {
    if (subscriber) return;
    subscriber = connect('subscriber');
    subscriber.on('message', (from: string, text: string) => {
      if (from !== channel) return;
      let change: unknown;
      try {
        change = JSON.parse(text);
      } catch {
        return options.log?.error(`读模型变更通道收到无法解析的消息（已忽略）：${text.slice(0, 200)}`);
      }
      if (isChange(change)) void local.publish({ collection: change.collection, ids: change.ids.filter((id): id is string => typeof id === 'string') });
    });
    subscribed = subscriber.subscribe(channel).then(
      () => undefined,
      (error: Error) => {
        subscribed = null;
        options.log?.error(`无法订阅读模型变更通道 ${channel}：${error.message}`, { error });
        throw error;
      },
    );
    subscribed.catch(() => undefined);
  };

  return {
    async publish(change) {
      await (await publishing()).publish(channel, JSON.stringify({ collection: change.collection, ids: change.ids }));
    },
    subscribe(listener) {
      follow();
      return local.subscribe(listener);
    },
    async listening() {
      follow();
      if (subscribed === null && subscriber) subscribed = subscriber.subscribe(channel).then(() => undefined);
      await subscribed;
    },
    async close() {
      await local.close();
      // nothing to flush: every publish was awaited, and a subscriber only receives
      const publishingConnection = await publisher?.catch(() => null);
      for (const redis of [publishingConnection, subscriber]) redis?.disconnect();
      publisher = null;
      subscriber = null;
      subscribed = null;
    },
  };
}
