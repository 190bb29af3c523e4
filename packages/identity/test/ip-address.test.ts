import { describe, expect, it } from 'vitest';
import { classifyAddress, isIpAddress } from '../src/index.js';

// The requirements §2 block-list, one sample at each edge of every range.
const FORBIDDEN: [string, string][] = [
  ['0.0.0.0', 'this network'],
  ['0.255.255.255', 'this network'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.0', 'carrier-grade NAT'],
  ['100.127.255.255', 'carrier-grade NAT'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.0.2.1', 'documentation'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.255', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['::ffff:10.0.0.1', 'IPv4-mapped'],
  ['::ffff:8.8.8.8', 'IPv4-mapped'],
  ['::ffff:a00:1', 'IPv4-mapped'],
  ['::ffff:169.254.169.254', 'IPv4-mapped'],
  ['::10.0.0.1', 'IPv4-compatible'],
  ['64:ff9b::a00:1', 'NAT64'],
  ['100::1', 'discard-only'],
  ['2001:db8::1', 'documentation'],
  ['fc00::1', 'unique local'],
  ['fd00::1', 'unique local'],
  ['fdff:ffff::1', 'unique local'],
  ['fe80::1', 'link-local'],
  ['fe80::7325:8a97:c100:94b%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['ff02::1', 'multicast'],
];
const GLOBAL = [
  '8.8.8.8',
  '1.1.1.1',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '169.253.0.1',
  '192.169.0.1',
  '198.17.255.255',
  '198.20.0.0',
  '223.255.255.255',
  '2600:3c03::f03c:9100:feb0:af1f',
  '2001:4860:4860::8888',
  'fec0::1',
  '::2:0:0:1',
  '2001:db9::1',
];

describe('SSRF address table (requirements §2)', () => {
  it.each(FORBIDDEN)('%s is forbidden (%s)', (ip, label) => {
    expect(classifyAddress(ip)).toEqual({ label, loopback: label === 'loopback', forbidden: true });
  });
  it.each(GLOBAL)('%s is global', (ip) => {
    expect(classifyAddress(ip)).toEqual({ label: 'global', loopback: false, forbidden: false });
  });
  it('allowLoopback allows 127/8, ::1 and mapped loopback, nothing else', () => {
    for (const ip of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(classifyAddress(ip, { allowLoopback: true })?.forbidden, ip).toBe(false);
    }
    for (const ip of ['10.0.0.1', '::ffff:10.0.0.1', 'fd00::1', '169.254.1.1', '0.0.0.0', '::']) {
      expect(classifyAddress(ip, { allowLoopback: true })?.forbidden, ip).toBe(true);
    }
  });
  it('non-addresses are not classified', () => {
    for (const s of [
      'example.com',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '256.1.1.1',
      '1::2::3',
      'gggg::1',
      ':::',
      '1:2:3:4:5:6:7:8:9',
    ]) {
      expect(classifyAddress(s), s).toBeNull();
      expect(isIpAddress(s), s).toBe(false);
    }
    expect(isIpAddress('1:2:3:4:5:6:7:8')).toBe(true);
    expect(isIpAddress('::ffff:1.2.3.4')).toBe(true);
  });
});
