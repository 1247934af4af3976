/**
 * The AccessLog contract, run by every adapter:
 *
 *   accessLogContract('sqlite', async () => ({ log, reopen: async () => openAgain(), cleanup }));
 *
 * The factory returns an empty log; `reopen` opens the same storage again after `log` was closed.
 */
import { expect } from 'chai';
import { MIN_RETENTION_DAYS, RetentionError, type AccessEntry, type AccessLog } from '../../ports/accessLog.js';
import { verifyChain } from '../../infra/audit/logChain.js';
import { InvalidCursorError } from '../../ports/rejectionStore.js';
import { chainTamperTests, type RowShape, type SqlTamper } from './chainTamper.js';

export interface AccessLogFixture {
  log: AccessLog;
  reopen(): Promise<AccessLog>;
  cleanup(): Promise<void>;
  /** plain SQL on the log's table, as a DBA or an intruder with the file could */
  tamper: SqlTamper;
}

/** a whole access_log row in SQL (the same text works for SQLite's TEXT and PostgreSQL's json/timestamptz columns) */
export const accessLogRow: RowShape = {
  columns: '(id, at, principal, roles, agency_id, operation_type, operation_name, fields, variables, outcome, error_codes, client, duration_ms)',
  values: (id) => `(${id}, '2000-01-01T00:00:00.000Z', 'intruder', '[]', NULL, 'query', 'Forged', '[]', NULL, 'ok', '[]', NULL, NULL)`,
  change: "principal = 'intruder'",
};

const DAY = 86_400_000;

export const accessEntry = (overrides: Partial<AccessEntry> = {}): AccessEntry => ({
  at: new Date().toISOString(),
  principal: 'audit-office',
  roles: ['auditor'],
  agencyId: 'ly-justice',
  operationType: 'query',
  operationName: 'CaseHistory',
  fields: ['history(stream: "case-XJ-1")'],
  variables: { first: 10, note: '审计抽查' },
  outcome: 'ok',
  errorCodes: [],
  client: '127.0.0.1',
  durationMs: 3.5,
  ...overrides,
});

export function accessLogContract(name: string, factory: () => Promise<AccessLogFixture>): void {
  describe(`AccessLog contract: ${name}`, () => {
    let fixture: AccessLogFixture;
    let log: AccessLog;
    beforeEach(async () => {
      fixture = await factory();
      log = fixture.log;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('keeps every field and lists newest first', async () => {
      const first = accessEntry();
      const second = accessEntry({ principal: null, roles: [], agencyId: null, operationType: null, operationName: null, fields: [], variables: null, outcome: 'unauthenticated', errorCodes: ['UNAUTHENTICATED'], client: null, durationMs: null });
      await log.record(first);
      await log.record(second);
      const page = await log.list({ first: 10 });
      expect(page.totalCount).to.equal(2);
      expect(page.nodes.map(({ id: _id, ...entry }) => entry)).to.deep.equal([second, first]);
      expect(Number(page.nodes[0]!.id)).to.be.greaterThan(Number(page.nodes[1]!.id));
    });

    it('keeps everything recorded concurrently, durably', async () => {
      await Promise.all(Array.from({ length: 50 }, (_, index) => log.record(accessEntry({ operationName: `op${index}` }))));
      await log.close();
      const reopened = await fixture.reopen();
      try {
        const page = await reopened.list({ first: 100 });
        expect(page.totalCount).to.equal(50);
        expect(new Set(page.nodes.map((node) => node.operationName)).size).to.equal(50);
      } finally {
        await reopened.close();
      }
    });

    it('pages with opaque cursors, for everyone or one principal', async () => {
      for (let index = 0; index < 5; index++) {
        await log.record(accessEntry({ principal: index % 2 === 0 ? 'lianluo-ban' : 'audit-office', operationName: `op${index}` }));
      }
      const one = await log.list({ first: 2 });
      expect(one.nodes.map((node) => node.operationName)).to.deep.equal(['op4', 'op3']);
      expect(one.hasNextPage).to.equal(true);
      const two = await log.list({ first: 2, after: one.endCursor! });
      expect(two.nodes.map((node) => node.operationName)).to.deep.equal(['op2', 'op1']);
      const three = await log.list({ first: 2, after: two.endCursor! });
      expect(three.nodes.map((node) => node.operationName)).to.deep.equal(['op0']);
      expect(three.hasNextPage).to.equal(false);
      const organizer = await log.list({ first: 10, principal: 'lianluo-ban' });
      expect(organizer.totalCount).to.equal(3);
      expect(organizer.nodes.map((node) => node.operationName)).to.deep.equal(['op4', 'op2', 'op0']);
      let failure: unknown;
      await log.list({ first: 1, after: 'not-a-cursor' }).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(InvalidCursorError);
    });

    it('prunes only entries older than the retention period, and never one younger than a year', async () => {
      const now = Date.now();
      await log.record(accessEntry({ operationName: 'old', at: new Date(now - 800 * DAY).toISOString() }));
      await log.record(accessEntry({ operationName: 'year-and-a-half', at: new Date(now - 550 * DAY).toISOString() }));
      await log.record(accessEntry({ operationName: 'recent', at: new Date(now - 10 * DAY).toISOString() }));
      let failure: unknown;
      await log.prune(new Date(now)).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(RetentionError);
      expect((await log.list({ first: 10 })).totalCount, 'a refused prune deletes nothing').to.equal(3);
      expect(await log.prune(new Date(now - 700 * DAY))).to.equal(1);
      expect(await log.prune(new Date(now - (MIN_RETENTION_DAYS + 1) * DAY))).to.equal(1);
      expect((await log.list({ first: 10 })).nodes.map((node) => node.operationName)).to.deep.equal(['recent']);
    });

    it('verifies clean after pruning, and keeps chaining after everything old was pruned', async () => {
      const now = Date.now();
      await log.record(accessEntry({ operationName: 'old', at: new Date(now - 800 * DAY).toISOString() }));
      await log.record(accessEntry({ operationName: 'older-than-a-year', at: new Date(now - 400 * DAY).toISOString() }));
      expect(await log.prune(new Date(now - (MIN_RETENTION_DAYS + 1) * DAY))).to.equal(2);
      expect((await verifyChain(log)).ok).to.equal(true);
      await log.record(accessEntry({ operationName: 'after' }));
      await log.record(accessEntry({ operationName: 'later' }));
      const report = await verifyChain(log);
      expect(report, report.detail).to.deep.include({ ok: true, checked: 2 });
      expect((await log.list({ first: 10 })).nodes.map((node) => node.id)).to.deep.equal(['4', '3']);
    });

    it('prunes only from the oldest end: an old entry recorded after a younger one waits for it', async () => {
      const now = Date.now();
      await log.record(accessEntry({ operationName: 'old', at: new Date(now - 800 * DAY).toISOString() }));
      await log.record(accessEntry({ operationName: 'young', at: new Date(now - 10 * DAY).toISOString() }));
      await log.record(accessEntry({ operationName: 'late-old', at: new Date(now - 700 * DAY).toISOString() }));
      expect(await log.prune(new Date(now - 600 * DAY))).to.equal(1);
      expect((await log.list({ first: 10 })).nodes.map((node) => node.operationName)).to.deep.equal(['late-old', 'young']);
      expect((await verifyChain(log)).ok).to.equal(true);
    });

    describe('append-only at the database, hash-chained', () => {
      chainTamperTests(() => ({
        tamper: fixture.tamper,
        log,
        row: accessLogRow,
        write: async (n) => {
          for (let index = 0; index < n; index++) await log.record(accessEntry({ operationName: `op${index}` }));
        },
      }));
    });
  });
}
