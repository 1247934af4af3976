import { GraphQLScalarType, Kind } from 'graphql';
import { agencyResolvers } from './agencies.js';
import { rejectionResolvers } from './rejections.js';
import { caseResolvers } from './cases.js';
import { handoffResolvers } from './handoffs.js';
import { suggestionResolvers } from './suggestions.js';
import { meetingResolvers } from './meetings.js';
import { scorecardResolvers } from './scorecard.js';
import { historyResolvers } from './history.js';

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

const passThrough = (name: string, description: string) =>
  new GraphQLScalarType({ name, description, serialize: (v) => v, parseValue: (v) => v, parseLiteral: (ast) => (ast.kind === Kind.STRING ? ast.value : null) });

export const resolvers = {
  JSON: JSONScalar,
  DateTime: passThrough('DateTime', 'RFC 3339'),
  Date: passThrough('Date', 'YYYY-MM-DD, China time'),
  ...mergeResolvers(agencyResolvers, rejectionResolvers, caseResolvers, handoffResolvers, suggestionResolvers, meetingResolvers, scorecardResolvers, historyResolvers),
};
