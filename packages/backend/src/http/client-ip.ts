import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { TrustProxy } from '../config/config';

export type TrustFn = (address: string, hop: number) => boolean;

export function compileTrust(trust: TrustProxy): TrustFn {
  if (trust === false) {
    return () => false;
  }
  if (typeof trust === 'number') {
    return (_address, hop) => hop < trust;
  }
  return proxyaddr.compile([...trust]);
}

/**
 * The client address of an HTTP request or a WebSocket upgrade: the socket peer, or, walking X-Forwarded-For
 * from the right while each hop is a trusted proxy, the first untrusted address. The left-most entry is never
 * taken on trust, since the client writes it. Express uses the same function (`trust proxy` in http/app.ts).
 */
export function clientIp(req: IncomingMessage, trust: TrustFn): string {
  return proxyaddr(req, trust);
}
