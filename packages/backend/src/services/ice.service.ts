import type { IceServersResponse } from '@pychat/protocol';
import type { Clock } from './clock';
import { issueTurnCredentials } from '../turn/credentials';

export interface IceSettings {
  /** The bundled TURN server runs: its URLs follow the page's host. */
  readonly bundled: boolean;
  readonly port: number;
  /** The bundled server listens on TCP too: a `?transport=tcp` URL beside the UDP one. */
  readonly tcp: boolean;
  /** Explicit URLs (external coturn); when set they replace the bundled server's. */
  readonly urls: readonly string[];
  readonly secret: string;
  readonly credentialTtlS: number;
}

/**
 * What a signed-in user's calls need from the server: STUN/TURN servers with fresh TURN REST credentials
 * (turn/credentials.ts), and the screen-sharing extension this install offers.
 */
export class IceService {
  constructor(
    private readonly settings: IceSettings | null,
    private readonly clock: Clock,
    private readonly screenCastExtensionId: string | null = null,
  ) {}

  /** `pageHost`: the host the page was loaded from (already checked to be a hostname or IP literal). */
  forUser(userId: number, pageHost: string): IceServersResponse {
    const extension = this.screenCastExtensionId === null ? {} : { screenCastExtensionId: this.screenCastExtensionId };
    return { ...this.#servers(userId, pageHost), ...extension };
  }

  #servers(userId: number, pageHost: string): IceServersResponse {
    const s = this.settings;
    const ttlS = s?.credentialTtlS ?? 86_400;
    const urls =
      s === null
        ? []
        : s.urls.length > 0
          ? [...s.urls]
          : s.bundled
            ? [
                `stun:${pageHost}:${s.port}`,
                `turn:${pageHost}:${s.port}?transport=udp`,
                ...(s.tcp ? [`turn:${pageHost}:${s.port}?transport=tcp`] : []),
              ]
            : [];
    if (s === null || urls.length === 0) {
      return { iceServers: [], ttlS };
    }
    const { username, credential } = issueTurnCredentials(s.secret, userId, this.clock(), ttlS);
    return { iceServers: [{ urls, username, credential }], ttlS };
  }
}
