/**
 * Events keep their meaning (events.md §2, issue 15 "Show"): the event store test/fixtures/rev1-store/events.sqlite
 * was written by the code before revision 2 — through the ingest pipeline and the command handler — and
 * snapshot.json holds what that code folded from it: every stream's state and every case's clocks on 2026-12-31.
 * Here the same file is opened with today's code (a copy: opening may migrate it) and folded again through the
 * same read path. Every difference must be one revision 2 made to the law on purpose, listed with its reason in
 * REVISION_2_CHANGES; anything else fails, and is printed one line each.
 */
import { expect } from 'chai';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { describeDifference, differences, type Difference } from '../../fixtures/rev1-store/compare.js';
import { snapshotStore, type StoreSnapshot } from '../../fixtures/rev1-store/foldStore.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/rev1-store/${name}`, import.meta.url));

/** A difference revision 2 made on purpose: which law, why, and exactly which fixture values it explains. */
interface IntendedChange {
  readonly change: string;
  readonly reason: string;
  readonly explains: (d: Difference) => boolean;
}

const inStream = (streamId: string, path: RegExp) => (d: Difference) => d.streamId === streamId && path.test(d.path);

/**
 * Every difference between the revision-1 fold and today's that revision 2 made on purpose. Nothing else may
 * differ. An entry that explains nothing is reported (the law it names may not be merged yet), not failed.
 *
 * No entry is needed for two changes of revision 2 a revision-1 event cannot meet: custody clocks no longer
 * shifted over holidays (only a `handoff.requested` with `inCustody: true`, new in revision 2, is in custody), and
 * 答辩 as `litigation_response` (R1-XZ-1's 答辩 went out as an `information_notice`, as revision 1 had to, and
 * stays one: its 5-working-day clock is what the court asked for then).
 */
export const REVISION_2_CHANGES: readonly IntendedChange[] = [
  {
    change: 'fields revision 2 added to the folded state or to a clock',
    reason:
      'revision 2 records more of each fact (a handoff’s procedure, custody and extension list, a suggestion’s receipt …); a field revision 1 did not have cannot change what a revision-1 event meant. A whole new clock or handoff is not a field and is not covered.',
    explains: (d) => d.kind === 'added' && !d.path.endsWith(']') && d.path.includes('.') && !/^clocks\.(handoffs|suggestions)\.[^.]+$/.test(d.path),
  },
  {
    change: '2027-01-01 (元旦) is not a working day though no State Council notice for 2027 is loaded',
    reason:
      'deadlines.md revision 2: a year without an official notice keeps the fixed statutory holidays of 《全国年节及纪念日放假办法》 (provisional). R1-MS-2 h2’s 5 working days from 2026-12-28 counted 2027-01-01 before.',
    explains: inStream('case-R1-MS-2', /^clocks\.(handoffs\.h2|running\[R1-MS-2:information_notice:h2\])\.dueDate$/),
  },
  {
    change: 'community correction: a 通知 clock of its own, and delivery met by the justice bureau’s receipt',
    reason:
      'deadlines.md revision 2 (社区矫正法第20条) splits the court’s duty: notice (通知) within 5 days, met by the community_correction handoff’s request; delivery of the documents (送达) within 10 days, met by its receipt (R1-XS-1 h3, received 2026-12-10), no longer by the request.',
    explains: (d) =>
      inStream('case-R1-XS-1', /^clocks\.(caseDeadlines\[community_correction_notice\]|running\[R1-XS-1:community_correction_notice\])$/)(d) ||
      inStream('case-R1-XS-1', /^clocks\.caseDeadlines\[community_correction_delivery\]\.(metAt|stoppedAt)$/)(d),
  },
  {
    change: 'the legal basis shown with a handoff clock cites the article',
    reason: 'deadlines.md revision 2 names the provisions (e.g. 行刑衔接: 第8条 and the police rules); the text shown to clerks changed, the clock did not.',
    explains: (d) => d.kind === 'changed' && /^clocks\.handoffs\.[^.]+\.basis$/.test(d.path),
  },
];

describe('revision-1 event store (test/fixtures/rev1-store)', function () {
  this.timeout(30_000);
  let dir: string;
  let revision1: StoreSnapshot;
  let now: StoreSnapshot;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-rev1-'));
    copyFileSync(fixture('events.sqlite'), join(dir, 'events.sqlite'));
    const store = openSqliteEventStore({ path: join(dir, 'events.sqlite') });
    try {
      now = await snapshotStore(store);
    } finally {
      await store.close();
    }
    revision1 = JSON.parse(readFileSync(fixture('snapshot.json'), 'utf8')) as StoreSnapshot;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds every stream the snapshot has, and no other', () => {
    expect(Object.keys(now.streams).sort()).to.deep.equal(Object.keys(revision1.streams).sort());
    expect(now.today).to.equal(revision1.today);
  });

  it('folds every case and meeting to the same state and clocks, except where revision 2 changed the law on purpose', () => {
    const all = Object.keys(revision1.streams).flatMap((id) => differences(id, revision1.streams[id], now.streams[id]));
    const unexpected = all.filter((d) => !REVISION_2_CHANGES.some((c) => c.explains(d)));
    const unused = REVISION_2_CHANGES.filter((c) => !all.some((d) => c.explains(d)));
    if (unused.length > 0) console.log(`      （以下预期变化在当前代码中未出现：${unused.map((c) => c.change).join('；')}）`);
    const explained = all.length - unexpected.length;
    if (explained > 0) console.log(`      （${explained} 处差异属于修订二有意的变化${process.env.LIANDONG_FIXTURE_VERBOSE ? '' : '；设 LIANDONG_FIXTURE_VERBOSE=1 可逐条列出'}）`);
    if (process.env.LIANDONG_FIXTURE_VERBOSE) {
      for (const c of REVISION_2_CHANGES) {
        const mine = all.filter((d) => unexpected.indexOf(d) < 0 && REVISION_2_CHANGES.find((e) => e.explains(d)) === c);
        if (mine.length > 0) console.log(`\n      ${c.change}（${mine.length}）：\n${mine.map((d) => `        ${describeDifference(d)}`).join('\n')}`);
      }
    }
    expect(unexpected, `修订一的事件折叠结果出现了 ${unexpected.length} 处未列入 REVISION_2_CHANGES 的差异：\n${unexpected.map(describeDifference).join('\n')}\n`).to.deep.equal([]);
  });

  it('a difference the list does not explain is reported (the check can fail)', () => {
    const id = 'case-R1-XX-1';
    const changed = structuredClone(revision1.streams[id]!) as { clocks: { running: { id: string; dueDate: string }[] } };
    changed.clocks.running[0]!.dueDate = '2026-10-09';
    const found = differences(id, revision1.streams[id], changed);
    expect(found.map(describeDifference)).to.deep.equal([`${id}  clocks.running[R1-XX-1:criminal_transfer:h1].dueDate  [changed]  修订前 "2026-10-08"  →  现在 "2026-10-09"`]);
    expect(REVISION_2_CHANGES.some((c) => c.explains(found[0]!))).to.equal(false);
  });
});
