import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/loadConfig.js';
import { Interrupted } from './interrupt.js';
import { boundHeapGrowth, heapGrowingPercent } from '../heapGrowth.js';

/** each command's own help (`liandong <命令> --help`); the overview is all of them */
const COMMANDS: readonly { name: string; help: string }[] = [
  {
    name: 'start',
    help: `  start [--config FILE] [--data-dir DIR] [--port N] [--host H] [--no-demo]
                         嵌入式平台（单进程）：GraphQL + GraphiQL + HTTP 接入`,
  },
  {
    name: 'publish',
    help: `  publish --file F.json [--url U] [--token T]
                         向运行中的平台发送 CloudEvents，逐条打印结果
  publish --kafka --file F.json --agency ID [--brokers B]
                         把 CloudEvents 写入本机构的 Kafka 主题（key = subject）`,
  },
  {
    name: 'ingest',
    help: `  ingest [--config FILE] [--brokers B] [--data-dir DIR] [--port N] [--host H]
                         分布式接入进程：Kafka 机构主题 → 事件存储（KAFKA_BROKERS、DATABASE_URL）
                         /healthz /readyz /metrics 默认在端口 4002`,
  },
  {
    name: 'project',
    help: `  project [--config FILE] [--port N] [--host H]
                         分布式投影进程：事件存储 → Redis 读模型；多副本时由租约选出唯一写入者
                         （DATABASE_URL 或 EVENTSTORE_URL、REDIS_URL、REDIS_KEY_PREFIX、LIANDONG_LEASE_TTL_MS）`,
  },
  {
    name: 'gateway',
    help: `  gateway [--config FILE] [--port N] [--host H]
                         分布式网关进程（无状态，可多副本）：GraphQL + HTTP 接入 + /healthz /readyz /metrics`,
  },
  {
    name: 'replay',
    help: `  replay [--projection NAME] [--config FILE] [--data-dir DIR]
                         从事件库重建读模型到临时空间，逐个投影比对摘要，列出不同之处（有不同则退出码 1）`,
  },
  {
    name: 'audit',
    help: `  audit verify [--stream S] [--public-key FILE]… [--config FILE] [--data-dir DIR]
                         校验哈希链与签名检查点；有问题则退出码 1，并指出第一个出问题的位置
  audit checkpoint [--config FILE] [--data-dir DIR]
                         立即写一个签名检查点（分布式模式可由定时任务调用）`,
  },
  {
    name: 'bench',
    help: `  bench                  基准测试（在开发检出目录中运行 npm run bench，需要开发依赖）`,
  },
  {
    name: 'help',
    help: `  help [命令]            显示本说明或某个命令的说明；每个命令也接受 --help（-h）
  --version              显示版本号`,
  },
];

const ENVIRONMENT = '每个选项也可用环境变量设置：LIANDONG_CONFIG、LIANDONG_DATA_DIR、LIANDONG_PORT、LIANDONG_HOST、KAFKA_BROKERS、DATABASE_URL、EVENTSTORE_URL、REDIS_URL …\n日志：LIANDONG_LOG_FORMAT=json|pretty（默认：终端上为易读文本，否则每行一个 JSON 对象），LIANDONG_LOG_LEVEL（默认 info）';

const USAGE = `用法 (usage): liandong <命令> [选项]    （在项目目录中：npm exec liandong -- <命令> [选项]）

${COMMANDS.map((c) => c.help).join('\n')}

${ENVIRONMENT}`;

const commandUsage = (name: string): string => {
  const command = COMMANDS.find((c) => c.name === name)!;
  const synopsis = name === 'help' ? '' : name === 'audit' ? 'audit verify|checkpoint ' : `${name} `;
  return `用法 (usage): liandong ${synopsis}[选项]\n\n${command.help}\n\n${ENVIRONMENT}`;
};

/** the version in the package.json beside the program (sources under tsx, or compiled under dist/) */
export function programVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)), i = 0; i < 5; dir = dirname(dir), i++) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'liandong' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

/**
 * The CLI as a process runs it (bin/liandong.mjs, dist/infra/cli/run.js): the process-wide settings first, then the
 * command. Tests call main() in their own process and leave its settings alone.
 */
export async function runAsProcess(argv: string[]): Promise<number> {
  const percent = heapGrowingPercent(process.env);
  if (typeof percent === 'string') {
    console.error(percent);
    return 2;
  }
  boundHeapGrowth(percent);
  return main(argv);
}

/** The CLI: parses flags (environment variables as defaults) and hands over to one composition root. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V' || command === 'version') {
    console.log(`liandong ${programVersion()}（Node.js ${process.version}）`);
    return 0;
  }
  // `liandong <命令> --help` and `liandong help <命令>`: that command's help, exit 0, nothing started
  const known = (name: string | undefined): name is string => name !== undefined && COMMANDS.some((c) => c.name === name);
  if (known(command) && command !== 'help' && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(commandUsage(command));
    return 0;
  }
  if ((command === 'help' || command === '--help' || command === '-h') && rest.length > 0) {
    if (!known(rest[0])) {
      console.error(`未知命令 "${rest[0]}"\n\n${USAGE}`);
      return 2;
    }
    console.log(commandUsage(rest[0]));
    return 0;
  }
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
          options: { config: { type: 'string' }, brokers: { type: 'string' }, 'data-dir': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
          strict: true,
        });
        const port = Number(values.port ?? process.env.LIANDONG_PORT ?? 4002);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`端口号无效：${values.port ?? process.env.LIANDONG_PORT}`);
        const { startIngest } = await import('../main/ingest.js');
        const ingest = await startIngest({
          configPath: values.config ?? process.env.LIANDONG_CONFIG,
          brokers: values.brokers,
          databaseUrl: process.env.DATABASE_URL,
          dataDir: values['data-dir'] ?? process.env.LIANDONG_DATA_DIR,
          port,
          host: values.host ?? process.env.LIANDONG_HOST ?? '127.0.0.1',
          env: process.env,
        });
        return await ingest.stopped;
      }
      // --- distributed mode (issue 6): projector and gateway processes ---
      case 'project':
      case 'gateway': {
        const { values } = parseArgs({
          args: rest,
          options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
          strict: true,
        });
        const port = Number(values.port ?? process.env.LIANDONG_PORT ?? (command === 'gateway' ? 4000 : 4001));
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`端口号无效：${values.port ?? process.env.LIANDONG_PORT}`);
        const options = {
          configPath: values.config ?? process.env.LIANDONG_CONFIG,
          port,
          host: values.host ?? process.env.LIANDONG_HOST ?? '127.0.0.1',
          env: process.env,
        };
        const started =
          command === 'project' ? await (await import('../main/project.js')).startProject(options) : await (await import('../main/gateway.js')).startGateway(options);
        return await started.stopped;
      }
      // --- end distributed mode ---
      // --- bench (issue 8): not in the production CLI; the benchmark needs the development dependencies (bench/cli.ts) ---
      case 'bench':
        console.error('基准测试不在生产命令中：请在开发检出目录（已安装开发依赖）中运行 npm run bench（或 npm run bench -- --quick）');
        return 2;
      // --- end bench ---
      // --- audit (issue 7): replay, audit verify, audit checkpoint ---
      case 'replay':
      case 'audit': {
        const sub = command === 'audit' ? rest[0] : undefined;
        if (command === 'audit' && sub !== 'verify' && sub !== 'checkpoint') throw new UsageError(`audit 的子命令只能是 verify 或 checkpoint（收到 ${sub ?? '空'}）`);
        const { values } = parseArgs({
          args: command === 'audit' ? rest.slice(1) : rest,
          options: {
            config: { type: 'string' },
            'data-dir': { type: 'string' },
            ...(command === 'replay' ? { projection: { type: 'string' as const } } : {}),
            ...(sub === 'verify' ? { stream: { type: 'string' as const }, 'public-key': { type: 'string' as const, multiple: true as const } } : {}),
          },
          strict: true,
        });
        const audit = await import('./audit.js');
        const dataDir = values['data-dir'] ?? process.env.LIANDONG_DATA_DIR;
        const common = { configPath: values.config ?? process.env.LIANDONG_CONFIG, dataDir: dataDir ?? './data', dataDirGiven: dataDir !== undefined, env: process.env };
        const option = (name: string): string | undefined => (values as Record<string, unknown>)[name] as string | undefined;
        try {
          if (command === 'replay') return await audit.replayCommand({ ...common, ...(option('projection') ? { projection: option('projection')! } : {}) });
          if (sub === 'checkpoint') return await audit.auditCheckpointCommand(common);
          const publicKeyFiles = ((values as Record<string, unknown>)['public-key'] as string[] | undefined) ?? [];
          return await audit.auditVerifyCommand({ ...common, publicKeyFiles, ...(option('stream') ? { stream: option('stream')! } : {}) });
        } catch (e) {
          if (e instanceof audit.AuditCommandError) {
            console.error(e.message);
            return 2;
          }
          throw e;
        }
      }
      // --- end audit ---
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
    // issue 13: stopped by Ctrl+C / SIGTERM during start-up (the demo load): one line, 130 / 143
    if (e instanceof Interrupted) {
      console.error(e.message);
      return e.exitCode;
    }
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
