import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';
export type LogFormat = 'json' | 'pretty';

/**
 * operations.md "Logs": one JSON object per line on stdout whenever stdout is not a terminal, readable lines for
 * people at a terminal; LIANDONG_LOG_FORMAT=json|pretty forces either. LIANDONG_LOG_LEVEL (pino's names, default
 * info) sets how much.
 */
export function logFormatFrom(env: NodeJS.ProcessEnv, stdout: { isTTY?: boolean } = process.stdout): LogFormat {
  const forced = env.LIANDONG_LOG_FORMAT?.trim().toLowerCase();
  if (forced === 'json' || forced === 'pretty') return forced;
  return stdout.isTTY ? 'pretty' : 'json';
}

export interface ProcessLogger {
  logger: Logger;
  format: LogFormat;
  /**
   * A start or stop banner: at a terminal, the lines as written for people; in JSON, one record with `msg` and
   * the fields a machine needs (never a token).
   */
  banner(lines: readonly string[], msg: string, fields?: Record<string, unknown>): void;
}

/** Nothing secret is logged: these keys are censored wherever they appear in a record. */
const REDACT = ['token', 'tokenSha256', 'secret', 'authorization', 'req.headers.authorization', '*.token', '*.secret', '*.authorization', 'signingKey'];

/** The logger of one process; `destination` is for tests (default: stdout, written synchronously so nothing is lost on exit). */
export function createProcessLogger(options: { env?: NodeJS.ProcessEnv; format?: LogFormat; destination?: { write(line: string): void } } = {}): ProcessLogger {
  const env = options.env ?? process.env;
  const format = options.format ?? logFormatFrom(env);
  const out = options.destination ?? { write: (line: string) => void process.stdout.write(line) };
  const stream: DestinationStream = format === 'json' ? out : { write: (line: string) => out.write(readable(line)) };
  const logger = pino(
    {
      level: env.LIANDONG_LOG_LEVEL?.trim() || 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // level names, not numbers: `"level":"error"` is what log shippers and people grep for
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: stdSerializers.err },
      redact: { paths: REDACT, censor: '[已隐去]' },
    },
    stream,
  );
  return {
    logger,
    format,
    banner: (lines, msg, fields = {}) => (format === 'pretty' ? out.write(`${lines.join('\n')}\n`) : logger.info(fields, msg)),
  };
}

const LEVEL_NAMES: Record<string, string> = { trace: '跟踪', debug: '调试', info: '信息', warn: '警告', error: '错误', fatal: '致命' };
const OMIT = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'ns', 'err']);

/** a pino record as one line for a person: `12:03:04 警告 [ns] message key=value …` plus an error's stack */
function readable(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record.time === 'string' ? new Date(record.time).toTimeString().slice(0, 8) : '';
  const level = LEVEL_NAMES[String(record.level)] ?? String(record.level);
  const ns = record.ns ? ` [${String(record.ns)}]` : '';
  const fields = Object.entries(record)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const err = record.err as { message?: string; stack?: string } | undefined;
  const error = err ? `\n${err.stack ?? err.message ?? ''}` : '';
  return `${time} ${level}${ns} ${String(record.msg ?? '')}${fields ? `  ${fields}` : ''}${error}\n`;
}

/** The small string-message log the Kafka and lease code take, as a namespaced child of the process logger. */
export function namespaced(logger: Logger, ns: string): { info(m: string): void; warn(m: string): void; error(m: string): void; child: Logger } {
  const child = logger.child({ ns });
  return { info: (m) => child.info(m), warn: (m) => child.warn(m), error: (m) => child.error(m), child };
}
