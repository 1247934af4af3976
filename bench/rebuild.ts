/**
 * rebuild_embedded, rebuild_redis: `runner.rebuild(into)` of every projection (projections/index.ts) from
 * the whole event store, into a fresh embedded read-model store (its own SQLite file) and into Redis (a key
 * prefix of its own, removed afterwards). Baseline: a raw scan of the same store — readAll in the runner's
 * page size, every event parsed, nothing applied — the floor any rebuild stands on.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { allProjections, type ReadModelContext } from '../projections/index.js';
import { createProjectionRunner } from '../projections/runner.js';
import { chineseDaysCalendar } from '../infra/calendar/chineseDays.js';
import type { PlatformConfig } from '../infra/config/schema.js';
import type { EventStore } from '../ports/eventStore.js';
import { openEmbeddedReadModelStore } from '../infra/readModels/embeddedReadModelStore.js';
import type { ReadModelStore } from '../ports/readModelStore.js';
import type { Step } from './progress.js';

const PAGE = 10_000;

export interface Rate {
  events: number;
  seconds: number;
  perSecond: number;
}

export async function rawScan(store: EventStore, step?: Step): Promise<Rate> {
  const started = process.hrtime.bigint();
  let events = 0;
  let after: bigint | null = null;
  step?.total(Number((await store.headPosition()) ?? 0n));
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    events += page.length;
    step?.update(events);
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    after = last.position;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { events, seconds, perSecond: events / seconds };
}

export function projectionContext(config: PlatformConfig): ReadModelContext {
  return { deadlines: { calendar: chineseDaysCalendar(config.calendar.years), policy: config.deadlines } };
}

export async function rebuildInto(store: EventStore, into: ReadModelStore, ctx: ReadModelContext, step?: Step): Promise<Rate> {
  const head = Number((await store.headPosition()) ?? 0n);
  step?.total(head);
  // the runner's own read model store is never touched by rebuild(into)
  const runner = createProjectionRunner({ store, readModels: into, projections: allProjections(), ctx, logger: { info: () => undefined, error: () => undefined } });
  const started = process.hrtime.bigint();
  await runner.rebuild(into, (p) => step?.update(Number(p.position)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { events: head, seconds, perSecond: head / seconds };
}

export async function rebuildEmbedded(store: EventStore, dir: string, ctx: ReadModelContext, step?: Step): Promise<Rate> {
  const into = openEmbeddedReadModelStore({ path: join(dir, 'rebuilt-readmodels.db'), cacheCommitted: false });
  const started = process.hrtime.bigint();
  let rebuilt: Rate;
  try {
    rebuilt = await rebuildInto(store, into, ctx, step);
  } finally {
    // closing is part of the rebuild: the file must hold it before it counts as done
    await into.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { events: rebuilt.events, seconds, perSecond: rebuilt.events / seconds };
}

/** removes every key under the prefix (SCAN + UNLINK), so a run leaves Redis as it found it */
export async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
