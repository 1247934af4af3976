/**
 * Failover settings of distributed mode (issue 18): the ingest group's session and heartbeat, and the event store's
 * session timeouts and pool size, from the environment.
 */
import { expect } from 'chai';
import { kafkaSettingsFromEnv, KafkaSettingsError } from '../../../infra/kafka/settings.js';
import { postgresSessionSettingsFromEnv } from '../../../infra/eventStore/postgresEventStore.js';

describe('failover settings from the environment', () => {
  it('gives a SIGKILLed ingest replica up after 6 s, with a heartbeat every second, unless told otherwise', () => {
    const defaults = kafkaSettingsFromEnv({ KAFKA_BROKERS: 'k:9092' });
    expect([defaults.sessionTimeoutMs, defaults.heartbeatIntervalMs]).to.deep.equal([6000, 1000]);
    const longer = kafkaSettingsFromEnv({ KAFKA_BROKERS: 'k:9092', KAFKA_SESSION_TIMEOUT_MS: '45000', KAFKA_HEARTBEAT_INTERVAL_MS: '3000' });
    expect([longer.sessionTimeoutMs, longer.heartbeatIntervalMs]).to.deep.equal([45000, 3000]);
    // a session too short for a heartbeat of 1 s gets a third of it
    expect(kafkaSettingsFromEnv({ KAFKA_BROKERS: 'k:9092', KAFKA_SESSION_TIMEOUT_MS: '1500' }).heartbeatIntervalMs).to.equal(500);
  });

  it('refuses a heartbeat that would let a live replica be dropped', () => {
    expect(() => kafkaSettingsFromEnv({ KAFKA_BROKERS: 'k:9092', KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '2500' })).to.throw(
      KafkaSettingsError,
      /KAFKA_HEARTBEAT_INTERVAL_MS=2500/,
    );
  });

  it('reads the event store pool size and session timeouts, and refuses what is not a number', () => {
    expect(postgresSessionSettingsFromEnv({})).to.deep.equal({});
    expect(
      postgresSessionSettingsFromEnv({
        DATABASE_POOL_MAX: '3',
        DATABASE_LOCK_TIMEOUT_MS: '2000',
        DATABASE_STATEMENT_TIMEOUT_MS: '0',
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '15000',
      }),
    ).to.deep.equal({ maxConnections: 3, lockTimeoutMs: 2000, statementTimeoutMs: 0, idleInTransactionTimeoutMs: 15000 });
    expect(() => postgresSessionSettingsFromEnv({ DATABASE_POOL_MAX: '0' })).to.throw(/DATABASE_POOL_MAX/);
    expect(() => postgresSessionSettingsFromEnv({ DATABASE_LOCK_TIMEOUT_MS: '5s' })).to.throw(/DATABASE_LOCK_TIMEOUT_MS/);
  });
});
