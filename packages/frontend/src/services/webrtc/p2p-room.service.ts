import type {
  ClientMessages,
  ClientReplies,
  ClientType,
  MessageDto,
  P2pDeviceDto,
  ServerMessages,
  TransferSignalDto,
} from '@pychat/protocol';
import type { AppStore } from '../../store';
import type { LocalDbService, P2pMessage } from '../local-db.service';
import type { Logger } from '../logger';

export interface P2pRoomDeps {
  store: AppStore;
  db: Pick<LocalDbService, 'p2pMessages' | 'putP2pMessages'>;
  request: <K extends ClientType>(type: K, data: ClientMessages[K]) => Promise<ClientReplies[K]>;
  iceServers: () => Promise<{ iceServers: RTCIceServer[] }>;
  transportPolicy: () => RTCIceTransportPolicy;
  logger: Logger;
}

/** What goes over a p2p room's data channel (JSON text). */
export type P2pWire =
  /** On open: every message I hold of the room, as [id, edit counter]. */
  | { t: 'summary'; items: [number, number][] }
  /** Messages the other side lacks or holds an older edit of; also every new message, edit and delete. */
  | { t: 'messages'; messages: P2pMessage[] }
  /** The sender's user read the room up to this message id. */
  | { t: 'read'; upTo: number };

/** One peer connection of a p2p room to one device. */
interface Link {
  roomId: number;
  remote: P2pDeviceDto;
  pc: RTCPeerConnection;
  channel: RTCDataChannel | null;
  /** Signals that arrive before the description they belong to, in order. */
  queue: Promise<void>;
}

/** New message ids: the sender's clock in ms × 1000 plus 3 random digits (below 2^53 until year 2255). */
export function newP2pMessageId(now: number): number {
  return now * 1000 + (crypto.getRandomValues(new Uint16Array(1))[0]! % 1000);
}

/**
 * The p2p conflict rule (pychat's, docs/p2p.md §7): the copy with the higher edit counter wins; on a tie the one
 * held stays.
 */
export function wins(incoming: P2pMessage, held: P2pMessage | undefined): boolean {
  return !held || incoming.edited > held.edited;
}

/** Which of mine the other side lacks or holds an older edit of, given its summary. */
export function missingOnOtherSide(mine: P2pMessage[], theirs: [number, number][]): P2pMessage[] {
  const edited = new Map(theirs);
  return mine.filter((m) => !edited.has(m.id) || (edited.get(m.id) ?? 0) < m.edited);
}

export function toMessageDto(message: P2pMessage): MessageDto {
  return {
    id: message.id,
    roomId: message.roomId,
    senderId: message.senderId,
    content: message.deleted ? null : message.content,
    attachments: [],
    parentId: null,
    threadCount: 0,
    mentions: [],
    createdAt: message.createdAt,
    editedAt: message.editedAt,
    deleted: message.deleted,
    reactions: [],
    pinnedAt: null,
    pinnedBy: null,
  };
}

/** A message from the wire, or null when it is not one (a peer's bug or a hostile peer). */
function parseMessage(raw: unknown, roomId: number, members: number[]): P2pMessage | null {
  const m = raw as Partial<P2pMessage> | null;
  if (
    !m ||
    typeof m.id !== 'number' ||
    !Number.isSafeInteger(m.id) ||
    m.roomId !== roomId ||
    typeof m.senderId !== 'number' ||
    !members.includes(m.senderId) ||
    !(typeof m.content === 'string' || m.content === null) ||
    (m.content?.length ?? 0) > 10_000 ||
    typeof m.createdAt !== 'number' ||
    !(typeof m.editedAt === 'number' || m.editedAt === null) ||
    typeof m.deleted !== 'boolean' ||
    typeof m.edited !== 'number' ||
    !Number.isSafeInteger(m.edited)
  ) {
    return null;
  }
  return {
    id: m.id,
    roomId,
    senderId: m.senderId,
    content: m.deleted ? null : m.content,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    deleted: m.deleted,
    edited: m.edited,
  };
}

/**
 * P2P rooms (docs/p2p.md §7): a direct room flagged p2p keeps its messages in each browser's IndexedDB only and
 * moves them over RTCDataChannels between every online device of both users, own other devices included. The
 * server sees presence (`p2p.join`) and signalling, never a message. On every channel open both sides exchange
 * summaries and send what the other lacks, so messages written while a device was away arrive when it is back.
 */
export class P2pRoomService {
  readonly #links = new Map<string, Link>();
  readonly #joined = new Set<number>();
  #connId: string | null = null;

  constructor(private readonly deps: P2pRoomDeps) {
    // A room switched to p2p (or back), created, or closed: join or leave its mesh.
    deps.store.watch(
      (state) =>
        Object.values(state.rooms.byId)
          .filter((room) => room.p2p && room.kind === 'direct')
          .map((room) => room.id)
          .sort((a, b) => a - b)
          .join(','),
      () => void this.#reconcile(),
    );
  }

  get #log(): Logger {
    return this.deps.logger;
  }

  get #me(): number {
    return this.deps.store.state.session.me?.id ?? 0;
  }

  /** Open data channels (test hook and the room header's status). */
  openChannels(roomId?: number): number {
    return [...this.#links.values()].filter(
      (link) => (roomId === undefined || link.roomId === roomId) && link.channel?.readyState === 'open',
    ).length;
  }

  isP2p(roomId: number): boolean {
    const room = this.deps.store.state.rooms.byId[roomId];
    return room?.p2p === true && room.kind === 'direct';
  }

  /** session.ready: a new socket is a new device; the old one's links are dead, so every room is joined again. */
  onReady(connId: string): void {
    this.#connId = connId;
    for (const link of this.#links.values()) {
      link.pc.close();
    }
    this.#links.clear();
    this.#joined.clear();
    void this.#reconcile();
  }

  onJoined(_data: ServerMessages['p2p.joined']): void {
    // The joining device makes the offer (it got this device in its p2p.join reply): nothing to do until then.
  }

  onLeft({ roomId, connId }: ServerMessages['p2p.left']): void {
    this.#drop(roomId, connId);
  }

  onSignal({ roomId, fromUserId, fromConnId, signal }: ServerMessages['p2p.signal']): void {
    if (!this.#joined.has(roomId)) {
      return;
    }
    let link = this.#links.get(key(roomId, fromConnId));
    if (!link && 'description' in signal && signal.description.type === 'offer') {
      link = this.#link(roomId, { userId: fromUserId, connId: fromConnId });
      link.pc.ondatachannel = ({ channel }) => this.#attach(link as Link, channel);
    }
    if (!link) {
      return;
    }
    const target = link;
    target.queue = target.queue.then(() => this.#apply(target, signal));
  }

  /** The room's messages from IndexedDB into the store (its timeline shows only these while p2p is on). */
  async load(roomId: number): Promise<void> {
    const messages = await this.deps.db.p2pMessages(roomId);
    const { store } = this.deps;
    store.commit('messages/resetRoom', roomId);
    store.commit('messages/upsert', messages.map(toMessageDto));
    store.commit('messages/setLoaded', { roomId, hasMore: false });
  }

  async send(roomId: number, content: string): Promise<void> {
    const now = Date.now();
    await this.#apply1({
      id: newP2pMessageId(now),
      roomId,
      senderId: this.#me,
      content,
      createdAt: now,
      editedAt: null,
      deleted: false,
      edited: 0,
    });
  }

  async edit(roomId: number, messageId: number, content: string): Promise<void> {
    await this.#change(roomId, messageId, (m) => ({ ...m, content }));
  }

  async delete(roomId: number, messageId: number): Promise<void> {
    await this.#change(roomId, messageId, (m) => ({ ...m, content: null, deleted: true }));
  }

  /** Read status: my pointer moves here and on every device of the room. */
  markRead(roomId: number, upTo: number): void {
    this.deps.store.commit('rooms/setReadPointer', { roomId, userId: this.#me, messageId: upTo, back: false });
    this.deps.store.commit('rooms/setUnread', { roomId, unread: 0 });
    this.#broadcast(roomId, { t: 'read', upTo });
  }

  async #change(roomId: number, messageId: number, patch: (m: P2pMessage) => P2pMessage): Promise<void> {
    const held = (await this.deps.db.p2pMessages(roomId)).find((m) => m.id === messageId);
    if (!held || held.senderId !== this.#me || held.deleted) {
      throw new Error('Only your own messages can be changed');
    }
    // The counter decides between copies (pychat's rule); editedAt only shows "edited" and orders nothing.
    await this.#apply1({
      ...patch(held),
      edited: held.edited + 1,
      editedAt: Math.max(Date.now(), (held.editedAt ?? 0) + 1),
    });
  }

  /** A change of mine: stored, shown, and sent to every open channel of the room (the rest get it by sync). */
  async #apply1(message: P2pMessage): Promise<void> {
    await this.deps.db.putP2pMessages([message]);
    this.deps.store.commit('messages/upsert', [toMessageDto(message)]);
    this.#broadcast(message.roomId, { t: 'messages', messages: [message] });
  }

  #broadcast(roomId: number, wire: P2pWire): void {
    const text = JSON.stringify(wire);
    for (const link of this.#links.values()) {
      if (link.roomId === roomId && link.channel?.readyState === 'open') {
        link.channel.send(text);
      }
    }
  }

  async #reconcile(): Promise<void> {
    if (this.#connId === null) {
      return;
    }
    const wanted = new Set(
      Object.values(this.deps.store.state.rooms.byId)
        .filter((room) => room.p2p && room.kind === 'direct')
        .map((room) => room.id),
    );
    for (const roomId of [...this.#joined]) {
      if (!wanted.has(roomId)) {
        this.#joined.delete(roomId);
        for (const link of [...this.#links.values()]) {
          if (link.roomId === roomId) {
            this.#drop(roomId, link.remote.connId);
          }
        }
        await this.deps.request('p2p.leave', { roomId }).catch(() => undefined);
      }
    }
    for (const roomId of wanted) {
      if (this.#joined.has(roomId)) {
        continue;
      }
      this.#joined.add(roomId);
      try {
        const { devices } = await this.deps.request('p2p.join', { roomId });
        for (const device of devices) {
          await this.#offer(roomId, device);
        }
      } catch (error) {
        this.#joined.delete(roomId);
        this.#log.warn('p2p.join {} failed: {}', roomId, error)();
      }
    }
  }

  /** The joining device offers to each device already present. */
  async #offer(roomId: number, remote: P2pDeviceDto): Promise<void> {
    const link = this.#link(roomId, remote);
    this.#attach(link, link.pc.createDataChannel('p2p-room', { ordered: true }));
    await link.queue;
    await link.pc.setLocalDescription();
    await this.#signal(link, { description: { type: 'offer', sdp: link.pc.localDescription?.sdp ?? '' } });
  }

  #link(roomId: number, remote: P2pDeviceDto): Link {
    this.#drop(roomId, remote.connId);
    const pc = new RTCPeerConnection({ iceTransportPolicy: this.deps.transportPolicy() });
    const link: Link = { roomId, remote, pc, channel: null, queue: Promise.resolve() };
    this.#links.set(key(roomId, remote.connId), link);
    // TURN credentials are fetched per link; the configuration is set before any candidate is gathered.
    link.queue = this.deps.iceServers().then(
      ({ iceServers }) => pc.setConfiguration({ iceServers, iceTransportPolicy: this.deps.transportPolicy() }),
      (error: unknown) => this.#log.warn('no ICE servers: {}', error)(),
    );
    pc.onicecandidate = ({ candidate }) => {
      const init = candidate?.toJSON() ?? { candidate: '' };
      void this.#signal(link, {
        candidate: {
          candidate: init.candidate ?? '',
          sdpMid: init.sdpMid ?? null,
          sdpMLineIndex: init.sdpMLineIndex ?? null,
        },
      });
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        this.#drop(roomId, remote.connId);
      }
    };
    return link;
  }

  #attach(link: Link, channel: RTCDataChannel): void {
    link.channel = channel;
    channel.onopen = () => void this.#sendSummary(link);
    channel.onmessage = ({ data }) =>
      void this.#onWire(link, data).catch((error: unknown) => this.#log.warn('{}', error)());
  }

  async #sendSummary(link: Link): Promise<void> {
    const mine = await this.deps.db.p2pMessages(link.roomId);
    link.channel?.send(JSON.stringify({ t: 'summary', items: mine.map((m) => [m.id, m.edited]) } satisfies P2pWire));
  }

  async #onWire(link: Link, data: unknown): Promise<void> {
    if (typeof data !== 'string' || data.length > 16 * 1024 * 1024) {
      return;
    }
    const wire = JSON.parse(data) as Partial<P2pWire> & { t?: unknown };
    if (wire.t === 'summary' && Array.isArray(wire.items)) {
      const items = wire.items.filter(
        (item): item is [number, number] =>
          Array.isArray(item) && typeof item[0] === 'number' && typeof item[1] === 'number',
      );
      const lacking = missingOnOtherSide(await this.deps.db.p2pMessages(link.roomId), items);
      if (lacking.length > 0) {
        link.channel?.send(JSON.stringify({ t: 'messages', messages: lacking } satisfies P2pWire));
      }
    } else if (wire.t === 'messages' && Array.isArray(wire.messages)) {
      await this.#receive(link, wire.messages);
    } else if (wire.t === 'read' && typeof wire.upTo === 'number') {
      this.deps.store.commit('rooms/setReadPointer', {
        roomId: link.roomId,
        userId: link.remote.userId,
        messageId: wire.upTo,
        back: false,
      });
    }
  }

  async #receive(link: Link, raw: unknown[]): Promise<void> {
    const members = this.deps.store.state.rooms.byId[link.roomId]?.members.map((m) => m.userId) ?? [];
    const held = new Map((await this.deps.db.p2pMessages(link.roomId)).map((m) => [m.id, m]));
    const winners: P2pMessage[] = [];
    for (const item of raw) {
      const message = parseMessage(item, link.roomId, members);
      if (message && wins(message, held.get(message.id))) {
        winners.push(message);
        held.set(message.id, message);
      }
    }
    if (winners.length === 0) {
      return;
    }
    await this.deps.db.putP2pMessages(winners);
    const { store } = this.deps;
    store.commit('messages/upsert', winners.map(toMessageDto));
    const fresh = winners.filter((m) => m.senderId !== this.#me && m.edited === 0);
    if (fresh.length > 0 && store.state.rooms.activeRoomId !== link.roomId) {
      const state = store.state.rooms.states[link.roomId];
      if (state) {
        store.commit('rooms/setUnread', { roomId: link.roomId, unread: state.unread + fresh.length });
      }
    }
  }

  async #apply(link: Link, signal: TransferSignalDto): Promise<void> {
    try {
      if ('description' in signal) {
        await link.pc.setRemoteDescription(signal.description);
        if (signal.description.type === 'offer') {
          await link.pc.setLocalDescription();
          await this.#signal(link, { description: { type: 'answer', sdp: link.pc.localDescription?.sdp ?? '' } });
        }
      } else if (signal.candidate.candidate !== '') {
        await link.pc.addIceCandidate(signal.candidate);
      }
    } catch (error) {
      this.#log.warn('p2p signal not applied: {}', error)();
    }
  }

  async #signal(link: Link, signal: TransferSignalDto): Promise<void> {
    await this.deps
      .request('p2p.signal', { roomId: link.roomId, toConnId: link.remote.connId, signal })
      .catch((error: unknown) => this.#log.debug('p2p.signal refused: {}', error)());
  }

  #drop(roomId: number, connId: string): void {
    const link = this.#links.get(key(roomId, connId));
    if (link) {
      this.#links.delete(key(roomId, connId));
      link.pc.onconnectionstatechange = null;
      link.pc.close();
    }
  }
}

function key(roomId: number, connId: string): string {
  return `${roomId}:${connId}`;
}
