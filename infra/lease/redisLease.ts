/**
 * The Lease on Redis. Two keys under the deployment's key prefix:
 *
 *   P lease:<name>          string  `<token>|<holder>`, with a PX expiry (the lease itself)
 *   P lease:<name>:token    string  the last fencing token handed out (INCR); never expires, never deleted
 *
 * acquire = one Lua script: if the lease key is absent, INCR the token and SET the key with PX — so a token is
 * used only by a grant that was actually made, and no two grants ever share one, even after the lease key
 * expired. renew and release compare the whole value before PEXPIRE / DEL (compare-and-extend, compare-and-
 * delete), so a holder whose lease expired and was taken cannot extend or drop the new holder's term.
 *
 * The connection has no offline queue and a command timeout below a third of the TTL: a renewal either answers
 * in time or fails, and the holder stops writing once `validUntil` passes without a successful one.
 * (Single Redis primary: with a replica failover an acknowledged SET can be lost, which the read model store's
 * checkpoint fencing then catches; docs/decisions.md "Distributed mode".)
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Lease, LeaseGrant, LeaseHolder } from '../../ports/lease.js';

export interface RedisLeaseOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** the deployment's key prefix (the read model store's), e.g. `liandong:` */
  keyPrefix: string;
  /** which work it guards, e.g. `projector` */
  name: string;
  ttlMs: number;
  /** default `host:pid:random` */
  holder?: string;
}

const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. '|' .. ARGV[1], 'PX', ARGV[2])
return token`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface LeaseCommands {
  leaseAcquire(lease: string, counter: string, holder: string, ttlMs: number): Promise<number | null>;
  leaseRenew(lease: string, value: string, ttlMs: number): Promise<number>;
  leaseRelease(lease: string, value: string): Promise<number>;
}

/** a holder may not rely on the last 10 % of the TTL (at least 100 ms): clocks run at slightly different rates */
const driftMargin = (ttlMs: number): number => Math.max(100, Math.ceil(ttlMs / 10));

export const defaultHolder = (): string => `${hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;

export async function openRedisLease(options: RedisLeaseOptions): Promise<Lease> {
  const { ttlMs, name } = options;
  if (!Number.isInteger(ttlMs) || ttlMs < 300) throw new RangeError(`lease TTL must be an integer of at least 300 ms, got ${ttlMs}`);
  if (name.includes('|')) throw new RangeError(`lease name must not contain "|": ${name}`);
  const holder = options.holder ?? defaultHolder();
  const leaseKey = `${options.keyPrefix}lease:${name}`;
  const counterKey = `${leaseKey}:token`;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    connectionName: `liandong-lease:${name}`,
    enableOfflineQueue: false,
    commandTimeout: Math.max(100, Math.floor(ttlMs / 3)),
    maxRetriesPerRequest: 0,
    // keep reconnecting while Redis is away; each attempt waits at most a second
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  redis.on('error', () => undefined); // failures reach the caller through the rejected command
  redis.defineCommand('leaseAcquire', { numberOfKeys: 2, lua: ACQUIRE });
  redis.defineCommand('leaseRenew', { numberOfKeys: 1, lua: RENEW });
  redis.defineCommand('leaseRelease', { numberOfKeys: 1, lua: RELEASE });
  const commands = redis as unknown as LeaseCommands;
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`lease ${name}: cannot reach Redis`, { cause: error });
  }

  const validFrom = (sentAt: number): number => sentAt + ttlMs - driftMargin(ttlMs);

  return {
    name,
    ttlMs,

    async acquire(): Promise<LeaseGrant | null> {
      const sentAt = Date.now();
      const token = await commands.leaseAcquire(leaseKey, counterKey, holder, ttlMs);
      if (token === null) return null;
      return { token: BigInt(token), holder, value: `${token}|${holder}`, validUntil: validFrom(sentAt) };
    },

    async renew(grant) {
      const sentAt = Date.now();
      const extended = await commands.leaseRenew(leaseKey, grant.value, ttlMs);
      return extended === 1 ? { ...grant, validUntil: validFrom(sentAt) } : null;
    },

    async holds(grant) {
      return (await redis.get(leaseKey)) === grant.value;
    },

    async release(grant) {
      await commands.leaseRelease(leaseKey, grant.value);
    },

    async current(): Promise<LeaseHolder | null> {
      // informational (logs, /readyz): two reads, not one snapshot
      const [value, pttl] = await Promise.all([redis.get(leaseKey), redis.pttl(leaseKey)]);
      if (value === null) return null;
      const bar = value.indexOf('|');
      return { token: BigInt(value.slice(0, bar)), holder: value.slice(bar + 1), expiresInMs: Math.max(0, pttl) };
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
