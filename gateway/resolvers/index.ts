import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import { isIsoDate, isRfc3339 } from '../../domain/catalog/values.js';
import { agencyResolvers } from './agencies.js';
import { rejectionResolvers } from './rejections.js';
import { caseResolvers } from './cases.js';
import { handoffResolvers } from './handoffs.js';
import { suggestionResolvers } from './suggestions.js';
import { meetingResolvers } from './meetings.js';
import { scorecardResolvers } from './scorecard.js';
import { historyResolvers } from './history.js';
import { clockResolvers } from './clocks.js';
import { disputeResolvers } from './disputes.js';
import { notificationResolvers } from './notifications.js';
import { publishStatusResolvers } from './publishStatus.js';
import { searchResolvers } from './search.js';
import { correctionResolvers } from './corrections.js';
import { subscriptionResolvers } from './subscriptions.js';

const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? ast.value : null),
});

type ResolverMap = Record<string, Record<string, unknown>>;

/** Merge per-area resolver maps (each area owns its Query/Mutation fields and types). */
export function mergeResolvers(...maps: ResolverMap[]): ResolverMap {
  const out: ResolverMap = {};
  for (const map of maps) for (const [type, fields] of Object.entries(map)) out[type] = { ...(out[type] ?? {}), ...fields };
  return out;
}

/**
 * A `Date` or `DateTime` argument that is not one. Reported with `extensions.code` BAD_USER_INPUT however it
 * came (gateway/server.ts keeps the code when graphql-js reports an inline literal as a validation error).
 */
export class ScalarInputError extends GraphQLError {
  constructor(message: string, node?: ValueNode) {
    super(message, { ...(node ? { nodes: node } : {}), extensions: { code: 'BAD_USER_INPUT' } });
    this.name = 'ScalarInputError';
  }
}

const shown = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? (Array.isArray(value) ? '列表' : '对象') : String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

/**
 * An input scalar checked both ways it can come: as a variable (parseValue) and written inline in the query
 * (parseLiteral). Values are passed on as the caller wrote them; what leaves (serialize) is what the read models hold.
 */
const checkedString = (name: string, description: string, valid: (value: unknown) => value is string, expected: string) =>
  new GraphQLScalarType({
    name,
    description,
    serialize: (v) => v,
    parseValue: (v) => {
      if (!valid(v)) throw new ScalarInputError(`${name} 应为${expected}，收到 ${shown(v)}`);
      return v;
    },
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.STRING || !valid(ast.value)) throw new ScalarInputError(`${name} 应为${expected}，收到 ${ast.kind === Kind.STRING ? shown(ast.value) : print(ast)}`, ast);
      return ast.value;
    },
  });

export const resolvers = {
  JSON: JSONScalar,
  DateTime: checkedString('DateTime', 'RFC 3339', isRfc3339, '带时区的 RFC 3339 时间（如 2024-09-30T18:00:00+08:00）'),
  Date: checkedString('Date', 'YYYY-MM-DD, China time', isIsoDate, '存在的日期 YYYY-MM-DD（如 2024-09-30）'),
  ...mergeResolvers(agencyResolvers, rejectionResolvers, caseResolvers, handoffResolvers, suggestionResolvers, meetingResolvers, scorecardResolvers, historyResolvers, clockResolvers, disputeResolvers, notificationResolvers, publishStatusResolvers, searchResolvers, correctionResolvers, subscriptionResolvers),
};
