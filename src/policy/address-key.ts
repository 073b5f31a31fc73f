/**
 * The key a remote address is counted under. One IPv4 address is one key; IPv6 is counted by
 * its /64 prefix, because a single subscriber is routinely given a whole /64 (RFC 6177, RFC 7934)
 * and could otherwise take a fresh address for every connection. IPv4-mapped IPv6 addresses
 * (`::ffff:192.0.2.1`, what a dual-stack listener reports) count as the IPv4 address.
 */
// Syntax only (no node:net here: src/policy does no I/O, eslint.config.js); the input is a
// socket's remoteAddress, which Node has already parsed.
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

function isIPv4(a: string): boolean {
  return IPV4.test(a);
}

function isIPv6(a: string): boolean {
  if (!a.includes(':') || !IPV6_CHARS.test(a)) return false;
  const dc = a.indexOf('::');
  return dc < 0 ? a.split(':').length === 8 || a.split(':').length === 7 : a.indexOf('::', dc + 1) < 0;
}

const MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** `192.0.2.1` → itself; `2001:db8:1:2:3:4:5:6` → `2001:db8:1:2::/64`; anything else as given. */
export function addressKey(address: string): string {
  const zone = address.indexOf('%');
  const a = zone >= 0 ? address.slice(0, zone) : address;
  if (isIPv4(a)) return a;
  const mapped = MAPPED.exec(a);
  if (mapped !== null && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(a)) return a;
  return prefix64(a) + '::/64';
}

/** The first four 16-bit groups of an IPv6 address, without leading zeros. */
function prefix64(a: string): string {
  const [head = '', tail] = a.split('::', 2);
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::ffff:… handled above; ::1.2.3.4 etc.) takes two groups.
  const rightGroups =
    right.length > 0 && right[right.length - 1]!.includes('.') ? right.length + 1 : right.length;
  const groups: string[] =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - rightGroups).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':');
}
