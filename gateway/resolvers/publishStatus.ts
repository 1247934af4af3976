import { hasRole } from '../auth.js';
import type { GatewayContext } from '../context.js';
import type { RejectionRecord } from '../../ports/rejectionStore.js';

type PublishState = 'ACCEPTED' | 'DUPLICATE' | 'PARKED' | 'REJECTED' | 'UNKNOWN';
interface PublishStatus {
  source: string;
  id: string;
  status: PublishState;
  position: string | null;
  code: string | null;
  message: string | null;
  parkedUntil: string | null;
}

/** rejections are read in pages of this size while looking for the event's latest one */
const REJECTION_PAGE = 500;

/**
 * graphql.md revision 2 `publishStatus(source, id)`: the final outcome of a published event, so a clerk who resent a
 * corrected event (补正) sees whether it was taken. A stored event answers ACCEPTED with its position (a duplicate
 * publish stored nothing new, so the stored fact is what there is to report); otherwise the latest rejection with
 * that (source, id) answers REJECTED with its code. An event held in the parking lot (events.md §5) answers PARKED with
 * parkedUntil and the code it would end with — ahead of an older rejection, since the parked one is the latest try.
 * The source's own agency (any role, publisher included), organizers and auditors are told; anyone else gets UNKNOWN.
 */
export const publishStatusResolvers = {
  Query: {
    async publishStatus(_: unknown, args: { source: string; id: string }, ctx: GatewayContext): Promise<PublishStatus> {
      const unknown: PublishStatus = { source: args.source, id: args.id, status: 'UNKNOWN', position: null, code: null, message: null, parkedUntil: null };
      const { principal } = ctx;
      const mayKnow = principal.agency.id === args.source || hasRole(principal, 'organizer') || hasRole(principal, 'auditor');
      if (!mayKnow) return unknown;
      const stored = await ctx.services.events.findByIdempotencyKeys([`${args.source}/${args.id}`]);
      const position = stored.get(`${args.source}/${args.id}`);
      if (position !== undefined) return { ...unknown, status: 'ACCEPTED', position: position.toString() };
      const parked = await ctx.services.parking?.find(`${args.source}/${args.id}`);
      if (parked) return { ...unknown, status: 'PARKED', code: parked.code, message: parked.message, parkedUntil: parked.parkedUntil };
      const rejection = await latestRejection(ctx, args.source, args.id);
      if (rejection) return { ...unknown, status: 'REJECTED', code: rejection.code, message: rejection.message };
      return unknown;
    },
  },
};

/**
 * Rejections are filed under the sending principal's agency, which for an event the agency may send is its source.
 * The port lists by agency only, so this reads that agency's rejections through; an index by (source, id) in the
 * rejection stores is the step to take when an agency's rejections run into the hundreds of thousands.
 */
async function latestRejection(ctx: GatewayContext, source: string, id: string): Promise<RejectionRecord | null> {
  let latest: RejectionRecord | null = null;
  let after: string | undefined;
  for (;;) {
    const page = await ctx.services.rejections.list({ agencyId: source, first: REJECTION_PAGE, ...(after ? { after } : {}) });
    for (const r of page.nodes) if (r.source === source && r.eventId === id) latest = r;
    if (!page.hasNextPage || !page.endCursor) return latest;
    after = page.endCursor;
  }
}
