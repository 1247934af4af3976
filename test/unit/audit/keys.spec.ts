import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { auditKeys } from '../../../infra/audit/auditServices.js';
import { SigningKeyError, keyIdOf } from '../../../infra/audit/signingKey.js';
import { ConfigError, parseConfig } from '../../../infra/config/loadConfig.js';
import { TEST_CITY } from '../../e2e/fixtures.js';

describe('audit config and keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (audit?: unknown) => parseConfig(JSON.stringify({ ...TEST_CITY, ...(audit === undefined ? {} : { audit }) }, null, 2), 'config.json');

  it('defaults: checkpoints every 10 minutes, the access log kept 366 days, no key file', () => {
    expect(config().audit).to.deep.equal({ checkpointIntervalSeconds: 600, publicKeyFiles: [], accessLogRetentionDays: 366 });
  });

  it('refuses an access log kept less than a year, naming the line', () => {
    let failure: unknown;
    try {
      config({ accessLogRetentionDays: 90 });
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(ConfigError);
    expect((failure as Error).message).to.match(/第 \d+ 行 \(audit\.accessLogRetentionDays\)：访问日志至少保留 365 天/);
  });

  it('generates the data directory key once (private part 0600) and trusts it; a CLI run only reads it', () => {
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    expect(auditKeys({ config: config(), configPath: join(dir, 'config.json'), dataDir, generate: false }).signer, 'nothing to read yet').to.equal(null);
    const first = auditKeys({ config: config(), configPath: join(dir, 'config.json'), dataDir, generate: true });
    expect(first.generated).to.not.equal(null);
    expect(statSync(join(dataDir, 'audit-signing-key.pem')).mode & 0o777).to.equal(0o600);
    const again = auditKeys({ config: config(), configPath: join(dir, 'config.json'), dataDir, generate: false });
    expect(again.generated).to.equal(null);
    expect(again.signer!.keyId).to.equal(first.signer!.keyId);
    expect([...again.trusted.keys()]).to.deep.equal([first.signer!.keyId]);
  });

  it('uses the configured key file (relative to the config) and trusts earlier public keys too', () => {
    const current = generateKeyPairSync('ed25519');
    const retired = generateKeyPairSync('ed25519');
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys', 'current.pem'), current.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'keys', 'retired.pub.pem'), retired.publicKey.export({ type: 'spki', format: 'pem' }));
    const keys = auditKeys({
      config: config({ signingKeyFile: 'keys/current.pem', publicKeyFiles: ['keys/retired.pub.pem'] }),
      configPath: join(dir, 'config.json'),
      dataDir: join(dir, 'data'),
      generate: true,
    });
    expect(keys.generated, 'a configured key is never replaced by a generated one').to.equal(null);
    expect(keys.signer!.keyId).to.equal(keyIdOf(current.publicKey));
    expect([...keys.trusted.keys()].sort()).to.deep.equal([keyIdOf(current.publicKey), keyIdOf(retired.publicKey)].sort());
  });

  it('refuses a key that is not Ed25519, or not there', () => {
    writeFileSync(join(dir, 'rsa.pem'), generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => auditKeys({ config: config({ signingKeyFile: 'rsa.pem' }), configPath: join(dir, 'config.json'), dataDir: null, generate: false })).to.throw(SigningKeyError, /Ed25519/);
    expect(() => auditKeys({ config: config({ signingKeyFile: 'missing.pem' }), configPath: join(dir, 'config.json'), dataDir: null, generate: false })).to.throw(SigningKeyError, /无法读取/);
  });
});
