/** The kafkajs client, with its log lines routed through one namespaced logger. */
import { Kafka, logLevel as KafkaLogLevel, type logCreator, type SASLOptions } from 'kafkajs';
import type { KafkaSettings } from './settings.js';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** `[namespace] message` on stdout/stderr */
export const consoleLog = (namespace: string): Log => ({
  info: (m) => console.log(`[${namespace}] ${m}`),
  warn: (m) => console.warn(`[${namespace}] ${m}`),
  error: (m) => console.error(`[${namespace}] ${m}`),
});

export const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

const kafkajsLogCreator =
  (log: Log): logCreator =>
  () =>
  ({ namespace, level, log: entry }) => {
    const { message, error } = entry as { message: string; error?: string };
    const line = `kafkajs ${namespace}: ${message}${error ? ` (${error})` : ''}`;
    if (level <= KafkaLogLevel.ERROR) log.error(line);
    else if (level === KafkaLogLevel.WARN) log.warn(line);
    else log.info(line);
  };

/**
 * `ssl`/`sasl` are optional so callers that build settings by hand (tests, tools) keep a plaintext client. kafkajs
 * keeps state on the sasl object it is given (its authentication provider), so each client gets its own copy.
 */
export function createKafka(settings: Pick<KafkaSettings, 'brokers' | 'clientId' | 'logLevel'> & Partial<Pick<KafkaSettings, 'ssl' | 'sasl'>>, log: Log): Kafka {
  const { ssl, sasl } = settings;
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...(ssl ? { ssl: ssl.ca === undefined ? true : { ca: [ssl.ca] } } : {}),
    // kafkajs types each mechanism apart; both of ours take a user name and password
    ...(sasl ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions } : {}),
    logLevel: settings.logLevel,
    logCreator: kafkajsLogCreator(log),
    connectionTimeout: 5000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8 },
  });
}
