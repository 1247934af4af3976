import { agencyLevel, type Agency } from '../../domain/shared/agencies.js';
import { agencyOf, READ_ROLES, requireRole, type GatewayContext } from '../context.js';

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
    // revision 2: city | district | township, and the agency a unit belongs to (两所一庭 under their bureau or court)
    level: (a: Agency) => agencyLevel(a),
    parent: (a: Agency, _: unknown, ctx: GatewayContext) => (a.parentId ? agencyOf(ctx, a.parentId) : null),
    supervisor: (a: Agency, _: unknown, ctx: GatewayContext) => (a.supervisorId ? agencyOf(ctx, a.supervisorId) : null),
  },
};
