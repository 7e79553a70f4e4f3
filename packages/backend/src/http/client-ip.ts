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
