import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Which peer addresses a TURN client may relay to. Without it a signed-in user could use the relay to send UDP to
 * the server's own loopback services or to a cloud metadata address. Private ranges stay allowed: on a LAN
 * install the peers are 192.168.x/10.x hosts; PYCHAT_TURN_DENIED_PEERS adds ranges (coturn's denied-peer-ip).
 */
export function peerPolicy(allowLoopback: boolean, denied: readonly string[]): (address: string) => boolean {
  const block = new BlockList();
  block.addSubnet('0.0.0.0', 8, 'ipv4');
  block.addSubnet('169.254.0.0', 16, 'ipv4');
  block.addSubnet('224.0.0.0', 3, 'ipv4'); // multicast, reserved, broadcast
  block.addAddress('::', 'ipv6');
  block.addSubnet('fe80::', 10, 'ipv6');
  block.addSubnet('ff00::', 8, 'ipv6');
  if (!allowLoopback) {
    block.addSubnet('127.0.0.0', 8, 'ipv4');
    block.addAddress('::1', 'ipv6');
  }
  for (const entry of denied) {
    const [address, bits] = entry.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (bits === undefined) {
      block.addAddress(address, type);
    } else {
      block.addSubnet(address, Number(bits), type);
    }
  }
  return (address) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (mapped !== undefined) {
      return !block.check(mapped, 'ipv4');
    }
    if (isIPv4(address)) {
      return !block.check(address, 'ipv4');
    }
    return isIPv6(address) && !block.check(address, 'ipv6');
  };
}
