import { BlockList, isIP } from 'node:net';

/**
 * Which hops in front of this process may be believed about the client address:
 * - `undefined` / `0`: none — the socket address is the client, `X-Forwarded-For` is ignored (a client
 *   can write anything there);
 * - a number N: exactly N proxies in front (e.g. 1 behind one load balancer); the client is the N-th
 *   address counted from the right of [...X-Forwarded-For, socket];
 * - CIDRs (`['10.0.0.0/8', '2001:db8::/32', '127.0.0.1']`): every hop inside them is a proxy; the client
 *   is the first address, walking from the socket leftwards, that is not.
 */
export type TrustProxy = number | readonly string[] | undefined;

/** A compiled `TrustProxy`: CIDRs go into a `net.BlockList` (Node's parser and matcher, IPv4-mapped aware). */
export interface ProxyTrust {
  hops: number;
  list?: BlockList;
}

export function compileTrust(trust: TrustProxy): ProxyTrust {
  if (trust === undefined || typeof trust === 'number') {
    const hops = trust ?? 0;
    if (!Number.isSafeInteger(hops) || hops < 0)
      throw new Error(`trustProxy hop count must be >= 0, got ${hops}`);
    return { hops };
  }
  const list = new BlockList();
  for (const entry of trust) {
    const [address, bits] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`trustProxy: not an IP address or CIDR: ${JSON.stringify(entry)}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else {
      const prefix = Number(bits);
      if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128))
        throw new Error(`trustProxy: bad prefix length in ${JSON.stringify(entry)}`);
      list.addSubnet(address, prefix, type);
    }
  }
  return { hops: 0, list };
}

/** Most `X-Forwarded-For` entries read (from the right): a longer header is attacker padding. */
const MAX_HOPS = 32;

/**
 * The client address of a request: the socket address unless trusted proxies are configured, then
 * `X-Forwarded-For` read from the right (the left part is whatever the client sent). Returns a
 * validated IP (zone and IPv4-mapping not yet removed: see `clientIdentity`), or undefined.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trust: ProxyTrust,
): string | undefined {
  const socket = socketAddress && isIP(stripZone(socketAddress)) ? socketAddress : undefined;
  if (!socket || (trust.hops === 0 && !trust.list)) return socket;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor as string | undefined);
  const forwarded = header
    ? header
        .split(',')
        .slice(-MAX_HOPS)
        .map((s) => s.trim())
    : [];
  // Walk from the socket leftwards; an entry that is not an IP ends the walk at the last good hop.
  const chain = [socket];
  for (let i = forwarded.length - 1; i >= 0; i--) {
    if (isIP(stripZone(forwarded[i])) === 0) break;
    chain.push(forwarded[i]);
  }
  if (trust.list) {
    for (const hop of chain) if (!isTrusted(trust.list, hop)) return hop;
    return chain[chain.length - 1]; // every hop is a proxy of ours: the leftmost is the best we know
  }
  return chain[Math.min(trust.hops, chain.length - 1)];
}

function isTrusted(list: BlockList, address: string): boolean {
  const bare = stripZone(address);
  return list.check(bare, isIP(bare) === 4 ? 'ipv4' : 'ipv6');
}

export function stripZone(address: string): string {
  const zone = address.indexOf('%');
  return zone === -1 ? address : address.slice(0, zone);
}
