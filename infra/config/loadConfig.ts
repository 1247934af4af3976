import { readFileSync } from 'node:fs';
import { findNodeAtLocation, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { configSchema, type PlatformConfig } from './schema.js';

/** zod's own Chinese messages for whatever a schema does not word itself (passed per parse: no global setting) */
const zhCN = z.locales.zhCN().localeError;

/** jsonc-parser's error codes in Chinese (printParseErrorCode gives the English identifiers) */
const JSON_ERRORS: Record<string, string> = {
  InvalidSymbol: '无效的符号',
  InvalidNumberFormat: '数字格式错误',
  PropertyNameExpected: '此处应为属性名',
  ValueExpected: '此处应为值（多余的逗号？）',
  ColonExpected: '此处应为冒号',
  CommaExpected: '此处应为逗号',
  CloseBraceExpected: '缺少右花括号 }',
  CloseBracketExpected: '缺少右方括号 ]',
  EndOfFileExpected: '此处应已结束（多余的内容）',
  InvalidCommentToken: '不允许注释',
  UnexpectedEndOfComment: '注释未结束',
  UnexpectedEndOfString: '字符串未结束',
  UnexpectedEndOfNumber: '数字未结束',
  InvalidUnicode: '无效的 Unicode 转义',
  InvalidEscapeCharacter: '无效的转义字符',
  InvalidCharacter: '无效的字符',
};

/** A config that must not start the platform. The message names the file, line and what to fix. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`配置文件 ${file} 有误，平台未启动：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

/** Parse and validate; every problem is reported with the line it is on. */
export function parseConfig(text: string, file: string): PlatformConfig {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || !tree) {
    throw new ConfigError(
      file,
      errors.map((e) => `第 ${lineOf(text, e.offset)} 行：JSON 语法错误：${JSON_ERRORS[printParseErrorCode(e.error)] ?? printParseErrorCode(e.error)}`),
    );
  }
  const where = (path: (string | number)[]): string => {
    for (let n = path.length; n >= 0; n--) {
      const node = findNodeAtLocation(tree, path.slice(0, n));
      if (node) return `第 ${lineOf(text, node.offset)} 行 (${path.join('.') || '根'})`;
    }
    return path.join('.');
  };
  const parsed = configSchema.safeParse(JSON.parse(text), { error: zhCN });
  if (!parsed.success) {
    throw new ConfigError(
      file,
      parsed.error.issues.map((i) => `${where(i.path as (string | number)[])}：${i.message}`),
    );
  }
  const config = parsed.data;
  const problems = crossCheck(config).map(([path, message]) => `${where(path)}：${message}`);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

/** Rules that span entries: unique ids, references to configured agencies. */
function crossCheck(config: PlatformConfig): [(string | number)[], string][] {
  const problems: [(string | number)[], string][] = [];
  const agencyIds = new Set<string>();
  config.agencies.forEach((a, i) => {
    if (agencyIds.has(a.id)) problems.push([['agencies', i, 'id'], `机构 id "${a.id}" 重复`]);
    agencyIds.add(a.id);
  });
  const principalNames = new Set<string>();
  const tokens = new Set<string>();
  config.principals.forEach((p, i) => {
    if (principalNames.has(p.name)) problems.push([['principals', i, 'name'], `principal 名称 "${p.name}" 重复`]);
    principalNames.add(p.name);
    if (!agencyIds.has(p.agencyId)) problems.push([['principals', i, 'agencyId'], `未知机构 "${p.agencyId}"（请先在 agencies 中配置）`]);
    const secret = p.token ?? p.tokenSha256 ?? '';
    if (tokens.has(secret)) problems.push([['principals', i], 'token 与另一个 principal 相同']);
    tokens.add(secret);
  });
  const byId = new Map(config.agencies.map((a) => [a.id, a]));
  config.agencies.forEach((a, i) => {
    for (const field of ['parentId', 'supervisorId'] as const) {
      const ref = a[field];
      if (ref === undefined) continue;
      if (!agencyIds.has(ref)) problems.push([['agencies', i, field], `未知机构 "${ref}"（请先在 agencies 中配置）`]);
      else if (ref === a.id) problems.push([['agencies', i, field], `机构 "${a.id}" 不能以自身为${field === 'parentId' ? '上级单位' : '上一级主管部门'}`]);
    }
    if (a.supervisorId !== undefined && a.kind !== 'government') {
      problems.push([['agencies', i, 'supervisorId'], `只有行政机关（government）配置上一级主管部门（supervisorId），"${a.id}" 是 ${a.kind}`]);
    } else if (a.supervisorId !== undefined && byId.get(a.supervisorId) !== undefined && byId.get(a.supervisorId)!.kind !== 'government') {
      problems.push([['agencies', i, 'supervisorId'], `上一级主管部门 "${a.supervisorId}" 应为行政机关（government）`]);
    }
    // a parent chain must end: a 司法所 under a 司法局 under … never under itself
    const seen = new Set([a.id]);
    for (let p = a.parentId === a.id ? undefined : a.parentId; p !== undefined; p = byId.get(p)?.parentId) {
      if (seen.has(p)) {
        problems.push([['agencies', i, 'parentId'], `上级单位关系成环（${[...seen, p].join(' → ')}）`]);
        break;
      }
      seen.add(p);
    }
  });
  config.notifications.webhooks.forEach((hook, i) => {
    if (!agencyIds.has(hook.agencyId)) problems.push([['notifications', 'webhooks', i, 'agencyId'], `未知机构 "${hook.agencyId}"（请先在 agencies 中配置）`]);
  });
  config.copyNoticeRecipients.forEach((id, i) => {
    if (!agencyIds.has(id)) problems.push([['copyNoticeRecipients', i], `未知机构 "${id}"`]);
  });
  return problems;
}

/**
 * What an accepted config says that no longer does anything: one Chinese line each, printed once at startup by
 * the processes that serve GraphQL (infra/main/embedded.ts, infra/main/gateway.ts).
 */
export function configWarnings(config: PlatformConfig): string[] {
  const warnings: string[] = [];
  if (config.graphql.answerCacheMiB !== undefined) {
    warnings.push(`配置项 graphql.answerCacheMiB（${config.graphql.answerCacheMiB}）已不再起作用：GraphQL 应答缓存已移除，每次查询直接读取读模型；可从配置文件中删除此项`);
  }
  return warnings;
}

export function loadConfigFile(file: string): PlatformConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`无法读取文件：${(e as Error).message}`]);
  }
  return parseConfig(text, file);
}
