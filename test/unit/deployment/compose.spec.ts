/**
 * The production compose file, read as data (this machine has no Docker engine to run it): what issue 18 asks of it —
 * no demo config or demo tokens unless the demo file is added, passwords only from the environment and required,
 * no trust authentication or open Redis, the advertised Kafka host configurable, liveness on /healthz (readiness is
 * the balancer's), the signing key as a secret — and that the demo override points at a config the image has.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse, parseDocument } from 'yaml';

const text = readFileSync('docker-compose.yml', 'utf8');
const compose = parse(text, { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; command?: string[]; healthcheck?: { test: string[] }; ports?: string[]; secrets?: string[] }>;
  secrets?: Record<string, { file: string }>;
};
const liandong = ['ingest', 'project', 'gateway'] as const;
/** `${NAME:?message}`: compose stops naming the variable when it is unset or empty */
const required = (value: string | undefined, name: string): boolean => new RegExp(`\\$\\{${name}:\\?[^}]+\\}`).test(value ?? '');

describe('docker-compose.yml (production)', () => {
  it('parses, with the three liandong processes and the engines', () => {
    expect(parseDocument(text).errors).to.deep.equal([]);
    expect(Object.keys(compose.services).sort()).to.deep.equal(['gateway', 'ingest', 'kafka', 'postgres', 'project', 'redis']);
    for (const name of liandong) expect(compose.services[name]!.command).to.deep.equal([name]);
  });

  it('uses no demo config and no demo token unless asked for', () => {
    expect(text).not.to.match(/demo-organizer|demo\.config\.json/);
    for (const name of liandong) expect(compose.services[name]!.environment!.LIANDONG_CONFIG).to.equal('/config/liandong.config.json');
  });

  it('takes every password from the environment and requires it; no trust authentication, no open Redis', () => {
    const env = compose.services.gateway!.environment!;
    expect(required(env.DATABASE_URL, 'POSTGRES_PASSWORD'), env.DATABASE_URL).to.equal(true);
    expect(required(env.REDIS_URL, 'REDIS_PASSWORD'), env.REDIS_URL).to.equal(true);
    expect(required(compose.services.postgres!.environment!.POSTGRES_PASSWORD, 'POSTGRES_PASSWORD')).to.equal(true);
    expect(required(compose.services.redis!.environment!.REDIS_PASSWORD, 'REDIS_PASSWORD')).to.equal(true);
    expect(compose.services.redis!.command!.join(' ')).to.contain('--requirepass');
    expect(compose.services.postgres!.environment!).not.to.have.property('POSTGRES_HOST_AUTH_METHOD');
    expect(compose.services.postgres!.environment!.POSTGRES_INITDB_ARGS).to.contain('scram-sha-256');
    expect(compose.services.postgres!.ports, 'PostgreSQL is not published').to.equal(undefined);
    expect(compose.services.redis!.ports, 'Redis is not published').to.equal(undefined);
  });

  it('advertises Kafka under a host name the operator sets, not 127.0.0.1', () => {
    const advertised = compose.services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS!;
    expect(required(advertised, 'KAFKA_ADVERTISED_HOST'), advertised).to.equal(true);
    expect(advertised).not.to.contain('127.0.0.1');
  });

  it('checks liveness on /healthz (readiness is for the load balancer, never a reason to restart)', () => {
    const ports = { ingest: 4002, project: 4001, gateway: 4000 };
    for (const name of liandong) expect(compose.services[name]!.healthcheck!.test.join(' ')).to.contain(`http://127.0.0.1:${ports[name]}/healthz`);
  });

  it('hands the checkpoint signing key over as a secret', () => {
    expect(compose.secrets?.audit_signing_key?.file).to.contain('audit-signing-key.pem');
    for (const name of liandong) expect(compose.services[name]!.secrets).to.include('audit_signing_key');
  });

  it('the demo override points at the demo config the image build copies into dist/', () => {
    const demo = readFileSync('docker-compose.demo.yml', 'utf8');
    const config = /LIANDONG_CONFIG: (\S+)/.exec(demo)![1]!;
    expect(config).to.equal('/app/dist/infra/config/demo.config.json');
    // scripts/build.mjs copies the non-TypeScript files of its source folders (infra among them) into dist/ at the same paths
    expect(existsSync('infra/config/demo.config.json')).to.equal(true);
    expect(/const SOURCES = \[[^\]]*'infra'/.test(readFileSync('scripts/build.mjs', 'utf8'))).to.equal(true);
  });
});
