/**
 * The Merkle Tree Hash of RFC 6962 §2.1 (Certificate Transparency), with SHA-256:
 *
 *   MTH({})      = SHA-256()                                   (the hash of nothing)
 *   MTH({d0})    = SHA-256(0x00 || d0)                         (a leaf)
 *   MTH(D[0:n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  k = the largest power of two < n
 *
 * The 0x00 / 0x01 prefixes keep a leaf from ever being taken for an inner node (second-preimage attacks).
 */
import { createHash } from 'node:crypto';

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export const leafHash = (data: Buffer | string): Buffer =>
  createHash('sha256')
    .update(LEAF)
    .update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
    .digest();

const nodeHash = (left: Buffer, right: Buffer): Buffer => createHash('sha256').update(NODE).update(left).update(right).digest();

/** MTH over leaves already hashed with leafHash, in order */
export function merkleRootOfLeafHashes(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  // bottom-up, pairing neighbours and carrying an odd last node up unchanged: the same tree as the
  // recursive definition (the left subtree is always the largest complete power of two)
  let level: Buffer[] = [...leaves];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let index = 0; index + 1 < level.length; index += 2) next.push(nodeHash(level[index]!, level[index + 1]!));
    if (level.length % 2 === 1) next.push(level.at(-1)!);
    level = next;
  }
  return level[0]!;
}

/** inner-node hashes between two pauses of merkleRootOfLeafHashesInSlices (a few ms on a 2-core machine) */
const NODES_PER_SLICE = 2048;

/** merkleRootOfLeafHashes, awaiting `pause` (verify.ts `slices`) every few thousand hashes: for a thread that serves requests */
export async function merkleRootOfLeafHashesInSlices(leaves: readonly Buffer[], pause: () => Promise<void>): Promise<Buffer> {
  if (leaves.length === 0) return createHash('sha256').digest();
  let level: Buffer[] = [...leaves];
  let hashed = 0;
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let index = 0; index + 1 < level.length; index += 2) {
      next.push(nodeHash(level[index]!, level[index + 1]!));
      if (++hashed % NODES_PER_SLICE === 0) await pause();
    }
    if (level.length % 2 === 1) next.push(level.at(-1)!);
    level = next;
  }
  return level[0]!;
}

export const merkleRoot = (leaves: readonly (Buffer | string)[]): Buffer => merkleRootOfLeafHashes(leaves.map(leafHash));
