import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import proxyaddr from 'proxy-addr';

export interface Place {
  countryCode: string;
  country: string;
  region: string | null;
  city: string | null;
}

/** Where an address is, offline; null for private, loopback and unknown addresses. */
export type Locate = (ip: string) => Place | null;

type GeoipLite = typeof import('geoip-lite');

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });
/** loopback, RFC 1918/4193, link-local and the like: never in GeoIP data, and no reason to load it for them. */
const isLocal = proxyaddr.compile(['loopback', 'linklocal', 'uniquelocal']);

/**
 * geoip-lite with its GeoLite2 data (in the package, nothing fetched). Its data costs ~110 MB of memory and
 * ~1.5 s to read, so it loads on the first public address only: an install reached only through loopback or a
 * LAN (and the tests) never pays for it.
 */
export function geoipLocator(): Locate {
  let geoip: GeoipLite | null = null;
  return (ip) => {
    const address = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    if (isIP(address) === 0 || isLocal(address, 0)) {
      return null;
    }
    geoip ??= createRequire(__filename)('geoip-lite') as GeoipLite;
    const found = geoip.lookup(address);
    if (!found?.country) {
      return null;
    }
    return {
      countryCode: found.country,
      country: (countryNames.of(found.country) ?? found.country).slice(0, 64),
      region: found.region ? found.region.slice(0, 64) : null,
      city: found.city ? found.city.slice(0, 64) : null,
    };
  };
}
