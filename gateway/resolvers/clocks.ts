import { CLOCK_KINDS, type ClockFacts, type ClockKind } from '../../domain/clocks/runningClocks.js';
import { isOverdue, lastDueWithinWorkingDays, workingDaysLeft, type IsoDate } from '../../domain/deadlines/index.js';
import {
  CLOCK_INDEX,
  clockIdOfValue,
  clockRange,
  ClockScope,
  clockScope,
  CLOCKS,
  type ClockDoc,
  type ClockRange,
} from '../../projections/clocks/clocks.projection.js';
import type { IndexEntry, ReadModelStore } from '../../ports/readModelStore.js';
import { agencyOf, badInput, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import { visibilityOf } from '../readSide/visibility.js';
import type { CaseView } from './cases.js';
import { decodeCursor, encodeCursor, pageSize } from './pagination.js';

export interface ClockArgs {
  agency?: string | null;
  kind?: ClockKind | null;
  dueWithinDays?: number | null;
  overdue?: boolean | null;
  first?: number | null;
  after?: string | null;
}

/** What the Clock type resolves from. */
export interface ClockView {
  clock: ClockFacts;
  today: IsoDate;
}

/** a running clock's entry with its key (`dueDate|clock id`, the view's order and the cursor) */
interface Placed {
  entry: IndexEntry;
  key: string;
}

const placed = (range: ClockRange, entry: IndexEntry): Placed => ({ entry, key: entry.value.slice(range.prefix.length) });
const byKey = (a: Placed, b: Placed): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** the range after the cursor's key (strictly: the smallest value above `v` is `v` + NUL) */
const afterKey = (range: ClockRange, key: string | null): ClockRange => {
  if (key === null) return range;
  const from = `${range.prefix}${key}\u0000`;
  return from > range.from ? { ...range, from } : range;
};

/** Every entry of a range, in order (the case action items a viewer may also see: few, running ones only). */
async function allEntries(rm: ReadModelStore, range: ClockRange): Promise<Placed[]> {
  const found: Placed[] = [];
  let next: IndexEntry | null = null;
  do {
    const page = await rm.findRange(CLOCKS, CLOCK_INDEX, { from: range.from, to: range.to, after: next, limit: 2000 });
    for (const entry of page.entries) found.push(placed(range, entry));
    next = page.next;
  } while (next !== null);
  return found;
}

/** The clocks of the entries, in their order: a document may hold several clocks (a notice's recipients, a case's). */
async function clocksOf(rm: ReadModelStore, entries: readonly Placed[]): Promise<ClockFacts[]> {
  const docs = await rm.getMany<ClockDoc>(CLOCKS, [...new Set(entries.map((p) => p.entry.id))]);
  const byDoc = new Map<string, ClockDoc>();
  for (const doc of docs) if (doc !== null) for (const clock of doc.clocks) byDoc.set(clock.id, doc);
  return entries.map((p) => {
    const id = clockIdOfValue(p.entry.value);
    const clock = byDoc.get(id)?.clocks.find((c) => c.id === id);
    if (!clock) throw new Error(`clocks: index entry without its clock ${p.entry.id} ${id}`);
    return clock;
  });
}

function checkArgs(args: ClockArgs): void {
  if (args.kind && !(CLOCK_KINDS as readonly string[]).includes(args.kind)) throw badInput(`kind 无效：${args.kind}`);
  const n = args.dueWithinDays;
  if (n !== null && n !== undefined && (!Number.isInteger(n) || n < 0 || n > 366)) throw badInput('dueWithinDays 应为 0–366 的整数（工作日）');
}

export const clockResolvers = {
  Query: {
    /**
     * Read from the clocks projection: one range of one scope, its count, and the documents of the page. For a
     * viewer the scope holds what it may see by `visibleTo`; action items on cases it may see (whoever owns them)
     * are added from the case-action-item scope, each asked of the visibility module.
     */
    async clocks(_: unknown, args: ClockArgs, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      checkArgs(args);
      const rm = ctx.services.readModels;
      const size = pageSize(args.first);
      const cursor = decodeCursor(args.after);
      const visibility = visibilityOf(ctx);
      const viewer = visibility.agency;
      const none = { totalCount: 0, nodes: [], pageInfo: { endCursor: null, hasNextPage: false } };
      const within = args.dueWithinDays ?? null;
      const lastDue = within === null ? null : lastDueWithinWorkingDays(ctx.today, within, ctx.services.deadlines.calendar);
      const range = clockRange(clockScope({ viewer, agency: args.agency, kind: args.kind }), { overdue: args.overdue, lastDue }, ctx.today);
      if (range === null) return none;

      // a viewer also sees the action items on cases it may see, whoever owns them (visibility.clock)
      let extra: { placed: Placed; clock: ClockFacts }[] = [];
      if (viewer !== null && (!args.kind || args.kind === 'ACTION_ITEM')) {
        const extraRange = clockRange(ClockScope.caseActionItems, { overdue: args.overdue, lastDue }, ctx.today)!;
        const candidates = await allEntries(rm, extraRange);
        const clocks = await clocksOf(rm, candidates);
        const wanted = await Promise.all(
          clocks.map(async (clock) => !clock.visibleTo.includes(viewer) && (!args.agency || clock.owner === args.agency) && (await visibility.clock(clock))),
        );
        extra = candidates.map((p, i) => ({ placed: p, clock: clocks[i]! })).filter((_, i) => wanted[i]);
      }

      const [count, page] = await Promise.all([
        rm.countRange(CLOCKS, CLOCK_INDEX, range),
        rm.findRange(CLOCKS, CLOCK_INDEX, { ...afterKey(range, cursor), limit: size + 1 }),
      ]);
      const main = page.entries.map((entry) => placed(range, entry));
      const later = extra.filter((e) => cursor === null || e.placed.key > cursor);
      const merged = [...main.map((p) => ({ placed: p, clock: null as ClockFacts | null })), ...later].sort((a, b) => byKey(a.placed, b.placed)).slice(0, size + 1);
      const shown = merged.slice(0, size);
      const missing = shown.filter((m) => m.clock === null).map((m) => m.placed);
      const loaded = await clocksOf(rm, missing);
      let next = 0;
      const nodes: ClockView[] = shown.map((m) => ({ clock: m.clock ?? loaded[next++]!, today: ctx.today }));
      const last = shown[shown.length - 1];
      return {
        totalCount: count + extra.length,
        nodes,
        pageInfo: { endCursor: last ? encodeCursor(last.placed.key) : null, hasNextPage: merged.length > size },
      };
    },
  },
  Clock: {
    id: (v: ClockView) => v.clock.id,
    kind: (v: ClockView) => v.clock.kind,
    name: (v: ClockView) => v.clock.name,
    /** through the request's case loader and the visibility module: null where the caller may not see the case */
    case: async (v: ClockView, _: unknown, ctx: GatewayContext) => {
      if (v.clock.caseId === null) return null;
      const doc = visibilityOf(ctx).caseDoc(await ctx.loaders.caseDoc.load(v.clock.caseId));
      return doc ? ({ doc, asOf: null } satisfies CaseView) : null;
    },
    owner: (v: ClockView, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.clock.owner),
    dueDate: (v: ClockView) => v.clock.dueDate,
    dueDateProvisional: (v: ClockView) => v.clock.dueDateProvisional,
    overdue: (v: ClockView) => v.clock.dueDate !== null && isOverdue({ dueDate: v.clock.dueDate, stopped: !v.clock.running }, v.today),
    daysLeft: (v: ClockView, _: unknown, ctx: GatewayContext) =>
      v.clock.dueDate === null ? null : workingDaysLeft(v.today, v.clock.dueDate, ctx.services.deadlines.calendar),
  },
};
