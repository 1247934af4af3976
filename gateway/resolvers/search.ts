/**
 * graphql.md revision 2 `search(text:, first:, after:)`: the cases whose title, 案号 or a party's name contains the
 * text, from the search index (ports/caseSearch.ts), in case-id pages with the connections' cursors (pagination.ts).
 * Visibility as `cases`: the index is asked for the viewer's agency only, and every case it names is checked again
 * against the case read model (readSide/visibility.ts), so an index a step behind the cases cannot show more.
 */
import { GraphQLError } from 'graphql';
import { searchFold } from '../../ports/caseSearch.js';
import { badInput, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import { visibilityOf } from '../readSide/visibility.js';
import { toView } from './cases.js';
import { decodeCursor, encodeCursor, pageSize } from './pagination.js';

/** longer is not a search a person types; it would only make every comparison longer */
const MAX_TEXT = 100;

export const searchResolvers = {
  Query: {
    async search(_: unknown, args: { text: string; first?: number | null; after?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      const text = searchFold(args.text);
      if (text === '') throw badInput('搜索内容不能为空：请输入案件名称、案号或当事人姓名的一部分');
      if ([...text].length > MAX_TEXT) throw badInput(`搜索内容最多 ${MAX_TEXT} 个字`);
      const limit = pageSize(args.first);
      const after = decodeCursor(args.after);
      const index = ctx.services.caseSearch;
      if (index === undefined) throw new GraphQLError('本进程没有案件搜索索引，暂不能搜索：请联系运维人员', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
      const visibility = visibilityOf(ctx);
      const page = await index.search({ text, agency: visibility.agency, after, limit });
      const docs = await ctx.loaders.caseDoc.loadMany(page.caseIds);
      const last = page.caseIds.at(-1);
      return {
        totalCount: page.totalCount,
        nodes: docs.flatMap((d) => visibility.caseDoc(d) ?? []).map(toView),
        pageInfo: { endCursor: last === undefined ? null : encodeCursor(last), hasNextPage: page.hasNextPage },
      };
    },
  },
};
