import type { AuthResponse, ClientMessages, ClientReplies, ClientType, MessageDto } from '@pychat/protocol';
import { SocketClosedError, TestClient } from '@pychat/testkit';
import { sleep } from './processes';

/**
 * A steady chat load for the resilience specs, written the way the protocol tells a client to behave:
 * every message has a localId, an unanswered send is resent with the same localId after a reconnect,
 * and a reconnect catches up with message.sync (then message.history when the sync reports a gap).
 */

export type Outcome<T> = { kind: 'reply'; data: T } | { kind: 'error'; code: string } | { kind: 'closed' };

/** A request that also ends when its socket closes (a killed server never answers; the kit fails the wait then). */
export async function attempt<K extends ClientType>(
  client: TestClient,
  type: K,
  data: ClientMessages[K],
): Promise<Outcome<ClientReplies[K]>> {
  if (client.closed !== null || client.ws.readyState !== client.ws.OPEN) {
    return { kind: 'closed' };
  }
  return client.request(type, data).then(
    (reply): Outcome<ClientReplies[K]> => ({ kind: 'reply', data: reply }),
    (error: Error): Outcome<ClientReplies[K]> =>
      error instanceof SocketClosedError
        ? { kind: 'closed' }
        : { kind: 'error', code: error.message.split(':')[0] ?? 'unknown' },
  );
}

/** One user: every connection it opened (old ones keep their frames) and what it learnt by resync. */
export class Member {
  readonly clients: TestClient[] = [];
  /** serverTime of the last successful message.sync (at first: of the first session.ready). */
  since = 0;
  readonly #synced = new Map<number, MessageDto>();
  syncs = 0;
  gaps = 0;

  constructor(
    readonly name: string,
    readonly auth: AuthResponse,
  ) {}

  get client(): TestClient {
    const client = this.clients.at(-1);
    if (!client) {
      throw new Error(`${this.name} never connected`);
    }
    return client;
  }

  get connected(): boolean {
    const client = this.clients.at(-1);
    return client !== undefined && client.closed === null && client.ws.readyState === client.ws.OPEN;
  }

  /** Connects (a few tries: the target may be busy taking over a dead instance's clients). */
  async connect(instance: { wsUrl: string }): Promise<TestClient> {
    let last: unknown;
    for (let i = 0; i < 10; i++) {
      try {
        const client = await TestClient.connect(instance, this.auth.token);
        this.clients.push(client);
        if (this.since === 0) {
          this.since = client.ready.serverTime;
        }
        return client;
      } catch (error) {
        last = error;
        await sleep(200);
      }
    }
    throw new Error(`${this.name} could not connect: ${String(last)}`);
  }

  /** Messages of a room received live on any of its connections. */
  live(roomId: number): Map<number, MessageDto> {
    const seen = new Map<number, MessageDto>();
    for (const client of this.clients) {
      for (const frame of client.all('message.new')) {
        if (frame.message.roomId === roomId) {
          seen.set(frame.message.id, frame.message);
        }
      }
    }
    return seen;
  }

  /** Live ∪ resynced. */
  held(roomId: number): Map<number, MessageDto> {
    const all = this.live(roomId);
    for (const [id, message] of this.#synced) {
      if (message.roomId === roomId) {
        all.set(id, message);
      }
    }
    return all;
  }

  /** Protocol §10: message.sync from what I hold; on a gap, page message.history back to the start. */
  async catchUp(roomId: number): Promise<void> {
    const held = [...this.held(roomId).keys()];
    const lastMessageId = held.length === 0 ? 0 : Math.max(...held);
    const reply = await this.client.request('message.sync', { rooms: [{ roomId, lastMessageId, since: this.since }] });
    this.syncs++;
    for (const room of reply.rooms) {
      for (const message of room.messages) {
        this.#synced.set(message.id, message);
      }
      if (room.gap) {
        this.gaps++;
        let beforeId: number | undefined;
        for (let page = 0; page < 100; page++) {
          const history = await this.client.request('message.history', { roomId, beforeId, limit: 100 });
          for (const message of history.messages) {
            this.#synced.set(message.id, message);
          }
          if (!history.hasMore || history.messages.length === 0) {
            break;
          }
          beforeId = history.messages[0]?.id;
        }
      }
    }
    this.since = reply.serverTime;
  }
}

export interface SendLog {
  member: Member;
  /** localId → the message the server acknowledged (reply received). */
  acked: Map<string, MessageDto>;
  /** When each acknowledgement arrived (ms). */
  ackedAt: Map<string, number>;
  /** Resends answered with duplicate: true. */
  duplicates: number;
  /** Sends interrupted by a closed socket. */
  interrupted: number;
  /** Error codes answered to sends. */
  errors: string[];
  /** localIds never acknowledged before the deadline. */
  unacked: string[];
}

export function contentOf(member: Member, i: number): string {
  return `${member.name} #${i}`;
}

/**
 * Sends `count` messages one after another with `pauseMs` between them. A send cut off by a closed socket
 * is resent with the same localId after `reconnect()`; one answered with an error is retried after a
 * pause. Stops at `deadline` whatever happens.
 */
export async function sendSteadily(
  member: Member,
  options: {
    roomId: number;
    count: number;
    pauseMs: number;
    deadline: number;
    reconnect: () => Promise<void>;
    onAck?: (localId: string) => void;
  },
): Promise<SendLog> {
  const log: SendLog = {
    member,
    acked: new Map(),
    ackedAt: new Map(),
    duplicates: 0,
    interrupted: 0,
    errors: [],
    unacked: [],
  };
  for (let i = 0; i < options.count; i++) {
    const localId = `${member.name}-${i}`;
    while (!log.acked.has(localId) && Date.now() < options.deadline) {
      if (!member.connected) {
        await options.reconnect();
      }
      const outcome = await attempt(member.client, 'message.send', {
        roomId: options.roomId,
        content: contentOf(member, i),
        localId,
      });
      if (outcome.kind === 'reply') {
        log.acked.set(localId, outcome.data.message);
        log.ackedAt.set(localId, Date.now());
        if (outcome.data.duplicate) {
          log.duplicates++;
        }
        options.onAck?.(localId);
      } else if (outcome.kind === 'closed') {
        log.interrupted++;
      } else {
        log.errors.push(outcome.code);
        await sleep(100);
      }
    }
    if (!log.acked.has(localId)) {
      log.unacked.push(localId);
    }
    await sleep(options.pauseMs);
  }
  return log;
}
