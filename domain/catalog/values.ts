/**
 * Value checks the domain needs without a validator library: real calendar dates, RFC 3339 times with an
 * offset, and a small interpreter for the JSON Schema subset the catalog uses — so a command built outside
 * the ingest pipeline (GraphQL, tests, replays of old data) meets exactly the same shape rules as ajv applies.
 */
import type { JsonSchema } from './schemas.js';
import { DATE_PATTERN, TIME_PATTERN } from './schemas.js';
import { isIsoDate as isCalendarDate } from '../deadlines/index.js';

const DATE_RE = new RegExp(DATE_PATTERN);
const TIME_RE = new RegExp(TIME_PATTERN);

/** `YYYY-MM-DD` naming a day that exists (2024-02-29 yes, 2023-02-29 no). */
export const isIsoDate = (value: unknown): value is string => typeof value === 'string' && DATE_RE.test(value) && isCalendarDate(value);

/** RFC 3339 date-time with an offset, naming a real instant. */
export const isRfc3339 = (value: unknown): value is string => {
  if (typeof value !== 'string' || !TIME_RE.test(value)) return false;
  if (!isIsoDate(value.slice(0, 10))) return false;
  const hh = Number(value.slice(11, 13));
  const mm = Number(value.slice(14, 16));
  const ss = Number(value.slice(17, 19));
  if (hh > 23 || mm > 59 || ss > 60) return false;
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(value);
  if (offset && (Number(offset[2]) > 23 || Number(offset[3]) > 59)) return false;
  return !Number.isNaN(Date.parse(value));
};

const typeOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

const fits = (expected: string, value: unknown): boolean => {
  const actual = typeOf(value);
  return actual === expected || (expected === 'number' && actual === 'integer');
};

/**
 * The catalog's patterns, compiled once each: every command built from a fact is checked here, so building
 * a RegExp per check was most of the cost. A constant table derived from the catalog, not state.
 */
const compiledPatterns = new Map<string, RegExp>();
const patternOf = (source: string): RegExp => {
  let re = compiledPatterns.get(source);
  if (re === undefined) compiledPatterns.set(source, (re = new RegExp(source, 'u')));
  return re;
};

/**
 * Is the length in code points (what JSON Schema's minLength/maxLength count) at least `min` / at most
 * `max`? A string of n UTF-16 units holds between n/2 and n code points, so the count is needed only near
 * the bounds.
 */
const codePointsAtLeast = (value: string, min: number): boolean => value.length / 2 >= min || countCodePoints(value) >= min;
const codePointsAtMost = (value: string, max: number): boolean => value.length <= max || countCodePoints(value) <= max;
const countCodePoints = (value: string): number => {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    // a high surrogate followed by a low one is one code point
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
};

const TYPE_NAMES: Record<string, string> = {
  object: '对象',
  array: '数组',
  string: '字符串',
  boolean: '布尔值',
  integer: '整数',
  number: '数字',
};

/**
 * Checks `value` against the catalog's schema subset. Returns the first problem in Chinese (with the JSON
 * path), or null when it fits.
 */
export const schemaProblem = (schema: JsonSchema, value: unknown, path = 'data'): string | null => {
  const s = schema as Record<string, unknown>;
  if (typeof s.type === 'string' && !fits(s.type, value)) return `${path} 应为${TYPE_NAMES[s.type] ?? s.type}`;
  if ('const' in s && value !== s.const) return `${path} 应为 ${JSON.stringify(s.const)}`;
  if (Array.isArray(s.enum) && !s.enum.includes(value)) return `${path} 的值 ${JSON.stringify(value)} 不在允许范围内（${s.enum.join('、')}）`;
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && !codePointsAtLeast(value, s.minLength)) return s.minLength === 1 ? `${path} 不能为空` : `${path} 至少 ${s.minLength} 个字符`;
    if (typeof s.maxLength === 'number' && !codePointsAtMost(value, s.maxLength)) return `${path} 不能超过 ${s.maxLength} 个字符`;
    if (typeof s.pattern === 'string' && !patternOf(s.pattern).test(value)) {
      return s.pattern === DATE_PATTERN ? `${path} 应为日期 YYYY-MM-DD` : `${path} 的格式不正确`;
    }
    if (s.pattern === DATE_PATTERN && !isIsoDate(value)) return `${path} 不是存在的日期（${value}）`;
    if (s.format === 'date-time' && !isRfc3339(value)) return `${path} 应为带时区的 RFC 3339 时间`;
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) return `${path} 不能小于 ${s.minimum}`;
    if (typeof s.maximum === 'number' && value > s.maximum) return `${path} 不能大于 ${s.maximum}`;
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) return `${path} 至少需要 ${s.minItems} 项`;
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) return `${path} 不能超过 ${s.maxItems} 项`;
    if (s.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) return `${path} 中有重复项`;
    if (s.items && typeof s.items === 'object') {
      for (let i = 0; i < value.length; i++) {
        const problem = schemaProblem(s.items as JsonSchema, value[i], `${path}[${i}]`);
        if (problem) return problem;
      }
    }
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    for (const key of (s.required ?? []) as string[]) {
      if (!(key in obj) || obj[key] === undefined) return `缺少必填字段 ${path}.${key}`;
    }
    for (const [key, child] of Object.entries(obj)) {
      const childSchema = properties[key];
      if (!childSchema) {
        if (s.additionalProperties === false) return `${path} 中不允许出现字段 ${key}`;
        continue;
      }
      const problem = schemaProblem(childSchema, child, `${path}.${key}`);
      if (problem) return problem;
    }
  }
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf as JsonSchema[]) {
      const problem = schemaProblem(part, value, path);
      if (problem) return problem;
    }
  }
  if (s.if && typeof s.if === 'object' && s.then && typeof s.then === 'object') {
    if (schemaProblem(s.if as JsonSchema, value, path) === null) {
      const problem = schemaProblem(s.then as JsonSchema, value, path);
      if (problem) return problem;
    }
  }
  return null;
};
