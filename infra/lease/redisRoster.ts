/**
 * The LeaseRoster on Redis: one sorted set under the deployment's key prefix,
 *
 *   P lease-roster:<group>   zset  member = replica (the holder name of its leases), score = when it expires (ms)
 *
 * A heartbeat is one MULTI: drop the members whose time has passed, add (or move on) this one, list the rest,
 * and GET every lease key named — so the live replicas and who holds what come from one moment. Expiry is
 * the replica's own clock plus the TTL: clocks that disagree only skew the balance between replicas (who
 * takes how many projections), never safety, which rests on the leases themselves.
 */
import { Redis } from 'ioredis';
import type { LeaseRoster, RosterView } from '../../ports/lease.js';
import { defaultHolder } from './redisLease.js';

export interface RedisRosterOptions {
  url: string;
  keyPrefix: string;
  /** which replicas share work, e.g. `projector` */
  group: string;
  /** how long a heartbeat counts (the leases' TTL) */
  ttlMs: number;
  /** this replica's name: the holder of its leases (default `host:pid:random`) */
  self?: string;
}

export async function openRedisRoster(options: RedisRosterOptions): Promise<LeaseRoster> {
  const self = options.self ?? defaultHolder();
  const rosterKey = `${options.keyPrefix}lease-roster:${options.group}`;
  const leaseKey = (name: string): string => `${options.keyPrefix}lease:${name}`;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    connectionName: `liandong-roster:${options.group}`,
    enableOfflineQueue: false,
    commandTimeout: Math.max(100, Math.floor(options.ttlMs / 3)),
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  redis.on('error', () => undefined); // failures reach the caller through the rejected command
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`lease roster ${options.group}: cannot reach Redis`, { cause: error });
  }

  return {
    self,

    async heartbeat(leases): Promise<RosterView> {
      const now = Date.now();
      const transaction = redis
        .multi()
        .zremrangebyscore(rosterKey, '-inf', String(now))
        .zadd(rosterKey, String(now + options.ttlMs), self)
        .zrange(rosterKey, '0', '-1');
      if (leases.length > 0) transaction.mget(...leases.map(leaseKey));
      const replies = await transaction.exec();
      if (replies === null) throw new Error(`lease roster ${options.group}: transaction discarded`);
      const failed = replies.find(([error]) => error !== null);
      if (failed) throw failed[0]!;
      const live = replies[2]![1] as string[];
      const values = leases.length > 0 ? (replies[3]![1] as (string | null)[]) : [];
      // a lease's value is `<token>|<holder>` (redisLease.ts)
      const holders = new Map(leases.map((name, at) => [name, values[at] === null || values[at] === undefined ? null : values[at].slice(values[at].indexOf('|') + 1)]));
      return { live, holders };
    },

    async leave() {
      await redis.zrem(rosterKey, self);
    },

    async close() {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}
