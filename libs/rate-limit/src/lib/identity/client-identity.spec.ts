import { clientIdentity } from './client-identity';
import { clientAddress, compileTrust } from './trusted-proxies';

describe('clientAddress (X-Forwarded-For, trusted proxies)', () => {
  it('ignores a spoofed X-Forwarded-For when no proxy is trusted', () => {
    expect(clientAddress('198.51.100.9', '1.2.3.4', compileTrust(undefined))).toBe('198.51.100.9');
    expect(clientAddress('198.51.100.9', '1.2.3.4, 5.6.7.8', compileTrust(0))).toBe('198.51.100.9');
  });

  it('with one trusted hop takes the rightmost entry, not the client-written left part', () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the load balancer appended the address it saw.
    expect(clientAddress('10.0.0.2', '1.2.3.4, 198.51.100.9', compileTrust(1))).toBe('198.51.100.9');
    expect(clientAddress('10.0.0.2', ['1.2.3.4', '198.51.100.9'], compileTrust(1))).toBe('198.51.100.9');
    // two hops: skip the inner proxy's entry too
    expect(clientAddress('10.0.0.2', '1.2.3.4, 198.51.100.9, 10.0.0.7', compileTrust(2))).toBe(
      '198.51.100.9',
    );
    // fewer entries than hops: the leftmost known address
    expect(clientAddress('10.0.0.2', '198.51.100.9', compileTrust(3))).toBe('198.51.100.9');
  });

  it('with CIDRs uses the rightmost hop that is not a trusted proxy', () => {
    const trust = compileTrust(['10.0.0.0/8', '2001:db8:ffff::/48', '127.0.0.1']);
    expect(clientAddress('10.0.0.2', '6.6.6.6, 198.51.100.9, 10.9.9.9', trust)).toBe('198.51.100.9');
    expect(clientAddress('::ffff:10.0.0.2', '198.51.100.9', trust)).toBe('198.51.100.9'); // mapped socket
    expect(clientAddress('2001:db8:ffff::1', '2001:db8:1::5', trust)).toBe('2001:db8:1::5');
    // the socket itself is not a proxy: whatever the header says is ignored
    expect(clientAddress('198.51.100.9', '1.2.3.4', trust)).toBe('198.51.100.9');
    // garbage ends the walk at the last real hop
    expect(clientAddress('10.0.0.2', "'; DROP x, 198.51.100.9", trust)).toBe('198.51.100.9');
    expect(clientAddress('10.0.0.2', 'not-an-ip', trust)).toBe('10.0.0.2');
  });

  it('rejects a malformed trust list at start-up', () => {
    expect(() => compileTrust(['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => compileTrust(['proxy.local'])).toThrow(/not an IP/);
    expect(() => compileTrust(-1)).toThrow();
  });
});

describe('clientIdentity (canonical, grouped)', () => {
  it('unwraps IPv4-mapped IPv6', () => {
    expect(clientIdentity('::ffff:203.0.113.7')).toBe('4:203.0.113.7');
    expect(clientIdentity('::FFFF:cb00:7107')).toBe('4:203.0.113.7');
    expect(clientIdentity('203.0.113.7')).toBe('4:203.0.113.7');
  });

  it('groups IPv6 by /64 by default, and by a configured prefix', () => {
    const a = clientIdentity('2001:db8:1:2:aaaa::1');
    expect(a).toBe('6:2001:db8:1:2:0:0:0:0/64');
    expect(clientIdentity('2001:DB8:1:2:ffff:ffff:ffff:ffff')).toBe(a);
    expect(clientIdentity('2001:db8:1:3::1')).not.toBe(a);
    expect(clientIdentity('2001:db8:1:2:aaaa::1', 48)).toBe('6:2001:db8:1:0:0:0:0:0/48');
    expect(clientIdentity('2001:db8:1:2:aaaa::1', 56)).toBe(clientIdentity('2001:db8:1:ff::', 56));
    expect(clientIdentity('2001:db8::1', 128)).toBe('6:2001:db8:0:0:0:0:0:1/128');
    expect(clientIdentity('fe80::1%eth0')).toBe('6:fe80:0:0:0:0:0:0:0/64');
  });

  it('never passes raw input through', () => {
    expect(clientIdentity('x{y}:*')).toBe('unknown');
    expect(clientIdentity(undefined)).toBe('unknown');
  });
});
