import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { CordonError } from '../errors.js';
import { HASH_SIZE } from '../crypto/merkle/index.js';

/** A log's signed statement: "my tree of `size` leaves has root `root`". */
export interface SignedTreeHead {
  size: number;
  root: Uint8Array;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** Key id of the signing key: the signing node's member id. */
  kid: string;
  /** base64url of the 64-byte Ed25519 signature over `treeHeadMessage`. */
  signature: string;
}

const TREE_HEAD_PREFIX = 'cordon-tree-head/v1';

/**
 * The bytes a tree head signature covers (UTF-8):
 *   "cordon-tree-head/v1\n" + size (decimal) + "\n" + base64(root) (standard,
 *   padded) + "\n" + timestamp (decimal ms since epoch) + "\n"
 */
export function treeHeadMessage(size: number, root: Uint8Array, timestamp: number): Uint8Array {
  return new TextEncoder().encode(`${TREE_HEAD_PREFIX}\n${size}\n${Buffer.from(root).toString('base64')}\n${timestamp}\n`);
}

export function signTreeHead(size: number, root: Uint8Array, timestamp: number, key: KeyObject, kid: string): SignedTreeHead {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw new CordonError('INVALID_INPUT', 'tree head: signing key must be an Ed25519 private key');
  const signature = edSign(null, treeHeadMessage(size, root, timestamp), key).toString('base64url');
  return { size, root: Uint8Array.from(root), timestamp, kid, signature };
}

/** Throws INVALID_SIGNATURE unless `head` carries a valid signature by `publicKey`. */
export function verifyTreeHead(head: SignedTreeHead, publicKey: KeyObject): void {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new CordonError('INVALID_INPUT', 'tree head: public key is not Ed25519');
  if (!Number.isSafeInteger(head.size) || head.size < 0 || !Number.isSafeInteger(head.timestamp) || !(head.root instanceof Uint8Array) || head.root.length !== HASH_SIZE) {
    throw new CordonError('INVALID_SIGNATURE', 'tree head: malformed size, root or timestamp');
  }
  const sig = Buffer.from(head.signature, 'base64url');
  const ok = sig.length === 64 && edVerify(null, treeHeadMessage(head.size, head.root, head.timestamp), publicKey, sig);
  if (!ok) throw new CordonError('INVALID_SIGNATURE', `tree head of size ${head.size}: signature does not verify (kid ${head.kid})`);
}

/** Same size, root, time and signature. */
export function sameTreeHead(a: SignedTreeHead, b: SignedTreeHead): boolean {
  return a.size === b.size && a.timestamp === b.timestamp && a.signature === b.signature && Buffer.from(a.root).equals(Buffer.from(b.root));
}
