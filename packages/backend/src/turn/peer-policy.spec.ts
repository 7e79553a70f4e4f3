import { describe, expect, it } from 'vitest';
import { peerPolicy } from './peer-policy';

describe('TURN peer policy', () => {
  it('refuses loopback, metadata, multicast and unspecified peers, keeps LAN and public ones', () => {
    const allow = peerPolicy(false, []);
    for (const bad of [
      '127.0.0.1',
      '127.8.9.1',
      '::1',
      '::ffff:127.0.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      'fe80::1',
      'ff02::1',
      'not-an-ip',
    ]) {
      expect(allow(bad), bad).toBe(false);
    }
    for (const good of ['192.168.1.20', '10.0.0.5', '203.0.113.7', '2001:db8::7', '::ffff:203.0.113.7']) {
      expect(allow(good), good).toBe(true);
    }
  });

  it('allows loopback when told (tests) and refuses the extra denied ranges', () => {
    const allow = peerPolicy(true, ['10.0.0.0/8', '2001:db8::/32', '198.51.100.9']);
    expect(allow('127.0.0.1')).toBe(true);
    expect(allow('10.20.30.40')).toBe(false);
    expect(allow('2001:db8::1')).toBe(false);
    expect(allow('198.51.100.9')).toBe(false);
    expect(allow('198.51.100.10')).toBe(true);
  });
});
