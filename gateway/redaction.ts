/** What the access log may keep of a request's variables and arguments (ports/accessLog.ts AccessEntry.variables). */

/** values under these names are never written to the log */
const SECRET_NAME = /pass(word|wd)?|secret|token|authori[sz]ation|credential|api[-_]?key|private[-_]?key|cookie/i;
export const REDACTED = '[已隐去]';
const MAX_STRING = 1000;
const MAX_VARIABLES_BYTES = 16 * 1024;

export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

/** the variables as they may be kept: secrets replaced, long strings cut, the whole bounded */
export function redactVariables(variables: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (variables === null || variables === undefined || Object.keys(variables).length === 0) return null;
  const redact = (value: unknown, name: string | null, depth: number): unknown => {
    if (name !== null && isSecretName(name)) return REDACTED;
    if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…（共 ${value.length} 字符）` : value;
    if (value === null || typeof value !== 'object') return value;
    if (depth > 10) return '…';
    if (Array.isArray(value)) return value.map((item) => redact(item, null, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, key, depth + 1)]));
  };
  const redacted = redact(variables, null, 0) as Record<string, unknown>;
  const size = Buffer.byteLength(JSON.stringify(redacted));
  return size > MAX_VARIABLES_BYTES ? { _omitted: `变量共 ${size} 字节，超过 ${MAX_VARIABLES_BYTES} 字节，未记录` } : redacted;
}
