/**
 * Self-healing projections on a REAL full file system (issue 13, item 5): the read models live on a small tmpfs
 * that the test fills up, so SQLite answers SQLITE_FULL for real; then it frees the space and the projection
 * must catch up by itself and readiness come back — in the runner, and in the program started as a user would.
 *
 * Mounting needs root (CI runs `npm run test:int` as root). Where mount is not permitted the suite is skipped
 * with the reason, unless REQUIRE_ENGINES names `tmpfs` (or `all`), in which case it fails.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { EventMetadata, NewEvent, RecordedEvent } from '../../ports/eventStore.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../infra/eventStore/sqliteEventStore.js';
import { projectionNotReadyReason } from '../../infra/http/projectionHealth.js';
import { openEmbeddedReadModelStore } from '../../infra/readModels/embeddedReadModelStore.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import type { Projection } from '../../projections/projection.js';
import { createProjectionRunner, type ProjectionRunner } from '../../projections/runner.js';
import { TEST_CITY } from '../e2e/fixtures.js';
import { cloudEvent, gql, publish, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from '../e2e/harness.js';
import { requiredEngines } from './engines.js';

/** fills the file system holding `dir` with one file until the kernel answers ENOSPC; returns the file */
function fillUp(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 9]) {
      const chunk = Buffer.alloc(size, 0x5a);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

async function until<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface StreamDoc {
  count: number;
  notes: string;
}

/** per stream: how many events, and the last one's (bulky) note — enough bytes per commit to need new pages */
const bulkyProjection: Projection<Record<string, never>> = {
  name: 'docs',
  canHandle: ['case.noted'],
  collections: ['docs'],
  keys: (event: RecordedEvent) => [['docs', event.streamId] as const],
  evolve: (doc, event) => ({ doc: { count: ((doc as StreamDoc | null)?.count ?? 0) + 1, notes: String(event.data['note']) } }),
};

const metadata: EventMetadata = { source: 'xj-court', eventId: null, principal: 'clerk', channel: 'http', time: '2024-05-06T09:30:00+08:00' };

async function appendNotes(store: SqliteEventStore, count: number, streams: number, from: number): Promise<bigint> {
  let last = 0n;
  for (let index = from; index < from + count; index++) {
    const note: NewEvent = { type: 'case.noted', data: { note: `${index}:`.padEnd(3000, '记') }, metadata };
    const [result] = await store.append([{ streamId: `case-${index % streams}`, expectedRevision: 'any', events: [note] }]);
    last = result!.positions[0]!;
  }
  return last;
}

describe('self-healing projections on a real full file system (tmpfs)', function () {
  this.timeout(240_000);
  let mountPoint: string | null = null;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(function () {
    const required = requiredEngines().has('tmpfs') || requiredEngines().has('all');
    const skip = (reason: string): void => {
      if (required) throw new Error(`tmpfs is required (REQUIRE_ENGINES) but ${reason}`);
      console.log(`    skipped: self-healing projections on a full file system: ${reason}`);
      this.skip();
    };
    if (process.platform !== 'linux') return skip(`mounting a tmpfs needs Linux, this is ${process.platform}`);
    if (process.getuid?.() !== 0) return skip('mounting a tmpfs needs root (CI runs npm run test:int as root)');
    const dir = mkdtempSync(join(tmpdir(), 'ld-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
      mountPoint = dir;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      return skip(`mount -t tmpfs is not permitted here (${stderr || (error as Error).message})`);
    }
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  after(() => {
    if (mountPoint === null) return;
    try {
      execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    } catch {
      // still busy (a program that did not exit): detach it now, the kernel frees it once unused
      execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
    }
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('the runner retries SQLITE_FULL and catches up by itself once space returns, nothing applied twice or skipped', async () => {
    const local = mkdtempSync(join(tmpdir(), 'ld-selfheal-'));
    const onTmpfs = join(mountPoint!, 'runner');
    mkdirSync(onTmpfs);
    cleanups.push(() => rmSync(local, { recursive: true, force: true }), () => rmSync(onTmpfs, { recursive: true, force: true }));
    // the events on an ordinary disk, the read models on the tmpfs
    const events = openSqliteEventStore({ path: join(local, 'events.db'), pollIntervalMs: 20 });
    cleanups.push(() => events.close());
    let readModels: ReadModelStore = openEmbeddedReadModelStore({ path: join(onTmpfs, 'readmodels.db') });
    const errors: string[] = [];
    const runner: ProjectionRunner = createProjectionRunner({
      store: events,
      readModels,
      projections: [bulkyProjection],
      ctx: {},
      logger: { info: () => undefined, error: (message) => errors.push(message) },
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    cleanups.push(async () => {
      await runner.stop();
      await readModels.close();
    });
    await runner.start();
    await runner.waitFor(await appendNotes(events, 20, 10, 0), 5000);

    const filler = fillUp(mountPoint!);
    cleanups.push(() => rmSync(filler, { force: true }));
    const head = await appendNotes(events, 200, 40, 20);
    const stuck = await until(() => {
      const [status] = runner.status();
      return status!.retrying !== null && status!.retrying.attempt >= 3 && status;
    }, 'the projection retries for the third time');
    expect(stuck.failure).to.equal(null);
    expect(stuck.retrying!.error).to.have.property('code', 'SQLITE_FULL');
    expect(stuck.checkpoint! < head).to.equal(true);
    expect(projectionNotReadyReason(runner.status())).to.match(/^投影 docs 写入失败，正在重试（第 \d+ 次）：database or disk is full$/);
    expect(errors.join('\n')).to.match(/docs: committing read models failed .*\(transient\), retry 3 in/);

    rmSync(filler);
    await runner.waitFor(head, 10_000);
    expect(runner.status()[0]).to.deep.include({ checkpoint: head, failure: null, retrying: null });
    expect(projectionNotReadyReason(runner.status())).to.equal(null);

    // what is on the disk: every event counted once, reopened from the file
    await runner.stop();
    await readModels.close();
    readModels = openEmbeddedReadModelStore({ path: join(onTmpfs, 'readmodels.db') });
    expect(await readModels.checkpoint('docs')).to.equal(head);
    const ids = await readModels.listIds('docs');
    const docs = await readModels.getMany<StreamDoc>('docs', ids);
    const expected = new Map<string, number>();
    for (const recorded of await events.readAll()) expected.set(recorded.streamId, (expected.get(recorded.streamId) ?? 0) + 1);
    expect(new Map(ids.map((id, index) => [id, docs[index]!.count]))).to.deep.equal(expected);
  });

  it('the program (npm start): /readyz is 503 "投影 cases 写入失败，正在重试" while the disk is full and 200 once space returns', async () => {
    const dir = tempDir('ld-selfheal-e2e-');
    const onTmpfs = join(mountPoint!, 'program');
    mkdirSync(onTmpfs);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => rmSync(onTmpfs, { recursive: true, force: true }));
    const config = writeConfig(dir, TEST_CITY);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    // the read models (and SQLite's WAL beside them: it follows the link) on the tmpfs, everything else on the ordinary disk
    symlinkSync(join(onTmpfs, 'readmodels.db'), join(dataDir, 'readmodels.db'));

    const program: RunningProgram = await startProgram({ config, dataDir });
    cleanups.push(() => stopProgram(program));
    const readyz = async (): Promise<{ status: number; body: { status: string; reason?: string } }> => {
      const response = await fetch(`${program.base}/readyz`);
      return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
    };
    await until(async () => (await readyz()).status === 200, '/readyz is 200 after start');

    const filler = fillUp(mountPoint!);
    cleanups.push(() => rmSync(filler, { force: true }));
    const registrations = Array.from({ length: 30 }, (_, n) =>
      cloudEvent('xj-court', `full-${n}`, 'case.registered', `XJ-F${n}`, '2024-09-10T09:00:00+08:00', {
        kind: 'civil_dispute',
        title: `买卖合同纠纷（磁盘已满时登记）${n}`.padEnd(400, '。'),
        parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }],
      }),
    );
    // stored on the ordinary disk; the answer waits (up to 10 s) for read models that cannot be written
    const publishing = publish(program.base, 'test-court-token', registrations);

    const unready = await until(async () => {
      const answer = await readyz();
      return answer.status === 503 && /第 [2-9]\d* 次/.test(answer.body.reason ?? '') && answer;
    }, '/readyz reports the second retry');
    expect(unready.body.status).to.equal('not_ready');
    expect(unready.body.reason).to.match(/^投影 cases 写入失败，正在重试（第 \d+ 次）：database or disk is full$/);

    rmSync(filler);
    const published = await publishing;
    expect(published.status).to.equal(200);
    expect(published.json!.results!.map((r) => r.status)).to.deep.equal(registrations.map(() => 'accepted'));
    // the embedded pause is at most 30 s; it was full for a few seconds, so the next retry comes well within a minute
    await until(async () => (await readyz()).status === 200, '/readyz is 200 again', 60_000);

    const answer = await gql(program.base, 'test-organizer-token', '{ first: case(id: "XJ-F0") { id } last: case(id: "XJ-F29") { id } }');
    expect(answer.json?.errors).to.equal(undefined);
    expect(answer.json!.data).to.deep.equal({ first: { id: 'XJ-F0' }, last: { id: 'XJ-F29' } });
    // a JSON log line (stdout is not a terminal): the read models' namespace and the runner's message
    const logged = program
      .output()
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as { level?: string; ns?: string; msg?: string }];
        } catch {
          return [];
        }
      });
    expect(
      logged.some((r) => r.level === 'error' && r.ns === '读模型' && /^projection cases: committing read models failed at position \d+ \(transient\), retry 1 in \d+ ms: database or disk is full/.test(r.msg ?? '')),
      program.output().slice(-3000),
    ).to.equal(true);
  });
});
