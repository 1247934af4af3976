/**
 * The CaseSearch contract (ports/caseSearch.ts), run by every adapter:
 *
 *   caseSearchContract('sqlite', async () => ({ index, cleanup }));
 *
 * The factory returns an empty index. Chinese substrings of three or more characters (what a trigram index
 * answers) and of one or two (what it cannot), party names, 案号 with full-width brackets, a viewer's agency,
 * keyset pages, stale writes, and a rebuild through the projection runner with the caseSearch projection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { searchFold, type CaseSearch, type CaseSearchEntry } from '../../ports/caseSearch.js';
import type { NewEvent } from '../../ports/eventStore.js';
import { openSqliteEventStore } from '../../infra/eventStore/sqliteEventStore.js';
import { openEmbeddedReadModelStore } from '../../infra/readModels/embeddedReadModelStore.js';
import { fixedClock } from '../../infra/clock.js';
import { createProjectionRunner } from '../../projections/runner.js';
import { caseSearchProjection } from '../../projections/caseSearch/caseSearch.projection.js';
import { feedCaseSearch, rebuildIfIndexLost } from '../../projections/caseSearch/feedCaseSearch.js';

export interface CaseSearchFixture {
  /** an empty index; cleanup() closes it */
  index: CaseSearch;
  cleanup(): Promise<void>;
}

const entry = (caseId: string, fields: Partial<CaseSearchEntry> = {}): CaseSearchEntry => ({
  caseId,
  title: '某案',
  caseNumber: null,
  partyNames: [],
  agencies: ['ly-court'],
  position: 1n,
  ...fields,
});

const CITY: CaseSearchEntry[] = [
  entry('LY-C1', { title: '王某某盗窃案', caseNumber: '（2026）川0132刑初123号', partyNames: ['王某某', '李四'], agencies: ['ly-police', 'ly-procuratorate', 'ly-court'], position: 11n }),
  entry('LY-C2', { title: '赵某故意伤害案', caseNumber: '（2026）川0132刑初124号', partyNames: ['赵某', '张三'], agencies: ['ly-police', 'ly-court'], position: 12n }),
  entry('LY-A1', { title: '张三诉市市场监督管理局行政处罚案', caseNumber: '(2026)川0132行初7号', partyNames: ['张三', '市市场监督管理局'], agencies: ['ly-court', 'ly-market'], position: 13n }),
  entry('LY-D1', { title: '某建筑公司工程款纠纷', caseNumber: null, partyNames: ['云岭建工集团有限公司', 'Acme Trading Co.'], agencies: ['ly-justice'], position: 14n }),
];

const folded = (text: string) => searchFold(text);
const quiet = { info: () => undefined, error: (message: string) => console.error(message) };

export function caseSearchContract(name: string, open: () => Promise<CaseSearchFixture>): void {
  describe(`CaseSearch contract: ${name}`, function () {
    this.timeout(30_000);
    let fixture: CaseSearchFixture;
    let index: CaseSearch;
    beforeEach(async () => {
      fixture = await open();
      index = fixture.index;
    });
    afterEach(async () => fixture.cleanup());

    /** every id found for the text (as an organizer: no agency), through pages of 500 */
    const ids = async (text: string, agency: string | null = null): Promise<string[]> => (await index.search({ text: folded(text), agency, after: null, limit: 500 })).caseIds;

    describe('matching', () => {
      beforeEach(async () => index.put(CITY));

      it('finds a title by a substring of three or more characters, and nothing for text in no case', async () => {
        expect(await ids('盗窃案')).to.deep.equal(['LY-C1']);
        expect(await ids('市场监督管理')).to.deep.equal(['LY-A1']);
        expect(await ids('故意伤害')).to.deep.equal(['LY-C2']);
        expect(await ids('交通肇事')).to.deep.equal([]);
      });

      it('finds by two characters and by one, which a trigram index cannot look up', async () => {
        expect(await ids('盗窃')).to.deep.equal(['LY-C1']);
        expect(await ids('张三')).to.deep.equal(['LY-A1', 'LY-C2']);
        expect(await ids('纠')).to.deep.equal(['LY-D1']);
        expect(await ids('赵')).to.deep.equal(['LY-C2']);
        expect(await ids('窃伤')).to.deep.equal([]);
      });

      it('finds by a party name, whole or in part', async () => {
        expect(await ids('李四')).to.deep.equal(['LY-C1']);
        expect(await ids('云岭建工集团')).to.deep.equal(['LY-D1']);
        expect(await ids('建工')).to.deep.equal(['LY-D1']);
      });

      it('finds by 案号, typed with full-width or half-width brackets, and its parts', async () => {
        expect(await ids('（2026）川0132刑初123号')).to.deep.equal(['LY-C1']);
        expect(await ids('(2026)川0132刑初123号')).to.deep.equal(['LY-C1']);
        expect(await ids('川0132刑初12')).to.deep.equal(['LY-C1', 'LY-C2']);
        expect(await ids('行初7')).to.deep.equal(['LY-A1']);
        expect(await ids('刑初')).to.deep.equal(['LY-C1', 'LY-C2']);
        expect(await ids('(2026)')).to.deep.equal(['LY-A1', 'LY-C1', 'LY-C2']);
      });

      it('finds by the case id, and ignores letter case and runs of spaces', async () => {
        expect(await ids('ly-c2')).to.deep.equal(['LY-C2']);
        expect(await ids('acme   TRADING')).to.deep.equal(['LY-D1']);
      });

      it('never matches across two fields of a case', async () => {
        // the title ends in 案 and the case number begins with （2026）: together they would read 案（2026）
        expect(await ids('盗窃案（2026')).to.deep.equal([]);
        expect(await ids('某某李')).to.deep.equal([]);
      });

      it('takes wildcards and query syntax in the text literally', async () => {
        await index.put([entry('LY-X1', { title: '100%_完成"率"', position: 20n })]);
        expect(await ids('%')).to.deep.equal(['LY-X1']);
        expect(await ids('_')).to.deep.equal(['LY-X1']);
        expect(await ids('%_完')).to.deep.equal(['LY-X1']);
        expect(await ids('"率"')).to.deep.equal(['LY-X1']);
        expect(await ids('完成"')).to.deep.equal(['LY-X1']);
        expect(await ids('OR')).to.deep.equal([]);
        expect(await ids('川 OR 张')).to.deep.equal([]);
      });

      it('finds for an agency only the cases it is involved in', async () => {
        expect(await ids('张三', 'ly-market')).to.deep.equal(['LY-A1']);
        expect(await ids('张三', 'ly-police')).to.deep.equal(['LY-C2']);
        expect(await ids('张三', 'ly-justice')).to.deep.equal([]);
        expect(await ids('川0132', 'ly-procuratorate')).to.deep.equal(['LY-C1']);
        expect(await ids('川0132', 'ly-court')).to.deep.equal(['LY-A1', 'LY-C1', 'LY-C2']);
        const page = await index.search({ text: folded('盗窃'), agency: 'ly-justice', after: null, limit: 10 });
        expect(page).to.deep.equal({ caseIds: [], totalCount: 0, hasNextPage: false });
      });
    });

    describe('pages', () => {
      it('walks every match once, in case-id order, with the total on every page', async () => {
        const many = Array.from({ length: 23 }, (_, i) => entry(`P-${String(i).padStart(3, '0')}`, { title: `第${i}号盗窃案`, agencies: i % 2 === 0 ? ['ly-police'] : ['ly-court'], position: BigInt(100 + i) }));
        await index.put([...many, ...CITY]);
        for (const [agency, expected] of [
          [null, [...many.map((e) => e.caseId), 'LY-C1'].sort()],
          ['ly-police', [...many.filter((_, i) => i % 2 === 0).map((e) => e.caseId), 'LY-C1'].sort()],
        ] as const) {
          for (const text of ['盗窃', '盗窃案']) {
            const seen: string[] = [];
            let after: string | null = null;
            for (;;) {
              const page = await index.search({ text, agency, after, limit: 5 });
              expect(page.totalCount).to.equal(expected.length);
              expect(page.caseIds.length).to.be.at.most(5);
              seen.push(...page.caseIds);
              if (!page.hasNextPage) break;
              after = page.caseIds.at(-1)!;
            }
            expect(seen).to.deep.equal(expected);
          }
        }
      });

      it('answers a page of none with the total, and a page after the last with nothing', async () => {
        await index.put(CITY);
        expect(await index.search({ text: '张三', agency: null, after: null, limit: 0 })).to.deep.equal({ caseIds: [], totalCount: 2, hasNextPage: true });
        expect(await index.search({ text: '张三', agency: null, after: 'LY-C2', limit: 5 })).to.deep.equal({ caseIds: [], totalCount: 2, hasNextPage: false });
        expect(await index.search({ text: '张三', agency: null, after: 'LY-A1', limit: 1 })).to.deep.equal({ caseIds: ['LY-C2'], totalCount: 2, hasNextPage: false });
      });
    });

    describe('writes', () => {
      it('replaces an entry with a newer one and ignores an older or equal one', async () => {
        await index.put([entry('LY-W1', { title: '初始名称', agencies: ['ly-court'], position: 5n })]);
        await index.put([entry('LY-W1', { title: '新的名称', agencies: ['ly-court', 'ly-police'], position: 9n })]);
        await index.put([entry('LY-W1', { title: '过时名称', agencies: ['ly-court'], position: 7n })]);
        await index.put([entry('LY-W1', { title: '同位名称', agencies: ['ly-court'], position: 9n })]);
        expect(await ids('新的')).to.deep.equal(['LY-W1']);
        expect(await ids('初始名称')).to.deep.equal([]);
        expect(await ids('过时')).to.deep.equal([]);
        expect(await ids('同位')).to.deep.equal([]);
        expect(await ids('新的', 'ly-police')).to.deep.equal(['LY-W1']);
        expect(await index.count()).to.equal(1);
      });

      it('keeps the newest of one case written twice in one put', async () => {
        await index.put([entry('LY-W2', { title: '后来的名称', position: 8n }), entry('LY-W2', { title: '先前的名称', position: 6n })]);
        expect(await ids('后来')).to.deep.equal(['LY-W2']);
        expect(await ids('先前')).to.deep.equal([]);
      });

      it('clear drops every entry', async () => {
        await index.put(CITY);
        expect(await index.count()).to.equal(CITY.length);
        await index.clear();
        expect(await index.count()).to.equal(0);
        expect(await ids('张三')).to.deep.equal([]);
      });
    });

    describe('fed by the caseSearch projection', () => {
      let dir: string;
      beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), 'liandong-search-'));
      });
      afterEach(() => rmSync(dir, { recursive: true, force: true }));

      const event = (source: string, type: string, data: Record<string, unknown>, id: string): NewEvent => ({
        type,
        data,
        metadata: { source, eventId: id, principal: `${source}-system`, channel: 'http', time: '2026-03-02T09:00:00+08:00' },
      });

      it('follows the events (a later handoff lets its receiver find the case) and a rebuild finds the same', async () => {
        const clock = fixedClock('2026-03-02T10:00:00+08:00');
        const events = openSqliteEventStore({ path: join(dir, 'events.db'), clock });
        const readModels = openEmbeddedReadModelStore({ path: ':memory:' });
        const fed = feedCaseSearch(readModels, index);
        const runner = createProjectionRunner({ store: events, readModels: fed, projections: [caseSearchProjection], ctx: {}, logger: quiet });
        try {
          await events.append([
            {
              streamId: 'case-LY-R1',
              expectedRevision: 'no_stream',
              events: [event('ly-police', 'case.registered', { kind: 'criminal', title: '钱某诈骗案', caseNumber: '川公刑立字〔2026〕88号', parties: [{ name: '钱某', role: 'suspect', type: 'person' }, { name: '孙某', role: 'victim', type: 'person' }] }, 'r1')],
            },
          ]);
          await runner.start();
          expect(await ids('诈骗')).to.deep.equal(['LY-R1']);
          expect(await ids('孙某', 'ly-police')).to.deep.equal(['LY-R1']);
          expect(await ids('孙某', 'ly-procuratorate')).to.deep.equal([]);

          const [appended] = await events.append([
            {
              streamId: 'case-LY-R1',
              expectedRevision: 0,
              events: [event('ly-police', 'handoff.requested', { handoffId: 'h1', to: 'ly-procuratorate', purpose: 'prosecution_review' }, 'r2')],
            },
          ]);
          await runner.waitFor(appended!.positions[0]!);
          expect(await ids('孙某', 'ly-procuratorate')).to.deep.equal(['LY-R1']);

          // an entry the events never made: a rebuild must drop it, and build the rest again
          await index.put([entry('LY-STRAY', { title: '钱某诈骗案（残留）', position: 999n })]);
          const target = feedCaseSearch(openEmbeddedReadModelStore({ path: ':memory:' }), index);
          await runner.rebuild(target);
          expect(await ids('诈骗')).to.deep.equal(['LY-R1']);
          expect(await ids('孙某', 'ly-procuratorate')).to.deep.equal(['LY-R1']);
          expect(await index.count()).to.equal(1);
          await target.close();
        } finally {
          await runner.stop();
          await readModels.close();
          await events.close();
        }
      });

      it('an index that lost its entries beside built documents is built again from the first event', async () => {
        const clock = fixedClock('2026-03-02T10:00:00+08:00');
        const events = openSqliteEventStore({ path: join(dir, 'events.db'), clock });
        const readModels = openEmbeddedReadModelStore({ path: join(dir, 'readmodels.db') });
        const fed = feedCaseSearch(readModels, index);
        try {
          await events.append([
            { streamId: 'case-LY-L1', expectedRevision: 'no_stream', events: [event('ly-court', 'case.registered', { kind: 'civil', title: '周某民间借贷纠纷', parties: [{ name: '周某', role: 'plaintiff', type: 'person' }] }, 'l1')] },
          ]);
          const first = createProjectionRunner({ store: events, readModels: fed, projections: [caseSearchProjection], ctx: {}, logger: quiet });
          await first.start();
          await first.stop();
          await index.clear(); // as if the index's file had been deleted
          expect(await rebuildIfIndexLost(fed, index)).to.equal(true);
          const again = createProjectionRunner({ store: events, readModels: fed, projections: [caseSearchProjection], ctx: {}, logger: quiet });
          await again.start();
          await again.stop();
          expect(await ids('借贷')).to.deep.equal(['LY-L1']);
          expect(await rebuildIfIndexLost(fed, index)).to.equal(false);
        } finally {
          await readModels.close();
          await events.close();
        }
      });
    });
  });
}
