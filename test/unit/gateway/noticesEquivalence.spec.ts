/**
 * The suggestions and copy notices read from their own projections (gateway/resolvers/suggestions.ts over
 * projections/suggestions and projections/copyNotices) answer exactly as the lists folded from case documents did
 * (the resolvers as of commit 7adcb66, kept only here as the oracle: noticesOracle.ts). Over the demo city 云岭市,
 * for every principal that may read (each agency's viewer, the organizer, the auditor), for every argument
 * combination below and on several days (so that clocks fall due between them): the same items in the same order
 * with the same fields. Then `acknowledgeNotice`: the same refusals, the answer equal to the notice as its case
 * document has it afterwards, and the lists still equal.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Principal } from '../../../gateway/auth.js';
import { createContext, type GatewayContext } from '../../../gateway/context.js';
import type { NoticeView, SuggestionView } from '../../../gateway/readSide/views.js';
import { suggestionResolvers } from '../../../gateway/resolvers/suggestions.js';
import { fixedClock } from '../../../infra/clock.js';
import { oldNoticeView, oldSuggestionResolvers } from './noticesOracle.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const NOW = '2025-05-20T14:30:00+08:00';
const DEMO = JSON.parse(readFileSync(new URL('../../../infra/config/demo.config.json', import.meta.url), 'utf8')) as {
  agencies: { id: string }[];
  principals: { name: string; agencyId: string; roles: string[] }[];
};
const READERS = DEMO.principals.filter((p) => p.roles.some((r) => r === 'viewer' || r === 'organizer' || r === 'auditor'));
/** the demo's today, and days before and after on which other reply and acknowledgement clocks have fallen due */
const DAYS = ['2025-05-20', '2024-12-16', '2025-01-15', '2025-02-20', '2025-04-10', '2025-09-01'];
const FLAGS = [undefined, null, true, false];

type Args = Record<string, unknown>;
const fieldsOf = (resolvers: Record<string, (v: never, a: unknown, ctx: GatewayContext) => unknown>, view: unknown, ctx: GatewayContext) =>
  Object.fromEntries(Object.entries(resolvers).map(([field, resolve]) => [field, resolve(view as never, {}, ctx)]));
/** the view as stored, and every field the schema resolves from it */
const shownSuggestion = (v: SuggestionView, ctx: GatewayContext) => ({ view: { ...v }, fields: fieldsOf(suggestionResolvers.Suggestion, v, ctx) });
const shownNotice = (v: NoticeView, ctx: GatewayContext) => ({ view: { ...v }, fields: fieldsOf(suggestionResolvers.CopyNotice, v, ctx) });

async function outcome<T>(run: () => Promise<T>): Promise<{ value?: T; error?: { code: unknown; message: string } }> {
  try {
    return { value: await run() };
  } catch (e) {
    return { error: { code: (e as { extensions?: { code?: unknown } }).extensions?.code, message: (e as Error).message } };
  }
}

describe('suggestions and copy notices projections: the same answers as the lists folded from case documents (demo city)', function () {
  this.timeout(300_000);
  let dir: string;
  let p: InProcessPlatform;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-notices-eq-'));
    p = await startInProcessPlatform(dir, { clock: fixedClock(NOW), demoCity: true });
  });
  after(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const principalOf = (r: (typeof READERS)[number]): Principal =>
    ({ name: r.name, agency: p.services.agencies.get(r.agencyId)!, roles: r.roles }) as unknown as Principal;
  const contextOf = (r: (typeof READERS)[number], today?: string): GatewayContext => {
    const ctx = createContext(principalOf(r), p.services);
    return today ? { ...ctx, today } : ctx;
  };
  const organizer = READERS.find((r) => r.roles.includes('organizer'))!;

  /** agency arguments: none, null, the empty id, every agency, one that does not exist */
  const agencyArgs = (): (string | null | undefined)[] => [undefined, null, '', ...DEMO.agencies.map((a) => a.id), 'no-such-agency'];

  /** compares every argument combination for one reader on one day; returns how many answers were not empty */
  async function compareAll(reader: (typeof READERS)[number], today: string): Promise<{ compared: number; nonEmpty: number }> {
    let compared = 0;
    let nonEmpty = 0;
    for (const agency of agencyArgs()) {
      for (const flag of FLAGS) {
        const sArgs: Args = { toAgency: agency, overdue: flag };
        const [sWant, sGot] = [contextOf(reader, today), contextOf(reader, today)];
        const want = await oldSuggestionResolvers.Query.suggestions(undefined, sArgs, sWant);
        const got = await suggestionResolvers.Query.suggestions(undefined, sArgs, sGot);
        expect(
          got.map((v) => shownSuggestion(v, sGot)),
          `suggestions ${today} ${JSON.stringify(sArgs)}`,
        ).to.deep.equal(want.map((v) => shownSuggestion(v, sWant)));

        const nArgs: Args = { agency, acknowledged: flag };
        const [nWant, nGot] = [contextOf(reader, today), contextOf(reader, today)];
        const wantN = await oldSuggestionResolvers.Query.copyNotices(undefined, nArgs, nWant);
        const gotN = await suggestionResolvers.Query.copyNotices(undefined, nArgs, nGot);
        expect(
          gotN.map((v) => shownNotice(v, nGot)),
          `copyNotices ${today} ${JSON.stringify(nArgs)}`,
        ).to.deep.equal(wantN.map((v) => shownNotice(v, nWant)));
        compared += 2;
        nonEmpty += (want.length > 0 ? 1 : 0) + (wantN.length > 0 ? 1 : 0);
      }
    }
    return { compared, nonEmpty };
  }

  it('the demo city has suggestions and notices in every state the filters tell apart', async () => {
    const ctx = contextOf(organizer);
    const suggestions = await oldSuggestionResolvers.Query.suggestions(undefined, {}, ctx);
    const notices = await oldSuggestionResolvers.Query.copyNotices(undefined, {}, ctx);
    expect(suggestions.length).to.be.greaterThan(5);
    expect(notices.length).to.be.greaterThan(5);
    expect((await oldSuggestionResolvers.Query.suggestions(undefined, { overdue: true }, ctx)).length, 'overdue suggestions').to.be.greaterThan(0);
    expect((await oldSuggestionResolvers.Query.copyNotices(undefined, { acknowledged: true }, ctx)).length, 'fully acknowledged notices').to.be.greaterThan(0);
    expect((await oldSuggestionResolvers.Query.copyNotices(undefined, { acknowledged: false }, ctx)).length, 'notices still waiting').to.be.greaterThan(0);
  });

  /** reader → answers that were not empty: an agency with neither suggestions nor notices sees only empty lists */
  const seen = new Map<string, number>();
  for (const reader of READERS) {
    it(`${reader.name} (${reader.roles.join(', ')}): every argument combination on ${DAYS.length} days`, async () => {
      let nonEmpty = 0;
      for (const today of DAYS) nonEmpty += (await compareAll(reader, today)).nonEmpty;
      seen.set(reader.name, nonEmpty);
      if (!reader.roles.includes('viewer')) expect(nonEmpty).to.be.greaterThan(10);
    });
  }

  it('the comparisons were not of empty lists: most viewers saw suggestions or notices', () => {
    const viewers = READERS.filter((r) => r.roles.includes('viewer'));
    expect(viewers.filter((r) => (seen.get(r.name) ?? 0) > 0).length).to.be.greaterThan(viewers.length / 2);
  });

  describe('acknowledgeNotice', () => {
    /** a notice with a recipient that has not acknowledged it, and a principal of that recipient who may */
    async function waiting(): Promise<{ noticeId: string; who: (typeof READERS)[number] }> {
      for (const notice of await oldSuggestionResolvers.Query.copyNotices(undefined, { acknowledged: false }, contextOf(organizer))) {
        for (const recipient of notice.notice.recipients) {
          if (notice.notice.acknowledgements[recipient] !== undefined) continue;
          const who = READERS.find((r) => r.agencyId === recipient && r.roles.some((role) => role === 'viewer' || role === 'organizer'));
          if (who) return { noticeId: notice.notice.id, who };
        }
      }
      throw new Error('the demo city has no notice waiting for a recipient with a principal');
    }

    it('refuses as before: a malformed id, an unknown notice, an agency that is not a recipient, an auditor', async () => {
      const { noticeId } = await waiting();
      const notice = (await oldNoticeView(contextOf(organizer), noticeId))!;
      const outsider = READERS.find((r) => r.roles.includes('viewer') && !notice.notice.recipients.includes(r.agencyId))!;
      const auditor = READERS.find((r) => r.roles.includes('auditor'))!;
      const cases: [(typeof READERS)[number], string][] = [
        [organizer, 'no-slash'],
        [organizer, `${notice.caseId}/judgment/none`],
        [organizer, 'no-such-case/reconsideration'],
        [outsider, noticeId],
        [auditor, noticeId],
      ];
      for (const [who, id] of cases) {
        const want = await outcome(() => oldSuggestionResolvers.Mutation.acknowledgeNotice(undefined, { id }, contextOf(who)));
        const got = await outcome(() => suggestionResolvers.Mutation.acknowledgeNotice(undefined, { id }, contextOf(who)));
        expect(want.error, `${who.name} ${id} is refused`).to.not.equal(undefined);
        expect(got, `${who.name} ${id}`).to.deep.equal(want);
      }
    });

    it('answers with the notice as its case document has it afterwards; a second acknowledgement is refused alike; the lists stay equal', async () => {
      const { noticeId, who } = await waiting();
      const ctx = contextOf(who);
      const answer = await suggestionResolvers.Mutation.acknowledgeNotice(undefined, { id: noticeId }, ctx);
      expect(answer.notice.acknowledgements[who.agencyId], 'acknowledged in the answer').to.be.a('string');
      const after = contextOf(who);
      const want = (await oldNoticeView(after, noticeId))!;
      expect(shownNotice(answer, ctx)).to.deep.equal(shownNotice(want, after));

      const again = await outcome(() => suggestionResolvers.Mutation.acknowledgeNotice(undefined, { id: noticeId }, contextOf(who)));
      const againOld = await outcome(() => oldSuggestionResolvers.Mutation.acknowledgeNotice(undefined, { id: noticeId }, contextOf(who)));
      expect(again.error?.code).to.equal('BAD_USER_INPUT');
      expect(again).to.deep.equal(againOld);

      for (const reader of [organizer, who]) await compareAll(reader, DAYS[0]!);
    });
  });
});
