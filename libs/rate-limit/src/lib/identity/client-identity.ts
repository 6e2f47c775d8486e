import { isIP } from 'node:net';
import { stripZone } from './trusted-proxies';

/**
 * The rate-limit identity of an address, canonical so that spellings of one address share a bucket:
 * IPv4 as dotted quad (`4:203.0.113.7`), IPv4-mapped IPv6 (`::ffff:203.0.113.7`) unwrapped to IPv4,
 * other IPv6 reduced to its `/ipv6Prefix` network (`6:2001:db8:1:2:0:0:0:0/64`), because one host or
 * subscriber usually owns a whole /64 and could otherwise rotate through 2^64 addresses.
 * Anything that is not an IP becomes `unknown`. The limiter hashes the result before it reaches a key.
 */
export function clientIdentity(address: string | undefined, ipv6Prefix = 64): string {
  if (!Number.isSafeInteger(ipv6Prefix) || ipv6Prefix < 1 || ipv6Prefix > 128)
    throw new Error(`ipv6Prefix must be 1..128, got ${ipv6Prefix}`);
  if (!address) return 'unknown';
  const bare = stripZone(address);
  const family = isIP(bare);
  if (family === 4) return `4:${bare}`;
  if (family !== 6) return 'unknown';
  const groups = expand(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `4:${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  }
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, ipv6Prefix - i * 16));
    groups[i] &= keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
  }
  return `6:${groups.map((g) => g.toString(16)).join(':')}/${ipv6Prefix}`;
}

/**
 * The eight 16-bit groups of a valid IPv6 address. Node's WHATWG URL parser canonicalises it first
 * (lower case, embedded IPv4 turned into hex groups, one `::`), so only the `::` gap is filled here.
 */
function expand(address: string): number[] {
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.includes('::') ? canonical.split('::') : [canonical, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16));
}
