import type { AddressInfo } from 'node:net';
import NodeTurn from 'node-turn';
import type { Config } from '../config/config';
import type { Logger } from '../logger';
import { expectedTurnPassword } from './credentials';
import { peerPolicy } from './peer-policy';

export interface TurnServer {
  /** The addresses it listens on (UDP, config.turn.port). */
  readonly addresses: readonly string[];
  /** The addresses it listens on over TCP (same port); empty when config.turn.tcp is off. */
  readonly tcpAddresses: readonly string[];
  /** Closes the listening sockets, every allocation's relay sockets and the timers: the process can exit. */
  stop(): void;
}

/**
 * The bundled TURN server: node-turn 0.0.6 in this process, fixed by patches/node-turn@0.0.6.patch.
 * In-process rather than a child of `pychat start` because the patched stop() releases everything, it has
 * no state worth isolating, and it shares the secret and the clock without any hand-over; a crash in its
 * UDP handlers is caught inside node-turn. Clients reach it over UDP and, with the patch, TCP on the same
 * port (STUN and padded ChannelData framed on the stream; a connection sending anything else is closed, and
 * its allocation goes with it); relays toward peers are UDP. No TLS (turns:): use coturn for that.
 * Credentials are TURN REST ones (credentials.ts), checked on every authenticated request, so an expired
 * username is refused even for a Refresh.
 */
export async function startTurnServer(
  turn: Config['turn'],
  secret: string,
  logger: Logger,
  now: () => number = Date.now,
): Promise<TurnServer> {
  const log = logger.child({ ctx: 'turn' });
  const server = new NodeTurn({
    listeningPort: turn.port,
    listeningTcp: turn.tcp,
    // Unset: node-turn binds every interface address separately, so it knows which one a client reached.
    ...(turn.listenIps.length > 0 ? { listeningIps: [...turn.listenIps] } : {}),
    relayIps: [...turn.relayIps],
    externalIps: turn.externalIp,
    minPort: turn.minPort,
    maxPort: turn.maxPort,
    authMech: 'long-term',
    realm: turn.realm,
    getPassword: (username) => expectedTurnPassword(secret, username, now()),
    allowPeer: peerPolicy(turn.allowLoopbackPeers, turn.deniedPeers),
    debugLevel: 'ERROR',
    log: (message) => log.warn({ detail: String(message) }, 'node-turn'),
  });
  server.start();
  const { sockets, tcpServers } = server.network;
  try {
    // node-turn only logs a bind error; a port in use must fail the start instead of serving nothing.
    await Promise.all(
      [...sockets, ...tcpServers].map(
        (socket) =>
          new Promise<void>((resolve, reject) => {
            socket.once('listening', () => resolve());
            socket.once('error', reject);
          }),
      ),
    );
  } catch (error) {
    server.stop();
    const transports = turn.tcp ? 'UDP/TCP' : 'UDP';
    throw new Error(`TURN: cannot listen on ${transports} port ${turn.port}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const addresses = sockets.map((s) => `${s.address().address}:${s.address().port}`);
  const tcpAddresses = tcpServers.map((s) => {
    const a = s.address() as AddressInfo;
    return `${a.address}:${a.port}`;
  });
  log.info(
    { addresses, tcpAddresses, relayPorts: `${turn.minPort}-${turn.maxPort}`, realm: turn.realm },
    'TURN server listening',
  );
  return { addresses, tcpAddresses, stop: () => server.stop() };
}
