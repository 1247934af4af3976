/**
 * The handoff board read from its own projection (gateway/resolvers/handoffs.ts over projections/handoffBoard)
 * answers exactly as the board computed from case documents did (the resolver as of commit 58403b7, kept only
 * here as the oracle: boardOracle.ts). Over the demo city 云岭市, for every principal that may read (each agency's
 * viewer, the organizer, the auditor), for every filter combination below and on several days (so that clocks
 * fall due between them), walking every page with `first: 3`: the same totalCount, the same handoffs in the same
 * order with the same fields, the same cursors and hasNextPage.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { withoutRequestPapers } from '../../../domain/catalog/index.js';
import type { Principal } from '../../../gateway/auth.js';
import { createContext } from '../../../gateway/context.js';
import type { HandoffView } from '../../../gateway/readSide/views.js';
import { handoffResolvers } from '../../../gateway/resolvers/handoffs.js';
import { fixedClock } from '../../../infra/clock.js';
import { oldBoardResolvers } from './boardOracle.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const NOW = '2025-05-20T14:30:00+08:00';
const DEMO = JSON.parse(readFileSync(new URL('../../../infra/config/demo.config.json', import.meta.url), 'utf8')) as {
  agencies: { id: string }[];
  principals: { name: string; agencyId: string; roles: string[] }[];
};
const READERS = DEMO.principals.filter((p) => p.roles.some((r) => r === 'viewer' || r === 'organizer' || r === 'auditor'));
const STATUSES = ['REQUESTED', 'RECEIVED', 'ACCEPTED', 'RETURNED', 'COMPLETED', 'WITHDRAWN'];
/** days on which the board is compared: the demo's today, and days on which more of its clocks have fallen due */
const DAYS = ['2025-05-20', '2024-11-15', '2025-09-01'];

type Args = Record<string, unknown>;
interface Answer {
  totalCount: number;
  nodes: HandoffView[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/**
 * everything of a node the Handoff type resolves from (gateway/resolvers/cases.ts Handoff) but its request's papers:
 * the case documents the oracle folds leave them to the board (`Handoff.documents`: handoffDocuments.spec.ts)
 */
const shown = (v: HandoffView) => ({ caseId: v.caseId, handoff: { ...withoutRequestPapers(v.handoff) }, deadline: v.deadline === null ? null : { ...v.deadline }, today: v.today });
const comparable = (a: Answer) => ({ totalCount: a.totalCount, nodes: a.nodes.map(shown), pageInfo: a.pageInfo });

describe('handoff board projection: the same answers as the board folded from case documents (demo city)', function () {
  this.timeout(300_000);
  let dir: string;
  let p: InProcessPlatform;
  let purposes: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-board-eq-'));
    p = await startInProcessPlatform(dir, { clock: fixedClock(NOW), demoCity: true });
    const all = (await oldBoardResolvers.Query.handoffs(undefined, { first: 500 }, createContext(principalOf(READERS.find((r) => r.roles.includes('organizer'))!), p.services))) as Answer;
    purposes = [...new Set(all.nodes.map((v) => v.handoff.purpose))].sort();
    expect(all.totalCount, 'the demo city has handoffs').to.be.greaterThan(20);
    expect(purposes.length).to.be.greaterThan(2);
  });
  after(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const principalOf = (r: (typeof READERS)[number]): Principal =>
    ({ name: r.name, agency: p.services.agencies.get(r.agencyId)!, roles: r.roles }) as unknown as Principal;

  function filters(): Args[] {
    const agencies = DEMO.agencies.map((a) => a.id);
    const out: Args[] = [{}];
    for (const a of agencies) out.push({ toAgency: a }, { fromAgency: a });
    for (const status of STATUSES) out.push({ status });
    out.push({ overdue: true }, { overdue: false });
    for (const purpose of purposes) out.push({ purpose });
    // combinations: agency pairs, agency with status / overdue / purpose, status with overdue, purpose with overdue
    for (const to of agencies) for (const from of agencies) out.push({ toAgency: to, fromAgency: from });
    for (const a of agencies) {
      out.push({ toAgency: a, overdue: true }, { fromAgency: a, overdue: false }, { toAgency: a, status: 'RECEIVED' }, { fromAgency: a, status: 'COMPLETED' });
      for (const purpose of purposes) out.push({ toAgency: a, purpose }, { fromAgency: a, purpose, overdue: false });
    }
    for (const status of STATUSES) out.push({ status, overdue: true }, { status, overdue: false });
    for (const purpose of purposes) out.push({ purpose, overdue: true }, { purpose, status: 'REQUESTED' });
    return out;
  }

  for (const reader of READERS) {
    it(`${reader.name} (${reader.roles.join(', ')}): every filter, every page of 3, on ${DAYS.length} days`, async () => {
      let compared = 0;
      let nonEmpty = 0;
      for (const today of DAYS) {
        for (const filter of filters()) {
          let after: string | null = null;
          for (let pages = 0; pages < 200; pages++) {
            const args = { ...filter, first: 3, after };
            const ctxOld = { ...createContext(principalOf(reader), p.services), today };
            const ctxNew = { ...createContext(principalOf(reader), p.services), today };
            const want = (await oldBoardResolvers.Query.handoffs(undefined, args, ctxOld)) as Answer;
            const got = (await handoffResolvers.Query.handoffs(undefined, args, ctxNew)) as Answer;
            expect(comparable(got), `${today} ${JSON.stringify(args)}`).to.deep.equal(comparable(want));
            compared += 1;
            if (want.nodes.length > 0) nonEmpty += 1;
            if (!want.pageInfo.hasNextPage) break;
            after = want.pageInfo.endCursor;
          }
        }
      }
      expect(nonEmpty, `${compared} pages compared`).to.be.greaterThan(10);
      if (process.env.BOARD_EQ_VERBOSE) console.log(`      ${reader.name}: ${filters().length} filters × ${DAYS.length} days, ${compared} pages compared (${nonEmpty} not empty)`);
    });
  }

  it('first: 0 and first: 500 agree too (organizer)', async () => {
    const organizer = principalOf(READERS.find((r) => r.roles.includes('organizer'))!);
    for (const first of [0, 1, 500]) {
      for (const filter of [{}, { overdue: true }, { toAgency: 'yl-court' }, { purpose: purposes[0] }]) {
        const args = { ...filter, first };
        const want = (await oldBoardResolvers.Query.handoffs(undefined, args, createContext(organizer, p.services))) as Answer;
        const got = (await handoffResolvers.Query.handoffs(undefined, args, createContext(organizer, p.services))) as Answer;
        expect(comparable(got), JSON.stringify(args)).to.deep.equal(comparable(want));
      }
    }
  });
});
