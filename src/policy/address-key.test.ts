import { describe, expect, it } from 'vitest';
import { addressKey } from './address-key.js';
import { ConnectionCounter } from './connection-counter.js';

describe('addressKey', () => {
  it('keeps an IPv4 address and unwraps IPv4-mapped IPv6', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::FFFF:198.51.100.7')).toBe('198.51.100.7');
  });

  it('counts IPv6 by its /64 prefix, however the address is written', () => {
    const k = '2001:db8:1:2::/64';
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe(k);
    expect(addressKey('2001:0db8:0001:0002:ffff::1')).toBe(k);
    expect(addressKey('2001:db8:1:2::')).toBe(k);
    expect(addressKey('2001:db8:1:2::1%eth0')).toBe(k);
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1')).toBe('fe80:0:0:0::/64');
  });

  it('leaves anything else as it is', () => {
    expect(addressKey('unix-socket')).toBe('unix-socket');
    expect(addressKey('')).toBe('');
  });
});

describe('ConnectionCounter', () => {
  it('refuses past the limit per address and frees a slot on release', () => {
    const c = new ConnectionCounter(2);
    const r1 = c.acquire('192.0.2.1');
    const r2 = c.acquire('::ffff:192.0.2.1');
    expect(r1).not.toBeNull();
    expect(r2).not.toBeNull();
    expect(c.acquire('192.0.2.1')).toBeNull();
    expect(c.acquire('192.0.2.2')).not.toBeNull();
    r1!();
    r1!(); // a second release of the same connection changes nothing
    expect(c.count('192.0.2.1')).toBe(1);
    expect(c.acquire('192.0.2.1')).not.toBeNull();
  });

  it('counts a whole IPv6 /64 as one address', () => {
    const c = new ConnectionCounter(3);
    for (let i = 1; i <= 3; i++) expect(c.acquire(`2001:db8:5:6::${i}`)).not.toBeNull();
    expect(c.acquire('2001:db8:5:6:ffff:ffff:ffff:ffff')).toBeNull();
    expect(c.acquire('2001:db8:5:7::1')).not.toBeNull();
  });

  it('holds entries only for addresses with open connections', () => {
    const c = new ConnectionCounter(1);
    for (let i = 0; i < 10_000; i++) c.acquire(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)!();
    expect(c.size).toBe(0);
  });
});
