/**
 * Shared pieces of the distributed-mode tests (lease.int.spec.ts, distributed*.int.spec.ts): the test city's
 * projection context, a per-run Redis key prefix and PostgreSQL schema with their clean-up, and the exactness
 * check — the Redis read models compared document by document with an embedded rebuild from the same events.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { allProjections, type ReadModelContext } from '../../projections/index.js';
import { createProjectionRunner } from '../../projections/runner.js';
import { chineseDaysCalendar } from '../../infra/calendar/chineseDays.js';
import { parseConfig } from '../../infra/config/loadConfig.js';
import type { EventStore } from '../../ports/eventStore.js';
import { openEmbeddedReadModelStore } from '../../infra/readModels/embeddedReadModelStore.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import { TEST_CITY } from '../e2e/fixtures.js';
import { projectionLeaseName } from '../../infra/main/project.js';
import { databaseUrl, redisUrl } from './engines.js';

export const testCityConfig = () => parseConfig(JSON.stringify(TEST_CITY), 'city.json');

export function testCityContext(): ReadModelContext {
  const config = testCityConfig();
  return { deadlines: { calendar: chineseDaysCalendar(config.calendar.years), policy: config.deadlines } };
}

/** a Redis key prefix and a PostgreSQL schema of this run's own */
export function isolation(label: string): { keyPrefix: string; schema: string } {
  const id = randomBytes(4).toString('hex');
  return { keyPrefix: `liandong:test:${label}:${id}:`, schema: `${label}_${id}` };
}

export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl(), { connectionName: 'liandong-test-cleanup' });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Rebuilds every projection from `store` into an in-memory embedded store (what embedded mode would hold after
 * the same events) and lists where `readModels` differs: checkpoints, ids per collection, documents.
 * [] means identical, which also means no event was applied twice or skipped.
 */
export async function differencesFromRebuild(store: EventStore, readModels: ReadModelStore, ctx = testCityContext()): Promise<string[]> {
  const projections = allProjections();
  const embedded = openEmbeddedReadModelStore({ path: ':memory:' });
  try {
    await createProjectionRunner({ store, readModels: embedded, projections, ctx, logger: { info: () => undefined, error: () => undefined } }).rebuild(embedded);
    const problems: string[] = [];
    for (const projection of projections) {
      const [want, got] = await Promise.all([embedded.checkpoint(projection.name), readModels.checkpoint(projection.name)]);
      if (want !== got) problems.push(`checkpoint ${projection.name}: rebuilt ${want}, live ${got}`);
      for (const collection of projection.collections) {
        const [wantIds, gotIds] = await Promise.all([embedded.listIds(collection), readModels.listIds(collection)]);
        if (wantIds.join() !== gotIds.join()) problems.push(`${collection}: ids differ (rebuilt ${wantIds.length}, live ${gotIds.length})`);
        const [wantDocs, gotDocs] = await Promise.all([embedded.getMany(collection, wantIds), readModels.getMany(collection, wantIds)]);
        wantIds.forEach((id, index) => {
          const a = JSON.stringify(wantDocs[index]);
          const b = JSON.stringify(gotDocs[index]);
          if (a !== b) problems.push(`${collection}/${id}: rebuilt ${a.slice(0, 200)} ≠ live ${String(b).slice(0, 200)}`);
        });
      }
    }
    return problems;
  } finally {
    await embedded.close();
  }
}

/**
 * projection → the pid of the `liandong project` process holding its lease (null when free), read from Redis
 * (a holder is `host:pid:random`, infra/lease/redisLease.ts)
 */
export async function projectionLeaseHolders(keyPrefix: string): Promise<Map<string, number | null>> {
  const names = allProjections().map((p) => p.name);
  const redis = new Redis(redisUrl(), { connectionName: 'liandong-test-lease-holders' });
  try {
    const values = await redis.mget(...names.map((name) => `${keyPrefix}lease:${projectionLeaseName(name)}`));
    return new Map(names.map((name, at) => [name, values[at] ? Number(values[at].split('|')[1]!.split(':').at(-2)) : null]));
  } finally {
    await redis.quit();
  }
}

/** how many projection leases each pid holds (0 for a pid holding none) */
export function leasesPerPid(holders: ReadonlyMap<string, number | null>, pids: readonly number[]): number[] {
  return pids.map((pid) => [...holders.values()].filter((holder) => holder === pid).length);
}
