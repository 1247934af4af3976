import {
  BOARD_INDEX,
  boardPlan,
  boardSegments,
  HANDOFF_BOARD,
  type BoardSegment,
  type HandoffBoardDoc,
  type LaneRange,
} from '../../projections/handoffBoard/handoffBoard.projection.js';
import type { IndexEntry, ReadModelStore } from '../../ports/readModelStore.js';
import { badInput, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import type { HandoffView } from '../readSide/views.js';
import { visibilityOf } from '../readSide/visibility.js';
import { decodeCursor, encodeCursor, pageSize } from './pagination.js';

export interface HandoffArgs {
  toAgency?: string | null;
  fromAgency?: string | null;
  status?: string | null;
  overdue?: boolean | null;
  purpose?: string | null;
  first?: number | null;
  after?: string | null;
}

/**
 * The board's order: overdue first, then the other open handoffs, then the ended ones (completed, returned,
 * withdrawn — an old completed handoff must not push today's overdue ones down); within each, earliest due
 * first, undated last, then by request time, then by case and handoff id. The cursor is the text key
 * `rank|due|requestedAt (UTC ISO)|caseId/handoffId`: the rank, then the board key the index orders each lane by
 * (projections/handoffBoard). The same cursors as when the board was computed from case documents.
 */
interface Cursor {
  rank: number;
  /** `due|requestedAt|caseId/handoffId` */
  key: string;
}

function parseCursor(text: string | null): Cursor | null {
  if (text === null) return null;
  const match = /^([0-2])\|([^|]{10})\|([^|]+)\|(.*)$/s.exec(text);
  const requested = match ? Date.parse(match[3]!) : NaN;
  if (!match || Number.isNaN(requested)) throw badInput('after 游标无效，请使用上一页返回的 endCursor');
  return { rank: Number(match[1]), key: `${match[2]}|${new Date(requested).toISOString()}|${match[4]}` };
}

/** an entry with the lane's board key beside it: lanes of one segment interleave by that key */
interface Placed {
  entry: IndexEntry;
  key: string;
  rank: number;
}

const byKey = (a: Placed, b: Placed): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * A segment's entries in board order, each handoff once: a viewer's board reads its `t:` and `f:` scopes side by
 * side, and a handoff from the agency to itself is in both, under the same key (which ends with its ids).
 */
const inBoardOrder = (placed: Placed[]): Placed[] => placed.sort(byKey).filter((p, i, all) => i === 0 || p.key !== all[i - 1]!.key);

/** the lane's range after the cursor's key (strictly: the smallest value above `v` is `v` + NUL) */
const after = (lane: LaneRange, cursor: Cursor | null, rank: number): LaneRange | null => {
  if (cursor === null || rank > cursor.rank) return lane;
  if (rank < cursor.rank) return null;
  const from = `${lane.prefix}${cursor.key}\u0000`;
  return from > lane.from ? { ...lane, from } : lane;
};

/** The first `limit` entries of the segments after the cursor, in board order: one range read per lane. */
async function firstEntries(rm: ReadModelStore, segments: readonly BoardSegment[], cursor: Cursor | null, limit: number): Promise<Placed[]> {
  const found: Placed[] = [];
  for (const segment of segments) {
    const wanted = limit - found.length;
    if (wanted <= 0) break;
    const lanes = segment.lanes.map((lane) => after(lane, cursor, segment.rank)).filter((lane): lane is LaneRange => lane !== null);
    const pages = await Promise.all(lanes.map((lane) => rm.findRange(HANDOFF_BOARD, BOARD_INDEX, { from: lane.from, to: lane.to, limit: wanted })));
    const merged = pages.flatMap((page, i) => page.entries.map((entry) => ({ entry, key: entry.value.slice(lanes[i]!.prefix.length), rank: segment.rank })));
    found.push(...inBoardOrder(merged).slice(0, wanted));
  }
  return found;
}

/** Every entry of the segments, in board order (a scope with a residual filter: one agency's handoffs). */
async function allEntries(rm: ReadModelStore, segments: readonly BoardSegment[]): Promise<Placed[]> {
  const found: Placed[] = [];
  for (const segment of segments) {
    const merged: Placed[] = [];
    for (const lane of segment.lanes) {
      let next: IndexEntry | null = null;
      do {
        const page = await rm.findRange(HANDOFF_BOARD, BOARD_INDEX, { from: lane.from, to: lane.to, after: next, limit: 2000 });
        for (const entry of page.entries) merged.push({ entry, key: entry.value.slice(lane.prefix.length), rank: segment.rank });
        next = page.next;
      } while (next !== null);
    }
    found.push(...inBoardOrder(merged));
  }
  return found;
}

const isAfter = (placed: Placed, cursor: Cursor | null): boolean =>
  cursor === null || placed.rank > cursor.rank || (placed.rank === cursor.rank && placed.key > cursor.key);

async function documents(rm: ReadModelStore, entries: readonly Placed[]): Promise<HandoffBoardDoc[]> {
  const docs = await rm.getMany<HandoffBoardDoc>(HANDOFF_BOARD, entries.map((p) => p.entry.id));
  return docs.map((doc, i) => {
    if (doc === null) throw new Error(`handoff board: index entry without document ${entries[i]!.entry.id}`);
    return doc;
  });
}

export const handoffResolvers = {
  Query: {
    /** read from the handoffBoard projection: range reads and counts over its one index, documents of the page only */
    async handoffs(_: unknown, args: HandoffArgs, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      const rm = ctx.services.readModels;
      const size = pageSize(args.first);
      const cursor = parseCursor(decodeCursor(args.after));
      const plan = boardPlan({ viewer: visibilityOf(ctx).agency, ...args });
      const none = { totalCount: 0, nodes: [], pageInfo: { endCursor: null, hasNextPage: false } };
      if (plan === null) return none;
      const segments = boardSegments(plan.scopes, args, ctx.today);
      const view = (doc: HandoffBoardDoc): HandoffView => ({ caseId: doc.caseId, handoff: doc.handoff, deadline: doc.deadline, today: ctx.today });
      const endCursor = (p: Placed | undefined) => (p ? encodeCursor(`${p.rank}|${p.key}`) : null);

      if (plan.residual === undefined) {
        const count = (lanes: readonly LaneRange[]) =>
          Promise.all(lanes.map((lane) => rm.countRange(HANDOFF_BOARD, BOARD_INDEX, lane))).then((counts) => counts.reduce((a, b) => a + b, 0));
        const overlap = plan.overlap;
        const [counted, countedTwice, found] = await Promise.all([
          count(segments.flatMap((s) => s.lanes)),
          overlap === undefined ? 0 : count(boardSegments([overlap], args, ctx.today).flatMap((s) => s.lanes)),
          firstEntries(rm, segments, cursor, size + 1),
        ]);
        const page = found.slice(0, size);
        return {
          totalCount: counted - countedTwice,
          nodes: (await documents(rm, page)).map(view),
          pageInfo: { endCursor: endCursor(page[page.length - 1]), hasNextPage: found.length > size },
        };
      }

      // a purpose combined with an agency or a viewer: the scope's documents are read and filtered
      const candidates = await allEntries(rm, segments);
      let totalCount = 0;
      let rest = 0;
      const page: { placed: Placed; doc: HandoffBoardDoc }[] = [];
      for (let i = 0; i < candidates.length; i += 500) {
        const chunk = candidates.slice(i, i + 500);
        const docs = await documents(rm, chunk);
        docs.forEach((doc, j) => {
          if (!plan.residual!(doc)) return;
          totalCount += 1;
          if (!isAfter(chunk[j]!, cursor)) return;
          rest += 1;
          if (page.length < size) page.push({ placed: chunk[j]!, doc });
        });
      }
      return {
        totalCount,
        nodes: page.map((p) => view(p.doc)),
        pageInfo: { endCursor: endCursor(page[page.length - 1]?.placed), hasNextPage: rest > size },
      };
    },
  },
};
