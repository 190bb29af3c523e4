// Written by hand (≈100 lines) instead of taking ipaddr.js: the browser bundle budget is tight,
// and all we need is "parse, then match one fixed table", which a table test covers completely.

/** One row of the block-list: a CIDR, why it is refused, and whether it is loopback. */
interface Range {
  readonly bytes: Uint8Array;
  readonly bits: number;
  readonly label: string;
  readonly loopback: boolean;
}

// SSRF block-list from requirements §2 (IANA special-purpose registries, RFC 6890). `::/96`
// (deprecated IPv4-compatible) is refused in addition, so `::10.0.0.1` cannot smuggle a private v4.
const IPV4_BLOCKS: readonly (readonly [string, string])[] = [
  ['0.0.0.0/8', 'this network'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];
const IPV6_BLOCKS: readonly (readonly [string, string])[] = [
  ['::1/128', 'loopback'],
  ['::/128', 'unspecified'],
  ['::/96', 'IPv4-compatible'],
  ['::ffff:0:0/96', 'IPv4-mapped'],
  ['64:ff9b::/96', 'NAT64'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique local'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
];

function toRanges(rows: readonly (readonly [string, string])[]): readonly Range[] {
  return rows.map(([cidr, label]) => {
    const [addr = '', bits = ''] = cidr.split('/');
    const bytes = parseIp(addr);
    if (!bytes) throw new Error(`bad table row ${cidr}`);
    return Object.freeze({ bytes, bits: Number(bits), label, loopback: label === 'loopback' });
  });
}

const V4_RANGES = toRanges(IPV4_BLOCKS);
const V6_RANGES = toRanges(IPV6_BLOCKS);

/** Parses an IPv4 dotted quad or an IPv6 address (brackets and zone id allowed) into 4 or 16 bytes. */
export function parseIp(text: string): Uint8Array | null {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (s.includes(':')) {
    const zone = s.indexOf('%');
    if (zone !== -1) s = s.slice(0, zone);
    return parseIpv6(s);
  }
  return parseIpv4(s);
}

function parseIpv4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return null;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string | undefined): number[] | null => {
    if (!part) return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as string;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (!v4) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(Number.parseInt(item, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...new Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

function matches(bytes: Uint8Array, range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  const full = range.bits >> 3;
  for (let i = 0; i < full; i++) if (bytes[i] !== range.bytes[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((bytes[full] as number) & mask) === ((range.bytes[full] as number) & mask);
}

/** What an address is, for the SSRF policy. */
export interface AddressClass {
  /** The block-list row it falls in, or `'global'`. */
  readonly label: string;
  readonly loopback: boolean;
  readonly forbidden: boolean;
}

/**
 * Classifies an IP address against the SSRF block-list (requirements §2). IPv4-mapped IPv6
 * addresses (`::ffff:a.b.c.d`) are forbidden; with `allowLoopback`, mapped loopback is treated as
 * loopback. Returns `null` when `ip` is not an IP address.
 */
export function classifyAddress(ip: string, options: { allowLoopback?: boolean } = {}): AddressClass | null {
  const bytes = parseIp(ip);
  if (!bytes) return null;
  let range = (bytes.length === 4 ? V4_RANGES : V6_RANGES).find((r) => matches(bytes, r));
  if (range?.label === 'IPv4-mapped') {
    const inner = V4_RANGES.find((r) => matches(bytes.subarray(12), r));
    if (inner?.loopback) range = inner;
  }
  if (!range) return { label: 'global', loopback: false, forbidden: false };
  return { label: range.label, loopback: range.loopback, forbidden: !(range.loopback && options.allowLoopback) };
}

/** True when `ip` parses as an IPv4 or IPv6 address. */
export function isIpAddress(host: string): boolean {
  return parseIp(host) !== null;
}
