/**
 * `notifications`: the outbox's notices with their delivery state (operations.md "Notifications") — for organizers
 * and auditors every agency's, for anyone else its own agency's (as rejections). Newest first.
 */
import { DELIVERY_STATES, type DeliveryState, type StoredNotification } from '../../ports/notifications.js';
import { agencyOf, badInput, forbidden, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import { visibilityOf } from '../readSide/visibility.js';
import { pageSize } from './pagination.js';

interface NotificationArgs {
  agency?: string | null;
  state?: string | null;
  first?: number | null;
}

export const notificationResolvers = {
  Query: {
    async notifications(_: unknown, args: NotificationArgs, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      const outbox = ctx.services.notifications;
      if (outbox === undefined) return [];
      let agencyId = args.agency ?? null;
      const visibility = visibilityOf(ctx);
      if (visibility.agency !== null) {
        if (agencyId !== null && agencyId !== visibility.agency) throw forbidden('只能查看本机构的通知');
        agencyId = visibility.agency;
      }
      const state = args.state ? args.state.toLowerCase() : null;
      if (state !== null && !(DELIVERY_STATES as readonly string[]).includes(state)) throw badInput(`state 无效：${args.state}（可选 ${DELIVERY_STATES.map((s) => s.toUpperCase()).join(' / ')}）`);
      return outbox.list({ agencyId, state: state as DeliveryState | null, limit: pageSize(args.first) });
    },
  },
  Notification: {
    agency: (n: StoredNotification, _: unknown, ctx: GatewayContext) => agencyOf(ctx, n.agencyId),
    state: (n: StoredNotification) => n.state.toUpperCase(),
    type: (n: StoredNotification) => n.type,
  },
};
