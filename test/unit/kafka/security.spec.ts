/**
 * Kafka TLS and SASL settings from the environment (operations.md "Kafka", issue 18 item 4): what reaches kafkajs,
 * what is refused at start (one Chinese line naming the variable to set), and that the password is never shown.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { describeKafkaSecurity, kafkaSettingsFromEnv, KafkaSettingsError } from '../../../infra/kafka/settings.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const PASSWORD = 'geheim-口令-9f3a';

describe('Kafka security settings from the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-kafka-ca-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, PEM);
  const notPem = join(dir, 'ca.der');
  writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01, 0x0a]));

  const base = { KAFKA_BROKERS: 'k:9094' };
  const refused = (env: NodeJS.ProcessEnv): string => {
    try {
      kafkaSettingsFromEnv({ ...base, ...env });
    } catch (e) {
      expect(e).to.be.instanceOf(KafkaSettingsError);
      const message = (e as Error).message;
      expect(message.split('\n')).to.have.length(1);
      expect(message).not.to.include(PASSWORD);
      return message;
    }
    throw new Error('accepted');
  };

  it('is plaintext without a login when nothing is set', () => {
    const settings = kafkaSettingsFromEnv(base);
    expect([settings.ssl, settings.sasl]).to.deep.equal([undefined, undefined]);
    expect(describeKafkaSecurity(settings)).to.equal('PLAINTEXT');
    expect(kafkaSettingsFromEnv({ ...base, KAFKA_SSL: 'false' }).ssl).to.equal(undefined);
  });

  it('reads TLS with the CA file and SCRAM-SHA-512 with user and password', () => {
    const settings = kafkaSettingsFromEnv({
      ...base,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'xj-court',
      KAFKA_SASL_PASSWORD: PASSWORD,
    });
    expect(settings.ssl).to.deep.equal({ ca: PEM, caFile });
    expect([settings.sasl?.mechanism, settings.sasl?.username, settings.sasl?.password]).to.deep.equal(['scram-sha-512', 'xj-court', PASSWORD]);
    expect(describeKafkaSecurity(settings)).to.equal(`SASL_SSL（scram-sha-512，用户 xj-court；CA ${caFile}）`);
  });

  it('accepts SCRAM-SHA-256, TLS with the built-in CAs, and SASL without TLS', () => {
    const settings = kafkaSettingsFromEnv({ ...base, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(settings.ssl).to.deep.equal({ ca: undefined, caFile: undefined });
    expect(settings.sasl?.mechanism).to.equal('scram-sha-256');
    expect(describeKafkaSecurity(settings)).to.equal('SASL_SSL（scram-sha-256，用户 u；CA 系统内置）');
    const plain = kafkaSettingsFromEnv({ ...base, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(describeKafkaSecurity(plain)).to.equal('SASL_PLAINTEXT（scram-sha-512，用户 u）');
  });

  it('keeps the password out of printed and serialised settings', () => {
    const settings = kafkaSettingsFromEnv({ ...base, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(JSON.stringify(settings)).not.to.include(PASSWORD);
    expect(inspect(settings, { depth: 5 })).not.to.include(PASSWORD);
    expect(describeKafkaSecurity(settings)).not.to.include(PASSWORD);
    expect({ ...settings.sasl }).not.to.have.property('password');
  });

  it('refuses a mechanism without user name or password, naming what to set', () => {
    expect(refused({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).to.equal('KAFKA_SASL_MECHANISM=scram-sha-512 需要用户名和密码：请设置 KAFKA_SASL_USERNAME 和 KAFKA_SASL_PASSWORD');
    expect(refused({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' })).to.match(/请设置 KAFKA_SASL_PASSWORD$/);
    expect(refused({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: PASSWORD })).to.match(/请设置 KAFKA_SASL_USERNAME$/);
  });

  it('refuses a user name or password without a mechanism', () => {
    expect(refused({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD })).to.match(/未设置 KAFKA_SASL_MECHANISM：请设置 KAFKA_SASL_MECHANISM=scram-sha-512$/);
    expect(refused({ KAFKA_SASL_PASSWORD: PASSWORD })).to.match(/KAFKA_SASL_MECHANISM/);
  });

  it('refuses an unknown mechanism, listing the supported ones', () => {
    expect(refused({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD })).to.equal(
      '环境变量 KAFKA_SASL_MECHANISM=plain 不支持：应为 scram-sha-512 或 scram-sha-256',
    );
  });

  it('refuses a CA file that is missing, not PEM, or given without KAFKA_SSL=true', () => {
    const missing = join(dir, 'nope.pem');
    expect(refused({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: missing })).to.equal(`无法读取 KAFKA_SSL_CA_FILE=${missing}（ENOENT）：请设置为 Kafka 集群 CA 证书（PEM）的路径`);
    expect(refused({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: notPem })).to.match(/不是 PEM 证书/);
    expect(refused({ KAFKA_SSL_CA_FILE: caFile })).to.equal(`设置了 KAFKA_SSL_CA_FILE=${caFile} 但未开启 TLS：请同时设置 KAFKA_SSL=true`);
    expect(refused({ KAFKA_SSL: 'ja' })).to.equal('环境变量 KAFKA_SSL=ja 无效：应为 true 或 false');
  });
});
