import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, isIPv4, type LookupFunction } from 'node:net';
import webpush from 'web-push';
import type { VapidKeys } from './vapid-keys';

/** What one push subscription needs for sending: where to, and the browser's keys (base64url). */
export interface PushTarget {
  readonly endpoint: string;
  readonly p256dh: string;
  readonly auth: string;
}

export interface PushOptions {
  /** How long the push service keeps it for an offline device, in seconds. */
  readonly ttlS: number;
  /** A newer push with the same topic replaces an undelivered older one (≤ 32 base64url characters). */
  readonly topic?: string;
  readonly urgency?: 'very-low' | 'low' | 'normal' | 'high';
}

/** The push service answered with an error status (404/410: the subscription is gone for good). */
export class PushRejectedError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`push service answered ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
    this.name = 'PushRejectedError';
  }

  get gone(): boolean {
    return this.status === 404 || this.status === 410;
  }
}

/** Addresses no push service lives at: the server's own host and networks, which a user must not make it POST to. */
const NON_PUBLIC = (() => {
  const block = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 3],
  ] as const) {
    block.addSubnet(net, bits, 'ipv4');
  }
  block.addAddress('::', 'ipv6');
  block.addAddress('::1', 'ipv6');
  block.addSubnet('fc00::', 7, 'ipv6');
  block.addSubnet('fe80::', 10, 'ipv6');
  block.addSubnet('ff00::', 8, 'ipv6');
  return block;
})();
const LOOPBACK = (() => {
  const block = new BlockList();
  block.addSubnet('127.0.0.0', 8, 'ipv4');
  block.addAddress('::1', 'ipv6');
  return block;
})();

function check(block: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) {
    return block.check(mapped, 'ipv4');
  }
  return block.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}

/** May the server send to this IP address? Loopback only with the development allowance. */
export function pushAddressAllowed(address: string, allowLoopback: boolean): boolean {
  if (isIP(address) === 0) {
    return false;
  }
  return !check(NON_PUBLIC, address) || (allowLoopback && check(LOOPBACK, address));
}

/**
 * Sends RFC 8030 pushes: web-push encrypts the payload for the browser (RFC 8291, aes128gcm) and signs the
 * VAPID JWT (RFC 8292); the POST itself is made here, so the address the endpoint's name resolves to is checked
 * before connecting (a DNS name pointing at 10.x or 127.x is refused) and, with the development allowance,
 * plain-http loopback stand-ins work.
 */
export class PushSender {
  readonly #lookup: LookupFunction;

  constructor(
    private readonly vapid: () => VapidKeys,
    private readonly subject: string,
    private readonly allowLoopback: boolean,
    private readonly timeoutMs = 10_000,
  ) {
    this.#lookup = ((hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) {
          callback(error, '', 4);
          return;
        }
        const refused = addresses.find((a) => !pushAddressAllowed(a.address, this.allowLoopback));
        if (refused) {
          callback(
            Object.assign(new Error(`push endpoint ${hostname} resolves to ${refused.address}, not a public address`), {
              code: 'EPUSHADDRESS',
            }),
            '',
            4,
          );
          return;
        }
        if (options.all) {
          callback(null, addresses);
        } else {
          callback(null, addresses[0]!.address, addresses[0]!.family);
        }
      });
    }) as LookupFunction;
  }

  /** Resolves with the push service's status (201 normally); rejects with PushRejectedError or a network error. */
  async send(target: PushTarget, payload: string, options: PushOptions): Promise<number> {
    const keys = this.vapid();
    const details = webpush.generateRequestDetails(
      { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
      payload,
      {
        vapidDetails: { subject: this.subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
        TTL: options.ttlS,
        topic: options.topic,
        urgency: options.urgency ?? 'normal',
        contentEncoding: 'aes128gcm',
      },
    );
    const url = new URL(details.endpoint);
    // An IP literal is never looked up, so the lookup guard would not see it.
    const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(literal) !== 0 && !pushAddressAllowed(literal, this.allowLoopback)) {
      throw new Error(`push endpoint address ${literal} is not a public address`);
    }
    const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        {
          method: details.method,
          headers: details.headers as Record<string, string | number>,
          lookup: this.#lookup,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            // Only the start of an error body is logged; a push service never sends more.
            if (size < 4096) {
              chunks.push(chunk);
              size += chunk.length;
            }
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              resolve(status);
            } else {
              reject(new PushRejectedError(status, Buffer.concat(chunks).toString('utf8')));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`push service did not answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(details.body ?? undefined);
    });
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
