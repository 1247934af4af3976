/**
 * graphql-js and Apollo write their request errors in English ("Cannot query field …"); a clerk reading the answer in
 * GraphiQL or an agency developer reading a log should get Chinese, as from every other part of the platform (issue
 * 17, "messages fully Chinese"). The common parse, validation and variable messages are put in Chinese here; the
 * English original stays in `extensions.originalMessage` for the English console and for searching the web. A message
 * not listed is left as it is — better English than a wrong translation.
 */

type Rule = readonly [RegExp, (...groups: string[]) => string];

const RULES: readonly Rule[] = [
  [/^Syntax Error: (.*)$/s, (detail) => `查询语法错误：${syntaxDetail(detail)}`],
  [/^Cannot query field "([^"]+)" on type "([^"]+)"\.?$/, (field, type) => `类型 ${type} 没有字段 ${field}`],
  [/^Unknown argument "([^"]+)" on field "([^"]+)"\.?$/, (arg, field) => `字段 ${field} 没有参数 ${arg}`],
  [
    /^Field "([^"]+)" argument "([^"]+)" of type "([^"]+)" is required, but it was not provided\.?$/,
    (field, arg, type) => `字段 ${field} 缺少必填参数 ${arg}（类型 ${type}）`,
  ],
  [/^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields\..*$/s, (field, type) => `字段 ${field}（类型 ${type}）须列出要取的子字段，如 ${field} { id }`],
  [/^Field "([^"]+)" must not have a selection since type "([^"]+)" has no subfields\.?$/, (field, type) => `字段 ${field}（类型 ${type}）没有子字段，不能在其后写 { … }`],
  [/^Variable "(\$[^"]+)" of required type "([^"]+)" was not provided\.?$/, (name, type) => `缺少必填变量 ${name}（类型 ${type}）`],
  [/^Variable "(\$[^"]+)" of non-null type "([^"]+)" must not be null\.?$/, (name, type) => `变量 ${name}（类型 ${type}）不能为 null`],
  [/^Variable "(\$[^"]+)" got invalid value (.*?); (.*)$/s, (name, value, why) => `变量 ${name} 的值 ${value} 无效：${valueDetail(why)}`],
  [/^Variable "(\$[^"]+)" is never used(?: in operation "([^"]+)")?\.?$/, (name) => `变量 ${name} 已声明但未使用`],
  [/^Variable "(\$[^"]+)" is not defined(?: by operation "([^"]+)")?\.?$/, (name) => `变量 ${name} 未在操作中声明`],
  [/^Expected value of type "([^"]+)", found (.*?)(?:; (.*))?$/s, (type, found, why) => `参数值应为 ${type} 类型，实际为 ${found}${why ? `：${valueDetail(why)}` : ''}`],
  [/^Unknown type "([^"]+)"\.?$/, (type) => `未知类型 ${type}`],
  [/^Unknown operation named "([^"]+)"\.?$/, (name) => `请求中没有名为 ${name} 的操作`],
  [/^Must provide operation name if query contains multiple operations\.?$/, () => '请求含多个操作时须用 operationName 指明执行哪一个'],
  [/^GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension\.?$/, () => '请求须包含非空的 query'],
  [/^There can be only one (fragment|operation|variable|argument) named "([^"]+)"\.?$/, (what, name) => `同名的${KINDS[what] ?? what} ${name} 只能有一个`],
  [/^Unknown fragment "([^"]+)"\.?$/, (name) => `未知片段 ${name}`],
  [/^Fragment "([^"]+)" is never used\.?$/, (name) => `片段 ${name} 已定义但未使用`],
];

const KINDS: Record<string, string> = { fragment: '片段', operation: '操作', variable: '变量', argument: '参数' };

/** "Expected Name, found <EOF>." and the like, inside a syntax error */
function syntaxDetail(detail: string): string {
  const expected = /^Expected (.+?), found (.+?)\.?$/.exec(detail);
  if (expected) return `此处应为 ${expected[1]}，实际为 ${expected[2]!.replace('<EOF>', '查询结尾')}`;
  const unexpected = /^Unexpected (.+?)\.?$/.exec(detail);
  if (unexpected) return `意外的 ${unexpected[1]!.replace('<EOF>', '查询结尾')}`;
  return detail;
}

/** the reason graphql-js gives for a bad value */
function valueDetail(why: string): string {
  const expected = /^Expected type "([^"]+)"\.?\s*(.*)$/s.exec(why);
  if (expected) return `应为 ${expected[1]} 类型${expected[2] ? `（${valueDetail(expected[2])}）` : ''}`;
  const scalar = /^(Int|Float|String|Boolean|ID) cannot represent (?:a )?[^:]*?:? ?(.*)$/s.exec(why);
  if (scalar) return `${scalar[1]} 类型不能表示 ${scalar[2]}`;
  const field = /^Field "([^"]+)" of required type "([^"]+)" was not provided\.?$/.exec(why);
  if (field) return `缺少必填字段 ${field[1]}（类型 ${field[2]}）`;
  const unknown = /^Field "([^"]+)" is not defined by type "([^"]+)"\.?.*$/s.exec(why);
  if (unknown) return `类型 ${unknown[2]} 没有字段 ${unknown[1]}`;
  const enumValue = /^Value "([^"]+)" does not exist in "([^"]+)" enum\.?.*$/s.exec(why);
  if (enumValue) return `枚举 ${enumValue[2]} 没有值 ${enumValue[1]}`;
  return why;
}

/** the Chinese message for a graphql-js / Apollo request error, or null when it is not one of the known shapes */
export function chineseGraphqlMessage(message: string): string | null {
  // graphql-js ends some messages with a suggestion (kept when the schema is public)
  const [, base = message, suggestion] = /^(.*?)\s*Did you mean (.*?)\??$/s.exec(message) ?? [];
  for (const [pattern, say] of RULES) {
    const m = pattern.exec(base);
    if (m) return say(...m.slice(1).map((g) => g ?? '')) + (suggestion ? `；是否想写 ${suggestion.replace(/ or /g, ' 或 ')}？` : '');
  }
  return null;
}
