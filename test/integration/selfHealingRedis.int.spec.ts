/**
 * Self-healing projections over a lost Redis connection (issue 13, item 5): the runner writes its read models to
 * the real Redis server through a TCP proxy the test takes down and brings back. While it is down, reads and
 * commits fail with connection errors and the projection retries; once it is back, the projection catches up by
 * itself — every event applied once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { EventMetadata, RecordedEvent } from '../../ports/eventStore.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../infra/eventStore/sqliteEventStore.js';
import { projectionNotReadyReason } from '../../infra/http/projectionHealth.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import { openRedisReadModelStore } from '../../infra/readModels/redisReadModelStore.js';
import type { Projection } from '../../projections/projection.js';
import { createProjectionRunner, type ProjectionRunner } from '../../projections/runner.js';
import { probeRedis, redisUrl, requireEngine } from './engines.js';

/** a TCP proxy to Redis that can be taken down (every connection cut, the port refusing) and brought back */
function redisProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const up = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const listening = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => {
        port = (listening.address() as { port: number }).port;
        server = listening;
        resolve();
      });
    });
  const down = async (): Promise<void> => {
    const closing = server;
    server = null;
    // close() waits for the open connections, so they are cut first
    const closed = closing ? new Promise((resolve) => closing.close(resolve)) : Promise.resolve();
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return { up, down, url: (): string => `redis://127.0.0.1:${port}${target.pathname}` };
}

async function until<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = probe();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const counting: Projection<Record<string, never>> = {
  name: 'counts',
  canHandle: ['case.noted'],
  collections: ['counts'],
  keys: (event: RecordedEvent) => [['counts', event.streamId] as const],
  evolve: (doc) => ({ doc: { count: ((doc as { count: number } | null)?.count ?? 0) + 1 } }),
};

const metadata: EventMetadata = { source: 'xj-court', eventId: null, principal: 'clerk', channel: 'http', time: '2024-05-06T09:30:00+08:00' };

async function appendNotes(store: SqliteEventStore, count: number, streams: number): Promise<bigint> {
  let last = 0n;
  for (let index = 0; index < count; index++) {
    const [result] = await store.append([{ streamId: `case-${index % streams}`, expectedRevision: 'any', events: [{ type: 'case.noted', data: { index }, metadata }] }]);
    last = result!.positions[0]!;
  }
  return last;
}

describe('self-healing projections over a lost Redis connection (real server)', function () {
  this.timeout(120_000);
  before(requireEngine('redis', probeRedis));

  const prefix = `liandong:test:selfheal:${randomBytes(6).toString('hex')}:`;
  let dir: string;
  let events: SqliteEventStore;
  let proxy: ReturnType<typeof redisProxy>;
  let readModels: ReadModelStore | undefined;
  let runner: ProjectionRunner | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ld-selfheal-redis-'));
    events = openSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
    proxy = redisProxy(new URL(redisUrl()));
    await proxy.up();
  });

  afterEach(async () => {
    await runner?.stop();
    await readModels?.close();
    await proxy.down();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
    const admin = new Redis(redisUrl());
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('retries while Redis cannot be reached and catches up by itself once it can', async () => {
    readModels = await openRedisReadModelStore({ url: proxy.url(), keyPrefix: prefix });
    const errors: string[] = [];
    runner = createProjectionRunner({
      store: events,
      readModels,
      projections: [counting],
      ctx: {},
      logger: { info: () => undefined, error: (message) => errors.push(message) },
      retry: { initialDelayMs: 20, maxDelayMs: 300 },
    });
    await runner.start();
    await runner.waitFor(await appendNotes(events, 20, 5), 5000);

    await proxy.down();
    const head = await appendNotes(events, 60, 7);
    const live = runner;
    const stuck = await until(() => {
      const [status] = live.status();
      // ioredis fails a queued read only after a few reconnection attempts (their pauses growing up to 2 s)
      return status!.retrying !== null && status!.retrying.attempt >= 2 && status;
    }, 'the projection retries for the second time', 40_000);
    expect(stuck.failure).to.equal(null);
    expect(projectionNotReadyReason(live.status())).to.match(/^投影 counts (读取|写入)失败，正在重试（第 \d+ 次）：/);

    await proxy.up();
    await runner.waitFor(head, 20_000);
    expect(runner.status()[0]).to.deep.include({ checkpoint: head, failure: null, retrying: null });

    // straight from Redis: every event counted once
    const direct = await openRedisReadModelStore({ url: redisUrl(), keyPrefix: prefix });
    try {
      const ids = await direct.listIds('counts');
      const docs = await direct.getMany<{ count: number }>('counts', ids);
      const expected = new Map<string, number>();
      for (const recorded of await events.readAll()) expected.set(recorded.streamId, (expected.get(recorded.streamId) ?? 0) + 1);
      expect(new Map(ids.map((id, index) => [id, docs[index]!.count]))).to.deep.equal(expected);
      expect(await direct.checkpoint('counts')).to.equal(head);
    } finally {
      await direct.close();
    }
  });
});
