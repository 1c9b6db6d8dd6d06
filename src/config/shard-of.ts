import { createHash } from 'node:crypto';
import type { Shard } from './shard.js';

/**
 * The shard (1..count) that holds a service: `(h mod N) + 1`, where h is the first four bytes,
 * big-endian, of the SHA-256 of the name's UTF-8 bytes (`printf %s NAME | sha256sum | cut -c1-8`,
 * read as hex). It depends on the name alone: stable across runs, machines and reorderings of the
 * policy, and unmoved when other services come or go. (FNV-1a would be cheaper, but its low bits
 * depend only on the low bits of each byte, so `mod 4` would put `api-a` and `api-e` together.)
 */
export function shardOf(name: string, count: number): number {
  const h = createHash('sha256').update(name, 'utf8').digest().readUInt32BE(0);
  return (h % count) + 1;
}

export function inShard(name: string, s: Shard): boolean {
  return shardOf(name, s.count) === s.index;
}
