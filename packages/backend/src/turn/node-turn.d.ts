// node-turn 0.0.6 ships no types; only what turn-server.ts uses, including the hooks added by
// patches/node-turn@0.0.6.patch (getPassword, a stop() that closes allocations).
declare module 'node-turn' {
  import type { Socket } from 'node:dgram';
  import type { Server } from 'node:net';

  interface NodeTurnOptions {
    listeningPort?: number;
    /** Patched: also TCP on listeningPort (default true). */
    listeningTcp?: boolean;
    /** Patched: ms a TCP connection may stay open without an allocation (default 30 000). */
    tcpIdleTimeout?: number;
    listeningIps?: string[];
    relayIps?: string[];
    externalIps?: string | Record<string, string> | null;
    minPort?: number;
    maxPort?: number;
    authMech?: 'none' | 'short-term' | 'long-term';
    realm?: string;
    credentials?: Record<string, string>;
    getPassword?: (username: string) => string | undefined;
    allowPeer?: (address: string) => boolean;
    debugLevel?: 'ALL' | 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' | 'OFF';
    log?: (message: unknown) => void;
  }

  class NodeTurn {
    constructor(options?: NodeTurnOptions);
    readonly network: { sockets: Socket[]; tcpServers: Server[] };
    readonly allocations: Record<string, unknown>;
    start(): void;
    stop(): void;
  }

  export = NodeTurn;
}
