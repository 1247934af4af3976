/**
 * `clocks` read from its own projection (gateway/resolvers/clocks.ts over projections/clocks) answers exactly what
 * the case documents say (clocksOracle.ts: Case.deadlines and the handoffs' clocks of every case the caller may
 * see, and the meetings' action items). Over the demo city 云岭市, for every principal that may read, for the
 * argument combinations below and on several days: every page of 4 holds the oracle's next clocks with the same
 * fields, totalCount is the oracle's count on every page, hasNextPage says whether more follow.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Principal } from '../../../gateway/auth.js';
import { createContext, type GatewayContext } from '../../../gateway/context.js';
import { clockResolvers, type ClockArgs, type ClockView } from '../../../gateway/resolvers/clocks.js';
import type { CaseView } from '../../../gateway/resolvers/cases.js';
import { fixedClock } from '../../../infra/clock.js';
import { CLOCK_KINDS } from '../../../domain/clocks/runningClocks.js';
import { oracleClocks, type OracleClock } from './clocksOracle.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const NOW = '2025-05-20T14:30:00+08:00';
const DEMO = JSON.parse(readFileSync(new URL('../../../infra/config/demo.config.json', import.meta.url), 'utf8')) as {
  agencies: { id: string }[];
  principals: { name: string; agencyId: string; roles: string[] }[];
};
const READERS = DEMO.principals.filter((p) => p.roles.some((r) => r === 'viewer' || r === 'organizer' || r === 'auditor'));
/** the demo's today, a day when many of its clocks ran, a later one, and a Saturday (rest-day counting) */
const DAYS = ['2025-05-20', '2024-11-15', '2025-09-01', '2025-05-24'];

interface Answer {
  totalCount: number;
  nodes: ClockView[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

async function shown(v: ClockView, ctx: GatewayContext): Promise<OracleClock> {
  const C = clockResolvers.Clock;
  const c = (await C.case(v, undefined, ctx)) as CaseView | null;
  return {
    id: C.id(v),
    kind: C.kind(v),
    name: C.name(v),
    caseId: c === null ? null : c.doc.state.id,
    owner: C.owner(v, undefined, ctx).id,
    dueDate: C.dueDate(v),
    dueDateProvisional: C.dueDateProvisional(v),
    overdue: C.overdue(v),
    daysLeft: C.daysLeft(v, undefined, ctx),
  };
}

describe('clocks projection: the same answers as the case documents (demo city)', function () {
  this.timeout(300_000);
  let dir: string;
  let p: InProcessPlatform;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-clocks-eq-'));
    p = await startInProcessPlatform(dir, { clock: fixedClock(NOW), demoCity: true });
  });
  after(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const principalOf = (r: (typeof READERS)[number]): Principal =>
    ({ name: r.name, agency: p.services.agencies.get(r.agencyId)!, roles: r.roles }) as unknown as Principal;
  const ctxOf = (r: (typeof READERS)[number], today: string): GatewayContext => ({ ...createContext(principalOf(r), p.services), today });

  function argsList(): ClockArgs[] {
    const agencies = DEMO.agencies.map((a) => a.id);
    const out: ClockArgs[] = [{}, { overdue: true }, { overdue: false }, { dueWithinDays: 0 }, { dueWithinDays: 3 }, { dueWithinDays: 10 }, { dueWithinDays: 3, overdue: false }, { dueWithinDays: 3, overdue: true }];
    for (const kind of CLOCK_KINDS) out.push({ kind }, { kind, overdue: true }, { kind, dueWithinDays: 5 });
    for (const agency of agencies) {
      out.push({ agency }, { agency, overdue: true }, { agency, dueWithinDays: 3 });
      for (const kind of ['HANDOFF', 'ACTION_ITEM', 'COPY_NOTICE'] as const) out.push({ agency, kind });
    }
    return out;
  }

  for (const reader of READERS) {
    it(`${reader.name} (${reader.roles.join(', ')}): every argument combination, every page of 4, on ${DAYS.length} days`, async () => {
      let compared = 0;
      let nonEmpty = 0;
      for (const today of DAYS) {
        for (const args of argsList()) {
          const want = await oracleClocks(ctxOf(reader, today), args);
          const got: OracleClock[] = [];
          let after: string | null = null;
          for (let pages = 0; pages < 500; pages++) {
            const ctx = ctxOf(reader, today);
            const page = (await clockResolvers.Query.clocks(undefined, { ...args, first: 4, after }, ctx)) as Answer;
            expect(page.totalCount, `${today} ${JSON.stringify(args)} totalCount`).to.equal(want.length);
            for (const node of page.nodes) got.push(await shown(node, ctx));
            expect(page.pageInfo.hasNextPage, `${today} ${JSON.stringify(args)} hasNextPage`).to.equal(got.length < want.length);
            compared += 1;
            if (!page.pageInfo.hasNextPage) break;
            after = page.pageInfo.endCursor;
          }
          expect(got, `${today} ${JSON.stringify(args)}`).to.deep.equal(want);
          if (want.length > 0) nonEmpty += 1;
        }
      }
      expect(nonEmpty, `${compared} pages compared`).to.be.greaterThan(5);
      if (process.env.CLOCKS_EQ_VERBOSE) console.log(`      ${reader.name}: ${argsList().length} argument sets × ${DAYS.length} days, ${compared} pages (${nonEmpty} answers not empty)`);
    });
  }

  it('the demo city has running clocks of several kinds, some overdue and some due within 3 working days on its today', async () => {
    const organizer = READERS.find((r) => r.roles.includes('organizer'))!;
    const all = await oracleClocks(ctxOf(organizer, '2025-05-20'), {});
    expect(new Set(all.map((c) => c.kind)).size).to.be.greaterThan(2);
    expect(all.some((c) => c.overdue)).to.equal(true);
  });

  it('first: 0, 1 and 500 agree; a viewer may not pass another cursor format; publishers are refused', async () => {
    const organizer = READERS.find((r) => r.roles.includes('organizer'))!;
    for (const first of [0, 1, 500]) {
      const ctx = ctxOf(organizer, '2025-05-20');
      const page = (await clockResolvers.Query.clocks(undefined, { first }, ctx)) as Answer;
      const want = await oracleClocks(ctx, {});
      expect(page.totalCount).to.equal(want.length);
      expect(await Promise.all(page.nodes.map((n) => shown(n, ctx)))).to.deep.equal(want.slice(0, first));
    }
    const ctx = ctxOf(organizer, '2025-05-20');
    await expectError(clockResolvers.Query.clocks(undefined, { after: 'garbage' }, ctx), 'BAD_USER_INPUT');
    await expectError(clockResolvers.Query.clocks(undefined, { dueWithinDays: -1 }, ctx), 'BAD_USER_INPUT');
    const publisher = DEMO.principals.find((r) => r.roles.length === 1 && r.roles[0] === 'publisher');
    if (publisher) await expectError(clockResolvers.Query.clocks(undefined, {}, ctxOf(publisher, '2025-05-20')), 'FORBIDDEN');
  });
});

async function expectError(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as { extensions?: { code?: string } }).extensions?.code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}
