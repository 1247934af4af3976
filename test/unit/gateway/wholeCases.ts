import { caseDeadlines, handoffDeadline, type CaseDeadline, type CaseState, type ExistingCase, type HandoffDeadline } from '../../../domain/catalog/index.js';
import { currentShape } from '../../../ports/currentShape.js';
import type { CaseDoc } from '../../../projections/cases/cases.projection.js';
import type { GatewayContext } from '../../../gateway/context.js';
import type { HandoffView } from '../../../gateway/readSide/views.js';
import type { IsoDate } from '../../../domain/deadlines/index.js';
import { foldCaseEvent } from '../projections/support.js';

/**
 * A case as the oracles read it: the domain's whole fold of its stream, with every handoff's clock — what the case read
 * model held before its handoffs became links (projections/cases revision 4). The oracles (the answers as they were
 * computed before each read model existed) fold the events themselves, so they lean on no read model's handoffs.
 */
export interface WholeCaseDoc {
  state: ExistingCase;
  handoffDeadlines: Record<string, HandoffDeadline | null>;
  deadlines: CaseDeadline[];
}

/** the whole cases of these case documents (found through the case read model's indexes), in their order */
export async function wholeCases(ctx: GatewayContext, docs: readonly CaseDoc[]): Promise<WholeCaseDoc[]> {
  const folded = await foldedUpToNow(ctx);
  return docs.flatMap((doc) => wholeOf(ctx, folded, doc.state.id) ?? []);
}

/**
 * Per event store, every case folded so far and the position folded to: an equivalence test asks the oracle hundreds
 * of times over the same store, so each asking folds on with the events appended since (one read of the store's log),
 * never from a case's first event again.
 */
interface Folded {
  after: bigint | null;
  states: Map<string, CaseState>;
  docs: Map<string, WholeCaseDoc | null>;
  /** the catching up under way: two askers at once must not fold the same events twice */
  caughtUp: Promise<void>;
}
const folds = new WeakMap<object, Folded>();

async function foldedUpToNow(ctx: GatewayContext): Promise<Folded> {
  const events = ctx.services.events;
  let folded = folds.get(events);
  if (folded === undefined) folds.set(events, (folded = { after: null, states: new Map(), docs: new Map(), caughtUp: Promise.resolve() }));
  const into = folded;
  // a catching up that failed fails its own askers, not every later one
  into.caughtUp = into.caughtUp.catch(() => undefined).then(() => catchUp(ctx, into));
  await into.caughtUp;
  return into;
}

async function catchUp(ctx: GatewayContext, folded: Folded): Promise<void> {
  const events = ctx.services.events;
  for (;;) {
    const page = await events.readAll({ after: folded.after, maxCount: 5_000 });
    for (const stored of page) {
      const caseId = foldCaseEvent(folded.states, currentShape(stored));
      if (caseId !== null) folded.docs.delete(caseId);
    }
    if (page.length === 0) return;
    folded.after = page.at(-1)!.position;
  }
}

export async function wholeCase(ctx: GatewayContext, caseId: string): Promise<WholeCaseDoc | null> {
  return wholeOf(ctx, await foldedUpToNow(ctx), caseId);
}

function wholeOf(ctx: GatewayContext, folded: Folded, caseId: string): WholeCaseDoc | null {
  const known = folded.docs.get(caseId);
  if (known !== undefined) return known;
  const state = folded.states.get(caseId) ?? { status: 'none' };
  let doc: WholeCaseDoc | null = null;
  if (state.status !== 'none') {
    const deadlines = ctx.services.deadlines;
    const handoffDeadlines: Record<string, HandoffDeadline | null> = {};
    for (const id in state.handoffs) handoffDeadlines[id] = handoffDeadline(state.handoffs[id]!, deadlines);
    doc = { state, handoffDeadlines, deadlines: caseDeadlines(state, deadlines) };
  }
  folded.docs.set(caseId, doc);
  return doc;
}

/** a whole case's handoffs as the Handoff type resolves them (gateway/readSide/views.ts HandoffView) */
export const handoffViews = (doc: WholeCaseDoc, today: IsoDate): HandoffView[] =>
  Object.values(doc.state.handoffs).map((handoff) => ({ caseId: doc.state.id, handoff, deadline: doc.handoffDeadlines[handoff.id] ?? null, today }));
