import { forbidden, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import { visibilityOf } from '../readSide/visibility.js';
import { pageSize } from './pagination.js';
import { badInput } from '../context.js';

export const rejectionResolvers = {
  Query: {
    async rejections(_: unknown, args: { agency?: string | null; first?: number | null; after?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      let agencyId = args.agency ?? undefined;
      const visibility = visibilityOf(ctx);
      if (visibility.agency !== null) {
        // a viewer sees its own agency's rejections only (graphql.md "Access")
        if (agencyId !== undefined && !visibility.agencyRow(agencyId)) throw forbidden('只能查看本机构的退回事件');
        agencyId = visibility.agency;
      }
      const page = await ctx.services.rejections
        .list({ ...(agencyId !== undefined ? { agencyId } : {}), first: pageSize(args.first), ...(args.after ? { after: args.after } : {}) })
        .catch((e: Error) => {
          throw e.name === 'InvalidCursorError' ? badInput('after 游标无效，请使用上一页返回的 endCursor') : e;
        });
      return { totalCount: page.totalCount, nodes: page.nodes, pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage } };
    },
  },
};
