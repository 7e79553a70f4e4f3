import { isIP } from 'node:net';
import { pushAddressAllowed } from './push-sender';

/**
 * Why the server will not send to this push endpoint, or null. Push services (FCM, Mozilla autopush, Apple,
 * Windows WNS) are https on port 443 of a public name: anything else would let a user make the server POST
 * into its own network. `allowLoopback` (PYCHAT_PUSH_ALLOW_LOOPBACK, development and tests) also admits
 * http or https on any port of 127.0.0.1, [::1] or localhost.
 */
export function endpointProblem(endpoint: string, allowLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'not a URL';
  }
  if (url.username || url.password) {
    return 'a push endpoint has no user or password in its URL';
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const loopback =
    host === 'localhost' || (isIP(host) !== 0 && pushAddressAllowed(host, true) && !pushAddressAllowed(host, false));
  if (loopback) {
    return allowLoopback && (url.protocol === 'https:' || url.protocol === 'http:')
      ? null
      : 'loopback push endpoints are refused (PYCHAT_PUSH_ALLOW_LOOPBACK is for development)';
  }
  if (url.protocol !== 'https:') {
    return 'push endpoints must be https';
  }
  if (url.port !== '') {
    return 'push endpoints are served on port 443';
  }
  if (isIP(host) !== 0 ? !pushAddressAllowed(host, false) : !host.includes('.')) {
    return 'push endpoints are on public hosts';
  }
  return null;
}
