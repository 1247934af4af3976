import type { ClockFacts } from '../../domain/clocks/runningClocks.js';
import type { ChangeFeed, ReadModelChange } from '../../ports/changeFeed.js';
import { CASES } from '../../projections/cases/cases.projection.js';
import { CLOCKS, type ClockDoc } from '../../projections/clocks/clocks.projection.js';
import { caseIdOfBoardDoc, HANDOFF_BOARD } from '../../projections/handoffBoard/handoffBoard.projection.js';
import { createContext, forbidden, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import { visibilityOf } from '../readSide/visibility.js';
import type { CaseView } from './cases.js';
import type { ClockView } from './clocks.js';

/**
 * graphql.md revision 2 `Subscription`, fed by the read-model change feed (ports/changeFeed.ts): a change names the
 * clock or case documents a commit wrote; each subscription reads them again and hands out what its caller may see —
 * the same visibility module as the queries, asked anew for every change, since who may see a case changes with its
 * events (a handoff makes the receiving agency a party).
 *
 * A clock document holds the clocks of one thing (a handoff's, a notice's recipients', a case's case-level clocks), and
 * a change names the document: every clock of it that the caller may see is sent, the unchanged ones among them too.
 */

/**
 * the read models whose commits the subscriptions follow: the composition roots publish these. A case's handoffs are
 * the board's documents (the case document holds their links, which most handoff events leave as they were).
 */
export const LIVE_COLLECTIONS: readonly string[] = [CLOCKS, CASES, HANDOFF_BOARD];

/** a live subscription's events, pulled by graphql-js; ends (and leaves the feed) when the client completes or goes */
function follow<T>(feed: ChangeFeed, collections: readonly string[], pick: (change: ReadModelChange) => Promise<T[]>): AsyncIterableIterator<T> {
  const pending: ReadModelChange[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  const unsubscribe = feed.subscribe((change: ReadModelChange) => {
    if (!collections.includes(change.collection) || finished) return;
    pending.push(change);
    wake?.();
  });
  const ready: T[] = [];
  const finish = (): Promise<IteratorResult<T>> => {
    finished = true;
    unsubscribe();
    wake?.();
    return Promise.resolve({ value: undefined, done: true });
  };
  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      while (!finished) {
        const first = ready.shift();
        if (first !== undefined) return { value: first, done: false };
        const change = pending.shift();
        if (change === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        ready.push(...(await pick(change)));
      }
      return { value: undefined, done: true };
    },
    return: finish,
    throw: (error: unknown) => {
      void finish();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/**
 * A subscription's context lives as long as the subscription; every change is read afresh: the per-request loaders
 * (which memoise) and today's date are renewed before the change is looked at, and the payload's fields (Clock.case,
 * Case.handoffs…) are resolved with the same renewed context.
 */
function renew(ctx: GatewayContext): void {
  const fresh = createContext(ctx.principal, ctx.services);
  ctx.loaders = fresh.loaders;
  ctx.today = fresh.today;
}

function feedOf(ctx: GatewayContext): ChangeFeed {
  const feed = ctx.services.changes;
  if (!feed) throw forbidden('本进程不提供实时订阅（未配置读模型变更通道）');
  return feed;
}

export const subscriptionResolvers = {
  Subscription: {
    clockChanged: {
      subscribe(_: unknown, args: { agency?: string | null }, ctx: GatewayContext): AsyncIterableIterator<ClockView> {
        requireRole(ctx, ...READ_ROLES);
        return follow(feedOf(ctx), [CLOCKS], async ({ ids }) => {
          renew(ctx);
          const visibility = visibilityOf(ctx);
          const docs = await ctx.services.readModels.getMany<ClockDoc>(CLOCKS, ids);
          const clocks: ClockFacts[] = docs.flatMap((doc) => doc?.clocks ?? []).filter((clock) => !args.agency || clock.owner === args.agency);
          const seen = await Promise.all(clocks.map((clock) => visibility.clock(clock)));
          return clocks.filter((_clock, i) => seen[i]).map((clock) => ({ clock, today: ctx.today }));
        });
      },
      resolve: (view: ClockView): ClockView => view,
    },
    caseChanged: {
      subscribe(_: unknown, args: { id: string }, ctx: GatewayContext): AsyncIterableIterator<CaseView> {
        requireRole(ctx, ...READ_ROLES);
        return follow(feedOf(ctx), [CASES, HANDOFF_BOARD], async ({ collection, ids }) => {
          const about = collection === CASES ? ids.includes(args.id) : ids.some((id) => caseIdOfBoardDoc(id) === args.id);
          if (!about) return [];
          renew(ctx);
          // a case the caller may not see is never sent: nothing tells it the case exists or changed
          const doc = visibilityOf(ctx).caseDoc(await ctx.loaders.caseDoc.load(args.id));
          return doc ? [{ doc, asOf: null }] : [];
        });
      },
      resolve: (view: CaseView): CaseView => view,
    },
  },
};
