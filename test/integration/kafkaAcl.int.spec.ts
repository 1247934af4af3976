/**
 * Kafka security on the real broker (operations.md "Kafka", issue 18 item 4). Over the SASL_SSL listener that
 * scripts/services.sh adds (certificate from its local CA, SCRAM users, StandardAuthorizer with one WRITE/DESCRIBE
 * ACL per agency topic), clients built exactly as the platform builds them — kafkaSettingsFromEnv → createKafka,
 * from KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_* — show that an agency's user writes its own topic and is refused
 * another agency's topic and the platform's, and that a wrong password or an unknown user cannot log in.
 *
 * Where the listener, CA and passwords are: the file services.sh writes, $LIANDONG_CACHE/kafka-<port>-sasl.env
 * (port of KAFKA_BROKERS), or KAFKA_SASL_ENV_FILE. Without it the suite is skipped, or fails when REQUIRE_ENGINES
 * names kafka (CI).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import { ensureTopics } from '../../infra/kafka/ensureTopics.js';
import { createKafka, silentLog } from '../../infra/kafka/kafkaClient.js';
import { kafkaSettingsFromEnv } from '../../infra/kafka/settings.js';
import { agencyTopic, rejectionsTopic } from '../../infra/kafka/topics.js';
import { kafkaBrokers, probeKafka, requiredEngines, requireEngine } from './engines.js';
import { runId } from './kafkaSupport.js';

const PREFIX = 'liandong.';

interface SaslBroker {
  brokers: string;
  caFile: string;
  platformUser: string;
  agencies: string[];
  passwords: Map<string, string>;
}

const saslEnvFile = (): string => {
  if (process.env.KAFKA_SASL_ENV_FILE) return process.env.KAFKA_SASL_ENV_FILE;
  const port = kafkaBrokers()[0]?.split(':').pop() ?? '9092';
  return join(process.env.LIANDONG_CACHE ?? join(homedir(), '.cache', 'liandong'), `kafka-${port}-sasl.env`);
};

/** the env file of services.sh and the users file it names; why not, when either is missing */
function readSaslBroker(): SaslBroker | string {
  const file = saslEnvFile();
  if (!existsSync(file)) return `${file} is missing (scripts/services.sh start writes it once the SASL_SSL users are set)`;
  const vars = new Map(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
  const usersFile = vars.get('KAFKA_SASL_USERS_FILE') ?? '';
  if (!existsSync(usersFile)) return `the users file ${usersFile} named in ${file} is missing`;
  const passwords = new Map(
    readFileSync(usersFile, 'utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f.length === 2)
      .map(([user, password]) => [user!, password!] as const),
  );
  const agencies = (vars.get('KAFKA_SASL_AGENCIES') ?? '').split(',').filter((a) => a !== '');
  if (agencies.length < 2) return `${file} names fewer than two agency users`;
  return { brokers: vars.get('KAFKA_SASL_BROKERS') ?? '', caFile: vars.get('KAFKA_SSL_CA_FILE') ?? '', platformUser: vars.get('KAFKA_SASL_PLATFORM_USER') ?? '', agencies, passwords };
}

/** the error and its causes, as kafkajs nests them (KafkaJSNonRetriableError → KafkaJSProtocolError …) */
const errorChain = (error: unknown): { name?: string; type?: string; message?: string }[] => {
  const chain: { name?: string; type?: string; message?: string; cause?: unknown; originalError?: unknown }[] = [];
  let e = error as (typeof chain)[number] | undefined;
  while (e && chain.length < 10) {
    chain.push(e);
    e = (e.cause ?? e.originalError) as (typeof chain)[number] | undefined;
  }
  return chain;
};

async function refusal(attempt: () => Promise<unknown>): Promise<ReturnType<typeof errorChain>> {
  try {
    await attempt();
  } catch (error) {
    return errorChain(error);
  }
  throw new Error('expected a refusal, the broker accepted');
}

describe('Kafka security: SASL/SCRAM over TLS and per-agency topic ACLs (real broker)', function () {
  this.timeout(120_000);
  before(requireEngine('kafka', probeKafka));

  let sasl: SaslBroker;
  const open: { disconnect(): Promise<void> }[] = [];
  const id = runId();

  before(function () {
    const found = readSaslBroker();
    if (typeof found === 'string') {
      const required = requiredEngines();
      if (required.has('kafka') || required.has('all')) throw new Error(`kafka SASL_SSL listener not set up but REQUIRE_ENGINES includes kafka: ${found}. Run: npm run services:start`);
      console.log(`kafka SASL_SSL listener not set up — skipping (${found}; run npm run services:start)`);
      this.skip();
    }
    sasl = found;
  });

  after(async function () {
    for (const client of open) await client.disconnect().catch(() => undefined);
  });

  /** a kafkajs client built as the platform builds it, from the environment variables of operations.md */
  const client = (user: string, password = sasl.passwords.get(user) ?? '', mechanism = 'scram-sha-512'): Kafka =>
    createKafka(
      kafkaSettingsFromEnv({
        KAFKA_BROKERS: sasl.brokers,
        KAFKA_CLIENT_ID: `liandong-int-acl-${id}`,
        KAFKA_LOG_LEVEL: 'nothing',
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: sasl.caFile,
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: user,
        KAFKA_SASL_PASSWORD: password,
      }),
      silentLog,
    );

  const producerOf = async (kafka: Kafka): Promise<Producer> => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    open.push(producer);
    await producer.connect();
    return producer;
  };

  const send = (producer: Producer, topic: string) =>
    producer.send({ topic, acks: -1, messages: [{ key: `ACL-${id}`, value: JSON.stringify({ run: id, at: new Date().toISOString() }) }] });

  it('lets the platform user (a super user) create the agency topics over SASL_SSL', async function () {
    const admin: Admin = client(sasl.platformUser).admin();
    open.push(admin);
    await admin.connect();
    // the topics stay between runs (the ACLs name them literally; deleting them would race a concurrent run)
    const topics = await ensureTopics(
      admin,
      sasl.agencies.map((a) => agencyTopic(PREFIX, a)),
      { partitions: 1, replicationFactor: undefined },
    );
    expect([...topics.keys()]).to.have.members(sasl.agencies.map((a) => agencyTopic(PREFIX, a)));
  });

  it('lets each agency user write its own topic, and refuses it another agency’s topic and the rejections topic', async function () {
    const [first, second] = sasl.agencies as [string, string];
    for (const [agency, other] of [
      [first, second],
      [second, first],
    ] as const) {
      const producer = await producerOf(client(agency));
      const [meta] = await send(producer, agencyTopic(PREFIX, agency));
      expect(meta?.errorCode, `${agency} → its own topic`).to.equal(0);

      for (const forbidden of [agencyTopic(PREFIX, other), rejectionsTopic(PREFIX)]) {
        const chain = await refusal(() => send(producer, forbidden));
        expect(
          chain.map((e) => e.type),
          `${agency} → ${forbidden}: ${chain.map((e) => `${e.name}: ${e.message}`).join(' ← ')}`,
        ).to.include('TOPIC_AUTHORIZATION_FAILED');
      }
      await producer.disconnect();
    }
  });

  it('accepts SCRAM-SHA-256 as well', async function () {
    const agency = sasl.agencies[0]!;
    const producer = await producerOf(client(agency, undefined, 'scram-sha-256'));
    const [meta] = await send(producer, agencyTopic(PREFIX, agency));
    expect(meta?.errorCode).to.equal(0);
    await producer.disconnect();
  });

  it('refuses a wrong password and an unknown user at login', async function () {
    const agency = sasl.agencies[0]!;
    for (const [user, password] of [
      [agency, `${sasl.passwords.get(agency)}-wrong`],
      [`nobody-${id}`, 'whatever'],
    ] as const) {
      const producer = client(user, password).producer({ createPartitioner: Partitioners.DefaultPartitioner });
      open.push(producer);
      const chain = await refusal(() => producer.connect());
      expect(
        chain.map((e) => e.name),
        `${user}: ${chain.map((e) => `${e.name}: ${e.message}`).join(' ← ')}`,
      ).to.include('KafkaJSSASLAuthenticationError');
    }
  });
});
