import { parseArgs } from 'node:util';
import { ConfigError } from '../config/loadConfig.js';

const USAGE = `用法 (usage): liandong <命令> [选项]

  start [--config FILE] [--data-dir DIR] [--port N] [--host H] [--no-demo]
                         嵌入式平台（单进程）：GraphQL + GraphiQL + HTTP 接入
  publish --file F.json [--url U] [--token T]
                         向运行中的平台发送 CloudEvents，逐条打印结果
  publish --kafka --file F.json --agency ID [--brokers B]
                         把 CloudEvents 写入本机构的 Kafka 主题（key = subject）
  ingest [--config FILE] [--brokers B] [--data-dir DIR]
                         分布式接入进程：Kafka 机构主题 → 事件存储（KAFKA_BROKERS、DATABASE_URL）
  help                   显示本说明

每个选项也可用环境变量设置：LIANDONG_CONFIG、LIANDONG_DATA_DIR、LIANDONG_PORT、LIANDONG_HOST、KAFKA_BROKERS、DATABASE_URL …`;

/** The CLI: parses flags (environment variables as defaults) and hands over to one composition root. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start': {
        const { values } = parseArgs({
          args: rest,
          options: {
            config: { type: 'string' },
            'data-dir': { type: 'string' },
            port: { type: 'string' },
            host: { type: 'string' },
            'no-demo': { type: 'boolean', default: false },
          },
          strict: true,
        });
        const { startEmbedded } = await import('../main/embedded.js');
        const port = Number(values.port ?? process.env.LIANDONG_PORT ?? 4000);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`端口号无效：${values.port}`);
        const platform = await startEmbedded({
          configPath: values.config ?? process.env.LIANDONG_CONFIG,
          dataDir: values['data-dir'] ?? process.env.LIANDONG_DATA_DIR ?? './data',
          port,
          host: values.host ?? process.env.LIANDONG_HOST ?? '127.0.0.1',
          demo: !values['no-demo'] && process.env.LIANDONG_DEMO !== 'off',
        });
        return await platform.stopped;
      }
      case 'publish': {
        const { values } = parseArgs({
          args: rest,
          options: {
            file: { type: 'string' },
            url: { type: 'string' },
            token: { type: 'string' },
            // --- Kafka (issue 5) ---
            kafka: { type: 'boolean', default: false },
            brokers: { type: 'string' },
            agency: { type: 'string' },
          },
          strict: true,
        });
        if (!values.file) throw new UsageError('publish 需要 --file F.json');
        if (values.kafka) {
          if (!values.agency) throw new UsageError('publish --kafka 需要 --agency ID（本机构 id，决定写入的主题）');
          const { publishFileToKafka } = await import('../kafka/publisher.js');
          const { consoleLog } = await import('../kafka/kafkaClient.js');
          return await publishFileToKafka({ file: values.file, agency: values.agency, brokers: values.brokers, env: process.env, log: consoleLog('kafka') });
        }
        const { publishFile } = await import('./publish.js');
        return await publishFile({
          file: values.file,
          url: values.url ?? process.env.LIANDONG_URL ?? 'http://127.0.0.1:4000',
          token: values.token ?? process.env.LIANDONG_TOKEN,
        });
      }
      // --- Kafka (issue 5): distributed-mode ingest process ---
      case 'ingest': {
        const { values } = parseArgs({
          args: rest,
          options: { config: { type: 'string' }, brokers: { type: 'string' }, 'data-dir': { type: 'string' } },
          strict: true,
        });
        const { startIngest } = await import('../main/ingest.js');
        const ingest = await startIngest({
          configPath: values.config ?? process.env.LIANDONG_CONFIG,
          brokers: values.brokers,
          databaseUrl: process.env.DATABASE_URL,
          dataDir: values['data-dir'] ?? process.env.LIANDONG_DATA_DIR,
          env: process.env,
        });
        return await ingest.stopped;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`未知命令 "${command}"`);
    }
  } catch (e) {
    if (e instanceof ConfigError || (e as Error | undefined)?.constructor?.name === 'StartupError') {
      console.error((e as Error).message);
      return 2;
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

class UsageError extends Error {}
