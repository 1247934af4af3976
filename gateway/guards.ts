import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

/** graphql.md "Guards": refused before any resolver runs. */
export interface GuardLimits {
  maxDepth: number;
  maxAliases: number;
  maxListSize: number;
  /**
   * The depth allowed below `__schema` / `__type` when introspection is on (graphql.md "Guards": the standard
   * introspection query, depth 14, is not refused for depth). Default 20.
   */
  maxIntrospectionDepth?: number;
}
export const DEFAULT_GUARD_LIMITS: GuardLimits = { maxDepth: 10, maxAliases: 30, maxListSize: 500, maxIntrospectionDepth: 20 };

/** root fields that read the schema itself */
const INTROSPECTION_ROOTS: ReadonlySet<string> = new Set(['__schema', '__type']);

/**
 * Walks the operation (following fragments) and returns the first guard it breaks, in Chinese, or
 * null. `first` is checked whether it is written inline or passed as a variable. With `introspection`
 * on, what lies under a root `__schema` / `__type` counts against `maxIntrospectionDepth` instead of
 * `maxDepth` (the rest of the same operation still against `maxDepth`).
 */
export function checkGuards(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limits: GuardLimits = DEFAULT_GUARD_LIMITS,
  options: { introspection?: boolean } = {},
): string | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let aliases = 0;
  let maxDepth = 0;
  let maxSchemaDepth = 0;
  let problem: string | null = null;

  const valueOf = (v: ValueNode): unknown => (v.kind === Kind.VARIABLE ? variables[v.name.value] : v.kind === Kind.INT ? Number(v.value) : undefined);

  const walk = (set: SelectionSetNode, depth: number, visiting: Set<string>, schema: boolean): void => {
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
          const below = schema || (depth === 0 && options.introspection === true && INTROSPECTION_ROOTS.has(sel.name.value));
          if (below) maxSchemaDepth = Math.max(maxSchemaDepth, depth + 1);
          else maxDepth = Math.max(maxDepth, depth + 1);
          walk(sel.selectionSet, depth + 1, visiting, below);
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, depth, visiting, schema);
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (fragment && !visiting.has(name)) walk(fragment.selectionSet, depth, new Set([...visiting, name]), schema);
      }
    }
  };
  walk(operation.selectionSet, 0, new Set(), false);
  if (problem) return problem;
  if (maxDepth > limits.maxDepth) return `查询嵌套深度 ${maxDepth} 超过上限 ${limits.maxDepth}`;
  const maxIntrospectionDepth = limits.maxIntrospectionDepth ?? DEFAULT_GUARD_LIMITS.maxIntrospectionDepth!;
  if (maxSchemaDepth > maxIntrospectionDepth) return `内省查询嵌套深度 ${maxSchemaDepth} 超过上限 ${maxIntrospectionDepth}`;
  if (aliases > limits.maxAliases) return `别名数量 ${aliases} 超过上限 ${limits.maxAliases}`;
  return null;
}

export const guardError = (message: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code: 'QUERY_REFUSED', http: { status: 400 } } });
