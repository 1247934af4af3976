// 用 kafkajs 向联动平台发布一个事件：结构化 CloudEvents，写入本机构主题，key = subject（案件编号）。
// 运行：npm install kafkajs && KAFKA_BROKERS=127.0.0.1:9092 AGENCY=yl-court node publish-kafkajs.mjs
import { Kafka, Partitioners } from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const agency = process.env.AGENCY ?? 'yl-court'; // 本机构 id：只能写本机构的主题，source 也必须是它
const topic = `liandong.agency.${agency}`;

const event = {
  specversion: '1.0',
  id: 'reg-YL-2024-0001', // 本机构内永久唯一；重发同一 id 只会得到 duplicate，不会重复入库
  source: agency,
  type: 'case.registered',
  subject: 'YL-2024-0001', // 案件编号
  time: new Date().toISOString(), // 事情在本机构发生的时间（带时区）
  data: {
    kind: 'civil_dispute',
    title: '某商贸有限公司与某建设公司买卖合同纠纷',
    parties: [
      { name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' },
      { name: '某建设有限公司', role: 'defendant', type: 'enterprise' },
    ],
    privateEnterprise: true,
  },
};

const kafka = new Kafka({ clientId: `${agency}-case-system`, brokers });
// DefaultPartitioner = Java 客户端的 murmur2 分区：同一案件（同一 key）永远进同一分区，保证顺序
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });

await producer.connect();
try {
  const [result] = await producer.send({
    topic,
    acks: -1, // 等所有副本写入后才算发送成功
    messages: [{ key: event.subject, value: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json' } }],
  });
  console.log(`已写入 ${topic} 分区 ${result.partition} 位移 ${result.baseOffset}`);
} finally {
  await producer.disconnect();
}
