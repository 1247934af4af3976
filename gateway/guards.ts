import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

/** graphql.md "Guards": refused before any resolver runs. */
export interface GuardLimits {
  maxDepth: number;
  maxAliases: number;
  maxListSize: number;
}
export const DEFAULT_GUARD_LIMITS: GuardLimits = { maxDepth: 10, maxAliases: 30, maxListSize: 500 };

/**
 * Walks the operation (following fragments) and returns the first guard it breaks, in Chinese, or
 * null. `first` is checked whether it is written inline or passed as a variable.
 */
export function checkGuards(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, limits: GuardLimits = DEFAULT_GUARD_LIMITS): string | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let aliases = 0;
  let maxDepth = 0;
  let problem: string | null = null;

  const valueOf = (v: ValueNode): unknown => (v.kind === Kind.VARIABLE ? variables[v.name.value] : v.kind === Kind.INT ? Number(v.value) : undefined);

  const walk = (set: SelectionSetNode, depth: number, visiting: Set<string>): void => {
    for (const sel of set.selections) {
      if (problem) return;
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases++;
        for (const arg of sel.arguments ?? []) {
          if (arg.name.value !== 'first') continue;
          const n = valueOf(arg.value);
          if (typeof n === 'number' && n > limits.maxListSize) problem = `列表最多返回 ${limits.maxListSize} 条（first: ${n}），请分页查询`;
        }
        if (sel.selectionSet) {
          maxDepth = Math.max(maxDepth, depth + 1);
          walk(sel.selectionSet, depth + 1, visiting);
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, depth, visiting);
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (fragment && !visiting.has(name)) walk(fragment.selectionSet, depth, new Set([...visiting, name]));
      }
    }
  };
  walk(operation.selectionSet, 0, new Set());
  if (problem) return problem;
  if (maxDepth > limits.maxDepth) return `查询嵌套深度 ${maxDepth} 超过上限 ${limits.maxDepth}`;
  if (aliases > limits.maxAliases) return `别名数量 ${aliases} 超过上限 ${limits.maxAliases}`;
  return null;
}

export const guardError = (message: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code: 'QUERY_REFUSED', http: { status: 400 } } });
