import type {
  ClientMessages,
  ClientReplies,
  ClientType,
  ServerMessages,
  TransferDto,
  TransferSignalDto,
} from '@pychat/protocol';
import type { AppStore } from '../../store';
import type { IncomingTransfer, OutgoingPeer } from '../../store/modules/transfers';
import type { Logger } from '../logger';
import { receiveFile, sendFile, sha256Hex, type ReceiverMessage } from './file-channel';

export interface FileTransferDeps {
  store: AppStore;
  request: <K extends ClientType>(type: K, data: ClientMessages[K]) => Promise<ClientReplies[K]>;
  /** Fresh ICE servers (TURN credentials) per peer connection. */
  iceServers: () => Promise<{ iceServers: RTCIceServer[] }>;
  transportPolicy: () => RTCIceTransportPolicy;
  /** The Origin Private File System's root (navigator.storage.getDirectory). */
  storageRoot: () => Promise<FileSystemDirectoryHandle>;
  logger: Logger;
}

/** Progress reaches the store at most this often (a 64 KiB chunk each millisecond would flood vuex). */
const PROGRESS_EVERY_MS = 250;

/** Smoothed bytes per second, committed a few times a second. */
class Meter {
  #lastBytes: number;
  #lastAt = performance.now();
  speed = 0;

  constructor(start: number) {
    this.#lastBytes = start;
  }

  /** True when enough time passed to report (always for the last byte). */
  update(bytes: number, final: boolean): boolean {
    const now = performance.now();
    const elapsed = now - this.#lastAt;
    if (elapsed < PROGRESS_EVERY_MS && !final) {
      return false;
    }
    const rate = ((bytes - this.#lastBytes) * 1000) / Math.max(elapsed, 1);
    this.speed = this.speed === 0 ? rate : 0.6 * this.speed + 0.4 * rate;
    this.#lastBytes = bytes;
    this.#lastAt = now;
    return true;
  }
}

/** One peer connection of a transfer: the sender's to one receiving device, or a receiver's to the sender. */
interface Link {
  pc: RTCPeerConnection;
  remoteConnId: string;
  /** Closed on purpose (cancel, decline, a newer accept): its failure is not reported. */
  closed: boolean;
  /** Aborted when the link ends either way, which ends a send or receive in progress. */
  abort: AbortController;
}

/** What a receiving tab keeps besides the store: where the bytes go on disk. */
interface Download {
  handle: FileSystemFileHandle;
  writable: FileSystemWritableFileStream | null;
  /** The last writable's close: a resume reads the size on disk only after it. */
  committed: Promise<void>;
  link: Link | null;
  senderConnId: string;
}

/**
 * P2P file transfer of this device (docs/p2p.md): offering files, sending them to each device that accepts,
 * and receiving them into the Origin Private File System with a SHA-256 check before Save. The server sees
 * only the offer and the signalling; the bytes go over an RTCDataChannel (through TURN when needed).
 */
export class FileTransferService {
  /** Offered files by transfer id (the sender keeps the File to read from for every receiver). */
  readonly #files = new Map<string, File>();
  /** Sender side: transferId → receiving connId → link. */
  readonly #sending = new Map<string, Map<string, Link>>();
  readonly #downloads = new Map<string, Download>();
  /** Receiver side: transferId → the offering socket (the only one whose signals count). */
  readonly #senderConn = new Map<string, string>();
  #connId: string | null = null;
  #preparing = 0;
  /** Local candidate type of each sending link once its channel opened (test hook: relay or not). */
  readonly #candidateTypes: string[] = [];
  /** The `received` of every accept this tab got as a sender (test hook: a resume starts past 0). */
  readonly #acceptedFrom: number[] = [];

  constructor(private readonly deps: FileTransferDeps) {}

  get #log(): Logger {
    return this.deps.logger;
  }

  /** Offers each file (0-byte files skipped) to the other members of a room or thread. */
  async offer(roomId: number, threadId: number | null, files: File[]): Promise<void> {
    for (const file of files) {
      if (file.size === 0) {
        continue;
      }
      const key = `p${++this.#preparing}`;
      const { store } = this.deps;
      store.commit('transfers/preparing', { key, roomId, name: file.name, size: file.size, hashed: 0 });
      try {
        let reported = 0;
        const digest = await sha256Hex(file, (hashed) => {
          if (hashed - reported >= 32 * 1024 * 1024) {
            reported = hashed;
            store.commit('transfers/preparing', { key, roomId, name: file.name, size: file.size, hashed });
          }
        });
        const dto = { name: file.name.slice(0, 255), size: file.size, type: file.type.slice(0, 255), sha256: digest };
        const { transferId } = await this.deps.request('transfer.offer', {
          roomId,
          ...(threadId === null ? {} : { threadId }),
          file: dto,
        });
        this.#files.set(transferId, file);
        this.#sending.set(transferId, new Map());
        store.commit('transfers/add', {
          transferId,
          roomId,
          threadId,
          file: dto,
          direction: 'out',
          peers: {},
          withdrawn: false,
        });
      } finally {
        store.commit('transfers/prepared', key);
      }
    }
  }

  /** session.ready: a new socket is a new device id; the old one's offers were withdrawn by the server. */
  onReady(connId: string): void {
    if (this.#connId !== null && this.#connId !== connId) {
      for (const transferId of [...this.#sending.keys()]) {
        this.#withdrawLocally(transferId);
      }
      for (const [transferId, download] of this.#downloads) {
        // My accept was bound to the old socket: the user resumes with Retry.
        if (download.link && !download.link.closed) {
          this.#closeLink(download.link);
        }
        this.#interrupt(transferId, 'Connection to the server was lost');
      }
    }
    this.#connId = connId;
  }

  onIncoming(transfer: TransferDto): void {
    this.deps.store.commit('transfers/add', {
      transferId: transfer.transferId,
      roomId: transfer.roomId,
      threadId: transfer.threadId,
      file: transfer.file,
      direction: 'in',
      fromUserId: transfer.from.userId,
      status: 'offered',
      error: null,
      bytes: 0,
      speed: 0,
    } satisfies IncomingTransfer);
    this.#downloads.delete(transfer.transferId);
    this.#senderConn.set(transfer.transferId, transfer.from.connId);
  }

  // ---- receiver ----

  /** Accept (or resume after a lost connection) on this device: from the bytes already on disk. */
  async accept(transferId: string): Promise<void> {
    try {
      await this.#accept(transferId);
    } catch (error) {
      // No OPFS (a private window of some browsers), or the disk is full: say so on the entry.
      this.#log.warn('accepting {} failed: {}', transferId, error)();
      this.#update(transferId, { status: 'failed', error: `Cannot store the file here: ${errorText(error)}` });
    }
  }

  async #accept(transferId: string): Promise<void> {
    const transfer = this.#incoming(transferId);
    const senderConnId = this.#senderConn.get(transferId);
    if (!transfer || senderConnId === undefined) {
      return;
    }
    let download = this.#downloads.get(transferId);
    if (!download) {
      const root = await this.deps.storageRoot();
      const handle = await root.getFileHandle(opfsName(transferId), { create: true });
      download = { handle, writable: null, committed: Promise.resolve(), link: null, senderConnId };
      this.#downloads.set(transferId, download);
    }
    if (download.link) {
      this.#closeLink(download.link);
      download.link = null;
    }
    if (download.writable) {
      // Commits what was written so far: the resume offset is the file's size on disk.
      download.committed = download.writable.close().catch(() => undefined);
      download.writable = null;
    }
    await download.committed;
    const received = Math.min((await download.handle.getFile()).size, transfer.file.size - 1);
    download.writable = await download.handle.createWritable({ keepExistingData: true });
    await download.writable.truncate(received);
    await download.writable.seek(received);
    this.#update(transferId, { status: 'connecting', bytes: received, speed: 0, error: null });
    try {
      await this.deps.request('transfer.accept', { transferId, received });
    } catch (error) {
      this.#interrupt(transferId, errorText(error));
    }
  }

  async decline(transferId: string): Promise<void> {
    const transfer = this.#incoming(transferId);
    if (!transfer) {
      return;
    }
    this.#update(transferId, { status: 'declined' });
    await this.#discard(transferId);
    await this.deps.request('transfer.decline', { transferId }).catch(() => undefined);
  }

  /** Hands the verified file to the browser's download (read from disk, not from memory). */
  async save(transferId: string): Promise<void> {
    const download = this.#downloads.get(transferId);
    const transfer = this.#incoming(transferId);
    if (!download || transfer?.status !== 'finished') {
      return;
    }
    const file = await download.handle.getFile();
    const url = URL.createObjectURL(file);
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = transfer.file.name;
    anchor.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** Forgets a finished, failed or declined entry (and its bytes on disk). */
  async dismiss(transferId: string): Promise<void> {
    await this.#discard(transferId);
    this.#senderConn.delete(transferId);
    this.deps.store.commit('transfers/remove', transferId);
  }

  // ---- sender ----

  /** Stops sending to one device, or (no connId) withdraws the offer from everyone. */
  async cancel(transferId: string, connId?: string): Promise<void> {
    if (connId === undefined) {
      this.#withdrawLocally(transferId);
      await this.deps.request('transfer.cancel', { transferId }).catch(() => undefined);
      return;
    }
    const link = this.#sending.get(transferId)?.get(connId);
    if (link) {
      this.#closeLink(link);
    }
    this.#setPeer(transferId, connId, { status: 'cancelled' });
    await this.deps.request('transfer.cancel', { transferId, connId }).catch(() => undefined);
  }

  onAccepted(data: ServerMessages['transfer.accepted']): void {
    const file = this.#files.get(data.transferId);
    const links = this.#sending.get(data.transferId);
    if (!file || !links) {
      return;
    }
    this.#acceptedFrom.push(data.received);
    const previous = links.get(data.connId);
    if (previous) {
      this.#closeLink(previous);
    }
    this.#setPeer(data.transferId, data.connId, {
      userId: data.userId,
      status: 'connecting',
      bytes: data.received,
      speed: 0,
    });
    void this.#sendTo(data.transferId, file, data.connId, data.received, links);
  }

  onDeclined(data: ServerMessages['transfer.declined']): void {
    const link = this.#sending.get(data.transferId)?.get(data.connId);
    if (link) {
      this.#closeLink(link);
    }
    this.#setPeer(data.transferId, data.connId, { userId: data.userId, status: 'declined', speed: 0 });
  }

  onCancelled(data: ServerMessages['transfer.cancelled']): void {
    const transfer = this.#incoming(data.transferId);
    if (!transfer || ['finished', 'declined', 'corrupt'].includes(transfer.status)) {
      return;
    }
    this.#update(data.transferId, { status: 'cancelled', speed: 0 });
    void this.#discard(data.transferId);
  }

  onSignal(data: ServerMessages['transfer.signal']): void {
    const sending = this.#sending.get(data.transferId)?.get(data.fromConnId);
    if (sending) {
      void this.#apply(sending, data.signal);
      return;
    }
    const download = this.#downloads.get(data.transferId);
    if (download && download.senderConnId === data.fromConnId) {
      if ('description' in data.signal && data.signal.description.type === 'offer') {
        void this.#answer(data.transferId, download, data.signal).catch((error: unknown) =>
          this.#interrupt(data.transferId, errorText(error)),
        );
      } else if (download.link) {
        void this.#apply(download.link, data.signal);
      }
    }
  }

  /** Test hook: where each accept of this tab's offers asked to start. */
  get acceptedOffsets(): number[] {
    return [...this.#acceptedFrom];
  }

  /** Test hook: how each link this tab sent over was connected ('relay', 'host', …). */
  get candidateTypes(): string[] {
    return [...this.#candidateTypes];
  }

  /**
   * Test hook: ends every peer connection of this tab the way a network failure does (not a cancel), so the
   * browser test can check the resume.
   */
  dropConnections(): void {
    const links = [...this.#sending.values()].flatMap((byConn) => [...byConn.values()]);
    for (const download of this.#downloads.values()) {
      if (download.link) {
        links.push(download.link);
      }
    }
    for (const link of links) {
      link.abort.abort();
      link.pc.close();
    }
  }

  /** Test hook: the peer connections of this tab's transfers that are not closed. */
  get peerConnectionCount(): number {
    const links = [...this.#sending.values()].flatMap((byConn) => [...byConn.values()]);
    for (const download of this.#downloads.values()) {
      if (download.link) {
        links.push(download.link);
      }
    }
    return links.filter((link) => link.pc.signalingState !== 'closed').length;
  }

  /** One receiving device: a new peer connection and data channel, from the byte it asked for. */
  async #sendTo(transferId: string, file: File, connId: string, start: number, links: Map<string, Link>) {
    const link = await this.#link(connId, transferId);
    links.get(connId)?.abort.abort();
    links.set(connId, link);
    try {
      const channel = link.pc.createDataChannel('file', { ordered: true });
      channel.binaryType = 'arraybuffer';
      const offer = await link.pc.createOffer();
      await link.pc.setLocalDescription(offer);
      await this.#signal(transferId, connId, { description: { type: 'offer', sdp: offer.sdp ?? '' } });
      await new Promise<void>((resolve, reject) => {
        channel.onopen = () => resolve();
        link.abort.signal.addEventListener('abort', () => reject(new Error('The connection could not be set up')));
      });
      this.#setPeer(transferId, connId, { status: 'sending' });
      void localCandidateType(link.pc).then((type) => this.#candidateTypes.push(type));
      const meter = new Meter(start);
      const onAck = (acked: number) => {
        if (meter.update(acked, acked === file.size)) {
          this.#setPeer(transferId, connId, { bytes: acked, speed: meter.speed });
        }
      };
      const ok = await sendFile(channel, file, start, onAck, link.abort.signal);
      this.#setPeer(transferId, connId, { status: ok ? 'finished' : 'failed', bytes: file.size, speed: 0 });
      this.#closeLink(link);
    } catch (error) {
      this.#log.warn('sending {} to {} stopped: {}', transferId, connId, error)();
      // A link closed on purpose (cancel, decline, a resume's new link) has its row set by whoever closed it.
      if (!link.closed) {
        this.#closeLink(link);
        this.#setPeer(transferId, connId, { status: 'failed', speed: 0 });
      }
    }
  }

  async #answer(transferId: string, download: Download, signal: TransferSignalDto): Promise<void> {
    if (download.link) {
      this.#closeLink(download.link);
    }
    const link = await this.#link(download.senderConnId, transferId);
    download.link = link;
    const transfer = this.#incoming(transferId);
    const writable = download.writable;
    if (!transfer || !writable) {
      return;
    }
    const start = transfer.bytes;
    const size = transfer.file.size;
    // ICE failing before the channel opened: nothing else would tell.
    link.abort.signal.addEventListener('abort', () => {
      if (!link.closed && this.#incoming(transferId)?.status === 'connecting') {
        this.#interrupt(transferId, 'The connection could not be set up');
      }
    });
    link.pc.ondatachannel = ({ channel }) => {
      this.#update(transferId, { status: 'receiving' });
      const meter = new Meter(start);
      const onWritten = (written: number) => {
        if (meter.update(written, written === size)) {
          this.#update(transferId, { bytes: written, speed: meter.speed });
        }
      };
      const sink = { write: (data: Blob) => writable.write(data) };
      receiveFile(channel, sink, start, size, onWritten, link.abort.signal).then(
        () => this.#verify(transferId, download, channel),
        (error: unknown) => {
          if (!link.closed) {
            this.#closeLink(link);
            if (download.writable === writable) {
              download.committed = writable.close().catch(() => undefined);
              download.writable = null;
            }
            this.#interrupt(transferId, errorText(error));
          }
        },
      );
    };
    await this.#apply(link, signal);
    const answer = await link.pc.createAnswer();
    await link.pc.setLocalDescription(answer);
    await this.#signal(transferId, download.senderConnId, { description: { type: 'answer', sdp: answer.sdp ?? '' } });
  }

  /** All bytes are on disk: commit, hash what was written, and tell the sender. */
  async #verify(transferId: string, download: Download, channel: RTCDataChannel): Promise<void> {
    const transfer = this.#incoming(transferId);
    if (!transfer) {
      return;
    }
    this.#update(transferId, { status: 'verifying', bytes: transfer.file.size, speed: 0 });
    await download.writable?.close();
    download.writable = null;
    const digest = await sha256Hex(await download.handle.getFile());
    const ok = digest === transfer.file.sha256;
    const link = download.link;
    if (channel.readyState === 'open') {
      channel.send(JSON.stringify({ t: 'done', ok } satisfies ReceiverMessage));
    }
    if (link) {
      // The sender closes once it has the verdict; closing here at once could drop the verdict unsent.
      link.closed = true;
      const close = () => link.pc.close();
      channel.addEventListener('close', close);
      setTimeout(close, 10_000);
      if (channel.readyState !== 'open') {
        close();
      }
    }
    this.#update(transferId, {
      status: ok ? 'finished' : 'corrupt',
      error: ok ? null : 'The received file does not match the SHA-256 the sender announced',
    });
    if (!ok) {
      const root = await this.deps.storageRoot();
      await root.removeEntry(opfsName(transferId)).catch(() => undefined);
    }
  }

  async #link(remoteConnId: string, transferId: string): Promise<Link> {
    const { iceServers } = await this.deps.iceServers();
    const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: this.deps.transportPolicy() });
    const link: Link = { pc, remoteConnId, closed: false, abort: new AbortController() };
    pc.onicecandidate = ({ candidate }) => {
      if (link.closed) {
        return;
      }
      const init = candidate?.toJSON() ?? { candidate: '' };
      void this.#signal(transferId, remoteConnId, {
        candidate: {
          candidate: init.candidate ?? '',
          sdpMid: init.sdpMid ?? null,
          sdpMLineIndex: init.sdpMLineIndex ?? null,
        },
      }).catch(() => undefined);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') {
        // Ends the send or receive in progress with "connection lost"; the receiver may resume.
        link.abort.abort();
        pc.close();
      }
    };
    return link;
  }

  async #apply(link: Link, signal: TransferSignalDto): Promise<void> {
    try {
      if ('description' in signal) {
        await link.pc.setRemoteDescription(signal.description);
      } else if (signal.candidate.candidate !== '') {
        await link.pc.addIceCandidate(signal.candidate);
      }
    } catch (error) {
      this.#log.warn('signal not applied: {}', error)();
    }
  }

  #signal(transferId: string, toConnId: string, signal: TransferSignalDto): Promise<unknown> {
    return this.deps.request('transfer.signal', { transferId, toConnId, signal });
  }

  #closeLink(link: Link): void {
    link.closed = true;
    link.abort.abort();
    link.pc.close();
  }

  #withdrawLocally(transferId: string): void {
    for (const [connId, link] of this.#sending.get(transferId) ?? []) {
      this.#closeLink(link);
      if (this.#peerStatus(transferId, connId) !== 'finished') {
        this.#setPeer(transferId, connId, { status: 'cancelled', speed: 0 });
      }
    }
    this.#sending.delete(transferId);
    this.#files.delete(transferId);
    this.deps.store.commit('transfers/withdrawn', transferId);
  }

  #interrupt(transferId: string, error: string): void {
    const transfer = this.#incoming(transferId);
    if (transfer && ['connecting', 'receiving', 'offered'].includes(transfer.status)) {
      this.#update(transferId, { status: 'interrupted', error, speed: 0 });
    }
  }

  async #discard(transferId: string): Promise<void> {
    const download = this.#downloads.get(transferId);
    this.#downloads.delete(transferId);
    if (!download) {
      return;
    }
    if (download.link) {
      this.#closeLink(download.link);
    }
    await download.writable?.abort().catch(() => undefined);
    const root = await this.deps.storageRoot();
    await root.removeEntry(opfsName(transferId)).catch(() => undefined);
  }

  #incoming(transferId: string): IncomingTransfer | undefined {
    const transfer = this.deps.store.state.transfers.byId[transferId];
    return transfer?.direction === 'in' ? transfer : undefined;
  }

  #update(transferId: string, change: Partial<IncomingTransfer>): void {
    this.deps.store.commit('transfers/incoming', { transferId, ...change });
  }

  #peerStatus(transferId: string, connId: string): OutgoingPeer['status'] | undefined {
    const transfer = this.deps.store.state.transfers.byId[transferId];
    return transfer?.direction === 'out' ? transfer.peers[connId]?.status : undefined;
  }

  #setPeer(transferId: string, connId: string, change: Partial<OutgoingPeer>): void {
    const transfer = this.deps.store.state.transfers.byId[transferId];
    if (transfer?.direction !== 'out') {
      return;
    }
    const current = transfer.peers[connId] ?? { connId, userId: 0, status: 'connecting', bytes: 0, speed: 0 };
    this.deps.store.commit('transfers/outgoingPeer', { transferId, ...current, ...change, connId });
  }
}

/** The OPFS entry a download is written to (one per transfer, so a resume finds its bytes). */
function opfsName(transferId: string): string {
  return `transfer-${transferId}`;
}

/** The local candidate type of the connection's selected pair ('unknown' if the stats do not tell). */
async function localCandidateType(pc: RTCPeerConnection): Promise<string> {
  const stats = await pc.getStats();
  let pairId: string | undefined;
  stats.forEach((report: { type: string; selectedCandidatePairId?: string }) => {
    if (report.type === 'transport') {
      pairId ??= report.selectedCandidatePairId;
    }
  });
  const pair = pairId === undefined ? undefined : (stats.get(pairId) as { localCandidateId?: string } | undefined);
  const local = pair?.localCandidateId === undefined ? undefined : stats.get(pair.localCandidateId);
  return (local as { candidateType?: string } | undefined)?.candidateType ?? 'unknown';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
