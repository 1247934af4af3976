/**
 * The Ed25519 key that signs checkpoints (node:crypto has Ed25519 built in; no package needed).
 *
 * Files are PEM: the private key PKCS#8, public keys SPKI. A key is named by its key id, the first 16 hex
 * digits of SHA-256 over the 32 raw public-key bytes (RFC 8032), which each checkpoint carries so a verifier
 * holding several public keys (after a rotation) knows which one to use.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CheckpointSigner {
  keyId: string;
  publicKey: KeyObject;
  sign(message: Buffer): Buffer;
}

/** public keys a verifier trusts, by key id */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

/** the raw 32 public-key bytes (RFC 8032), from the JWK form node exports */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new SigningKeyError('not an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url');
}

export const keyIdOf = (publicKey: KeyObject): string => createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);

export function signerFromPrivateKey(privateKey: KeyObject): CheckpointSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`检查点签名密钥必须是 Ed25519 私钥（当前：${privateKey.asymmetricKeyType ?? privateKey.type}）`);
  }
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), publicKey, sign: (message) => sign(null, message, privateKey) };
}

export function loadSigningKey(file: string): CheckpointSigner {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SigningKeyError(`无法读取检查点签名密钥 ${file}：${(error as Error).message}`);
  }
  return signerFromPem(pem, file);
}

/**
 * The environment variable that may hold the signing key itself (PEM), as container platforms hand secrets over; it
 * takes the place of `audit.signingKeyFile`. Its value is never logged.
 */
export const SIGNING_KEY_ENV = 'LIANDONG_AUDIT_SIGNING_KEY';

/** a signer from PEM text; `where` names its origin in the error (a file, or the environment variable — never the key) */
export function signerFromPem(pem: string, where: string): CheckpointSigner {
  try {
    return signerFromPrivateKey(createPrivateKey(pem));
  } catch (error) {
    if (error instanceof SigningKeyError) throw error;
    throw new SigningKeyError(`${where} 不是 PEM 格式的 Ed25519 私钥（PKCS#8）：${(error as Error).message}`);
  }
}

export function loadPublicKey(file: string): KeyObject {
  let key: KeyObject;
  try {
    const pem = readFileSync(file, 'utf8');
    // a private key file also yields its public key
    key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  } catch (error) {
    throw new SigningKeyError(`无法读取公钥 ${file}：${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`${file} 不是 Ed25519 公钥`);
  return key;
}

export const GENERATED_KEY_FILE = 'audit-signing-key.pem';
export const GENERATED_PUBLIC_KEY_FILE = 'audit-signing-key.pub.pem';

/**
 * The data directory's own key, generated on first use (embedded mode without `audit.signingKeyFile`).
 * The private key file is written with mode 0600; the public key beside it is for auditors to keep.
 */
export function loadOrCreateDataDirKey(dataDir: string): { signer: CheckpointSigner; path: string; publicKeyPath: string; created: boolean } {
  const path = join(dataDir, GENERATED_KEY_FILE);
  const publicKeyPath = join(dataDir, GENERATED_PUBLIC_KEY_FILE);
  if (existsSync(path)) {
    keepPrivate(path);
    return { signer: loadSigningKey(path), path, publicKeyPath, created: false };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // 'wx': never overwrite a key another process created meanwhile
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  writeFileSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }));
  return { signer: signerFromPrivateKey(privateKey), path, publicKeyPath, created: true };
}

/** a generated key left readable by others (an older version, a careless copy) is made 0600 again; best effort */
function keepPrivate(path: string): void {
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } catch {
    /* not ours to change (another user's copy): loading it still works */
  }
}

export function trustedKeys(keys: readonly KeyObject[]): TrustedKeys {
  return new Map(keys.map((key) => [keyIdOf(key), key]));
}

export const verifySignature = (publicKey: KeyObject, message: Buffer, signature: Buffer): boolean => {
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
};
