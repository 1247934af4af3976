import { copyNoticeParties, handoffParties, meetingParties, suggestionParties, type ActionItem, type CopyNotice, type ExistingCase, type Handoff, type Meeting, type Suggestion } from '../../domain/catalog/index.js';
import type { ClockFacts } from '../../domain/clocks/runningClocks.js';
import type { CaseDoc } from '../../projections/cases/cases.projection.js';
import { hasRole } from '../auth.js';
import type { GatewayContext } from '../context.js';

/**
 * graphql.md "Access" in one place: what the caller may see of cases and of everything derived from them. Every
 * resolver that hands out case data asks here — none decides by itself.
 *
 * - organizers and auditors see everything;
 * - a viewer (any other reader) sees the cases its agency is involved in (`ExistingCase.agencies`), the handoffs
 *   and suggestions it sent or received, the copy notices addressed to it, its own scorecard row and rejections,
 *   the meetings its agency takes part in (organizer, participant, attendee) or owns an action item of — and
 *   within a meeting, the agenda and attention items of cases it may see, and the action items (carried over or
 *   not) its agency owns or that concern a case it may see. An item it owns on a case it may not see is shown
 *   without the case (`caseId` null), as `case(id)` would show nothing of it (docs/decisions.md).
 */
export interface Visibility {
  /** null: sees every agency's data (organizer, auditor); otherwise the viewer's agency */
  readonly agency: string | null;
  /** a case (its whole state, or a summary of it) may be seen */
  case(state: Pick<ExistingCase, 'agencies'>): boolean;
  /** the document when it may be seen, otherwise null */
  caseDoc(doc: CaseDoc | null | undefined | Error): CaseDoc | null;
  /** whether the case with this id exists and may be seen (read through the request's loader) */
  caseId(id: string): Promise<boolean>;
  handoff(h: Handoff): boolean;
  suggestion(s: Suggestion): boolean;
  notice(n: CopyNotice): boolean;
  /** a scorecard row, or the rejections, of this agency */
  agencyRow(agencyId: string): boolean;
  meeting(m: Meeting): boolean;
  /** null: not to be seen at all; otherwise the item with the case id it may be shown with */
  actionItem(item: ActionItem): Promise<{ item: ActionItem; caseId: string | null } | null>;
  /**
   * A running clock (graphql.md `clocks`): seen as the thing it belongs to is — its `visibleTo` holds that thing's
   * parties (domain/clocks/runningClocks.ts, the same party rules as `handoff`, `suggestion`, `notice` and `case`
   * here), and an action item's clock as `actionItem` sees the item: its owner, or whoever may see its case.
   */
  clock(clock: ClockFacts): Promise<boolean>;
}

const made = new WeakMap<GatewayContext, Visibility>();

/** The caller's visibility, made once per request. */
export function visibilityOf(ctx: GatewayContext): Visibility {
  let visibility = made.get(ctx);
  if (!visibility) {
    visibility = hasRole(ctx.principal, 'organizer', 'auditor') ? everything(ctx) : agencyOnly(ctx, ctx.principal.agency.id);
    made.set(ctx, visibility);
  }
  return visibility;
}

const loaded = (doc: CaseDoc | null | undefined | Error): CaseDoc | null => (doc && !(doc instanceof Error) ? doc : null);

function everything(ctx: GatewayContext): Visibility {
  return {
    agency: null,
    case: () => true,
    caseDoc: loaded,
    caseId: async (id) => loaded(await ctx.loaders.caseDoc.load(id)) !== null,
    handoff: () => true,
    suggestion: () => true,
    notice: () => true,
    agencyRow: () => true,
    meeting: () => true,
    actionItem: async (item) => ({ item, caseId: item.caseId }),
    clock: async () => true,
  };
}

function agencyOnly(ctx: GatewayContext, own: string): Visibility {
  const involved = (s: Pick<ExistingCase, 'agencies'>): boolean => s.agencies.includes(own);
  const caseDoc = (doc: CaseDoc | null | undefined | Error): CaseDoc | null => {
    const d = loaded(doc);
    return d && involved(d.state) ? d : null;
  };
  const caseId = async (id: string): Promise<boolean> => caseDoc(await ctx.loaders.caseDoc.load(id)) !== null;
  return {
    agency: own,
    case: involved,
    caseDoc,
    caseId,
    handoff: (h) => handoffParties(h).includes(own),
    suggestion: (s) => suggestionParties(s).includes(own),
    notice: (n) => copyNoticeParties(n).includes(own),
    agencyRow: (agencyId) => agencyId === own,
    meeting: (m) => meetingParties(m).includes(own),
    async actionItem(item) {
      const caseSeen = item.caseId !== null && (await caseId(item.caseId));
      if (caseSeen) return { item, caseId: item.caseId };
      return item.owner === own ? { item, caseId: null } : null;
    },
    clock: async (clock) =>
      clock.visibleTo.includes(own) || (clock.kind === 'ACTION_ITEM' && clock.caseId !== null && (await caseId(clock.caseId))),
  };
}

/** The action items of a list the caller may see, in their order. */
export async function visibleActionItems(ctx: GatewayContext, items: readonly ActionItem[]): Promise<{ item: ActionItem; caseId: string | null }[]> {
  const visibility = visibilityOf(ctx);
  return (await Promise.all(items.map((item) => visibility.actionItem(item)))).filter((v) => v !== null);
}
