import type { Agency } from '../../domain/shared/agencies.js';
import { READ_ROLES, requireRole, type GatewayContext } from '../context.js';

export const agencyResolvers = {
  Query: {
    agencies: (_: unknown, __: unknown, ctx: GatewayContext): Agency[] => {
      requireRole(ctx, ...READ_ROLES);
      return [...ctx.services.agencies.values()];
    },
    me: (_: unknown, __: unknown, ctx: GatewayContext) => ({ name: ctx.principal.name, agency: ctx.principal.agency, roles: ctx.principal.roles }),
  },
  Agency: {
    kind: (a: Agency) => a.kind.toUpperCase(),
  },
};
