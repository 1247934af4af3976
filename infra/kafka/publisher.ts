/**
 * `liandong publish --kafka`: what an agency's integrator runs to try the Kafka path by hand. Each
 * event goes to the agency's own topic in structured mode with key = subject.
 */
import { readFileSync } from 'node:fs';
import { Partitioners } from 'kafkajs';
import { encodeStructured } from './cloudEventsBinding.js';
import { createKafka, type Log } from './kafkaClient.js';
import { KafkaSettingsError, kafkaSettingsFromEnv, type KafkaSettings } from './settings.js';
import { agencyTopic, rejectionsTopic } from './topics.js';

export async function publishFileToKafka(options: {
  file: string;
  agency: string;
  /** --brokers, over KAFKA_BROKERS */
  brokers: string | undefined;
  env: NodeJS.ProcessEnv;
  log: Log;
}): Promise<number> {
  const { agency } = options;
  let settings: KafkaSettings;
  try {
    settings = kafkaSettingsFromEnv(options.env, options.brokers === undefined ? {} : { brokers: options.brokers });
  } catch (e) {
    if (!(e instanceof KafkaSettingsError)) throw e;
    console.error(e.message);
    return 2;
  }
  let events: Record<string, unknown>[];
  try {
    const parsed = JSON.parse(readFileSync(options.file, 'utf8')) as unknown;
    events = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
  } catch (e) {
    console.error(`无法读取 ${options.file}：${(e as Error).message}`);
    return 2;
  }
  const topic = agencyTopic(settings.topicPrefix, agency);
  for (const event of events) {
    if (event?.source !== agency) console.warn(`注意：事件 ${String(event?.id)} 的 source "${String(event?.source)}" 不是 ${agency}，平台会以 unauthorized 退回`);
  }

  const producer = createKafka(settings, options.log).producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const event of events) {
      const message = encodeStructured(event);
      // one send per event, awaited: the order of the file is kept and each line can name its offset
      const [meta] = await producer.send({ topic, acks: -1, messages: [message] });
      console.log(`${String(event?.id ?? '(无 id)')}\tkey ${message.key ?? '(无)'}\t→ ${topic} 分区 ${meta?.partition} 位移 ${meta?.baseOffset}`);
    }
  } catch (e) {
    console.error(`写入 Kafka 主题 ${topic} 失败：${(e as Error).message}\n（主题由平台的 ingest 进程启动时创建；请确认机构 id 与 Kafka 地址 ${settings.brokers.join(',')}）`);
    return 1;
  } finally {
    await producer.disconnect();
  }
  console.log(
    `共 ${events.length} 条已写入 ${topic}。Kafka 接入是异步的：被退回的事件会出现在主题 ${rejectionsTopic(settings.topicPrefix)}（key = ${agency}）` +
      '并可在 GraphQL rejections 中查询；接收和重复的事件不回执。',
  );
  return 0;
}
