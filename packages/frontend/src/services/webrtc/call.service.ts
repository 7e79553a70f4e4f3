import type { CallDto, ServerMessages } from '@pychat/protocol';
import type { AppStore } from '../../store';
import type { CallDevices } from '../../store/types';
import type { Logger } from '../logger';
import { isPolite, PeerSession, type PeerEvents, type PeerMediaState, type PeerSignals } from './peer-session';
import { browserCaptureDeps, captureCanvas, captureScreen, ScreenShare, type ScreenCapture } from './screen-capture';
import { bitrateKbps, lossPercent, type QualityInput } from './quality';
import type { Ringer } from './ringer';
import type { CallSignaling } from './signaling';

/** What a PeerSession is to CallService (a fake in the unit tests). */
export type PeerLike = Pick<
  PeerSession,
  'description' | 'candidate' | 'setMedia' | 'close' | 'polite' | 'replaceTrack' | 'addTrack'
> & {
  readonly pc?: RTCPeerConnection;
};

export interface PeerInit {
  remoteConnId: string;
  polite: boolean;
  config: RTCConfiguration;
  local: MediaStream | null;
  media: PeerMediaState;
  signals: PeerSignals;
  events: PeerEvents;
  onError: (error: unknown) => void;
}

export interface CallDeps {
  store: AppStore;
  signaling: CallSignaling;
  /** GET /api/ice-servers: ICE servers, and the screen-sharing extension's id where one is offered. */
  iceServers: () => Promise<{ iceServers: RTCIceServer[]; screenCastExtensionId?: string }>;
  getMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** `localStorage['pychat.iceTransportPolicy']`: 'relay' forces TURN (tests, or checking a TURN set-up). */
  transportPolicy: () => RTCIceTransportPolicy;
  logger: Logger;
  createPeer?: (init: PeerInit) => PeerLike;
  /** Screen capture (screen-capture.ts); the argument is the extension id from the ICE servers' answer. */
  captureScreen?: (extensionId: string | null) => Promise<ScreenCapture>;
  /** The painter's canvas as a track (screen-capture.ts captureCanvas). */
  captureCanvas?: (canvas: HTMLCanvasElement) => ScreenCapture;
  /** Rings while a call is offered to this device (and the user's incoming-call sound setting is on). */
  ringer?: Ringer;
  /** Where the chosen devices are kept (localStorage). */
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
}

const DEVICES_KEY = 'pychat.callDevices';
/** How long a notice ("bob declined") stays on the call panel. */
const NOTICE_MS = 8_000;

/** A summary of one peer's getStats for the browser tests and the tile's quality indicator (quality.ts). */
export interface PeerStats extends QualityInput {
  connId: string;
  userId: number;
  connectionState: string;
  framesDecoded: number;
  bytesReceived: number;
  /** Size of the last decoded video frame (the camera and a shared screen differ), 0 before one. */
  frameWidth: number;
  frameHeight: number;
  localCandidateType: string | null;
  /** How this device reaches its TURN server when the local candidate is a relay: 'udp', 'tcp' or 'tls'. */
  localRelayProtocol: string | null;
  remoteCandidateType: string | null;
}

/**
 * A 1:1 or mesh call of this device (docs/webrtc.md "Web app"): media, one PeerSession per remote device, and the
 * store's view of it. The streams stay here, out of vuex; components get them by connId.
 */
export class CallService {
  readonly #store: AppStore;
  readonly #deps: CallDeps;
  /** `sample`: inbound bytes (audio + video) at the last stats(), for the bitrate between two samples. */
  readonly #peers = new Map<
    string,
    { peer: PeerLike; stream: MediaStream | null; sample?: { bytes: number; at: number; lost: number; got: number } }
  >();
  #local: MediaStream | null = null;
  #config: RTCConfiguration = {};
  #extensionId: string | null = null;
  /** My shared screen, sent instead of the camera while set. */
  #screen: ScreenShare | null = null;
  /** Listeners for stream changes (a tile re-binds its video element). */
  readonly #streamListeners = new Set<() => void>();
  #noticeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Whose decline the notice reports: it goes when that user joins after all. */
  #declinedBy: number | null = null;

  constructor(deps: CallDeps) {
    this.#deps = deps;
    this.#store = deps.store;
    try {
      const saved = JSON.parse(deps.storage?.getItem(DEVICES_KEY) ?? '{}') as Partial<CallDevices>;
      const pick = (v: unknown) => (typeof v === 'string' ? v : '');
      this.#store.commit('calls/setDevices', {
        mic: pick(saved.mic),
        camera: pick(saved.camera),
        speaker: pick(saved.speaker),
      });
    } catch {
      // A damaged entry: the browser's defaults.
    }
    const ringer = deps.ringer;
    if (ringer) {
      // Every path that offers or withdraws a call goes through `incoming`: the ring follows it.
      this.#store.watch(
        (state) =>
          state.calls.incoming !== null &&
          state.session.settings.incomingFileCallSound &&
          state.session.me?.status !== 'dnd',
        (ring) => (ring ? ringer.start() : ringer.stop()),
        { flush: 'sync' },
      );
    }
  }

  get localStream(): MediaStream | null {
    return this.#local;
  }

  get screenStream(): MediaStream | null {
    return this.#screen?.stream ?? null;
  }

  streamOf(connId: string): MediaStream | null {
    return this.#peers.get(connId)?.stream ?? null;
  }

  /** RTCPeerConnections open now (0 after hang-up; the browser test checks it). */
  get peerConnectionCount(): number {
    return this.#peers.size;
  }

  onStreams(listener: () => void): () => void {
    this.#streamListeners.add(listener);
    return () => this.#streamListeners.delete(listener);
  }

  // ---- user actions

  async start(roomId: number, video: boolean): Promise<void> {
    if (this.#store.state.calls.active) {
      return;
    }
    const running = this.#store.state.calls.running[roomId];
    if (running) {
      return this.join(running.callId, roomId, video);
    }
    await this.#prepare(video);
    try {
      const { callId } = await this.#deps.signaling.start(roomId, video);
      const me = { userId: this.#store.state.session.me?.id ?? 0, connId: this.#store.state.calls.connId ?? '' };
      // call.incoming skips this device: the room's running call is recorded from the reply.
      const startedAt = Date.now() + this.#store.state.session.serverOffset;
      this.#store.commit('calls/putRunning', { callId, roomId, video, startedBy: me, startedAt, peers: [me] });
      this.#logStart(roomId, me.userId, startedAt);
      this.#activate(callId, roomId);
    } catch (error) {
      this.#stopLocal();
      throw error;
    }
  }

  /** Answer the ringing call on this device. */
  answer(video: boolean): Promise<void> {
    const incoming = this.#store.state.calls.incoming;
    if (!incoming) {
      return Promise.resolve();
    }
    this.#store.commit('calls/setIncoming', null);
    return this.join(incoming.callId, incoming.roomId, video);
  }

  /** Answer, or join a running call late: offer to every device already in it. */
  async join(callId: string, roomId: number, video: boolean): Promise<void> {
    if (this.#store.state.calls.active) {
      return;
    }
    await this.#prepare(video);
    try {
      const { call } = await this.#deps.signaling.join(callId);
      const me = { userId: this.#store.state.session.me?.id ?? 0, connId: this.#store.state.calls.connId ?? '' };
      this.#store.commit('calls/putRunning', { ...call, peers: [...call.peers, me] });
      this.#activate(callId, roomId);
      // The joiner offers (negotiationneeded fires once its tracks are added); the others wait for it.
      for (const peer of call.peers) {
        this.#peer(peer.connId, peer.userId);
      }
    } catch (error) {
      this.#stopLocal();
      throw error;
    }
  }

  async decline(): Promise<void> {
    const incoming = this.#store.state.calls.incoming;
    if (!incoming) {
      return;
    }
    this.#store.commit('calls/setIncoming', null);
    await this.#deps.signaling.decline(incoming.callId);
  }

  async hangUp(): Promise<void> {
    const active = this.#store.state.calls.active;
    if (!active) {
      return;
    }
    this.#cleanup();
    await this.#deps.signaling.leave(active.callId);
  }

  toggleMic(): void {
    const active = this.#store.state.calls.active;
    if (!active) {
      return;
    }
    this.#setMedia({ micOn: !active.micOn, camOn: active.camOn });
  }

  /** Camera off/on; in a call answered without video, opens the camera and renegotiates with every peer. */
  async toggleCamera(): Promise<void> {
    const active = this.#store.state.calls.active;
    if (!active) {
      return;
    }
    if (!active.hasCamera) {
      return this.#addCamera();
    }
    this.#setMedia({ micOn: active.micOn, camOn: !active.camOn });
  }

  /**
   * Share the screen in place of the camera, or stop sharing (docs/webrtc.md "Screen sharing"). While the painter
   * is shared, the screen takes its place.
   */
  async toggleScreen(): Promise<void> {
    if (!this.#store.state.calls.active) {
      return;
    }
    if (this.#screen && this.#screen.via !== 'painter') {
      return this.#stopScreen();
    }
    const capture = await (this.#deps.captureScreen ?? ((id) => captureScreen(browserCaptureDeps(id))))(
      this.#extensionId,
    );
    await this.#share(capture);
  }

  /**
   * "Share painter": the canvas goes out as a video track the way a shared screen does (replaceTrack over the
   * camera, or an added track in an audio-only call), in place of the camera or of a shared screen.
   */
  async sharePainter(canvas: HTMLCanvasElement): Promise<void> {
    if (!this.#store.state.calls.active || this.#screen?.via === 'painter') {
      return;
    }
    await this.#share((this.#deps.captureCanvas ?? captureCanvas)(canvas));
  }

  /** Stop sharing the screen or the painter: the camera comes back (or the video goes, in an audio-only call). */
  stopSharing(): Promise<void> {
    return this.#stopScreen();
  }

  async #share(capture: ScreenCapture): Promise<void> {
    const screen = new ScreenShare(capture, () => void this.#stopScreen());
    if (this.#screen) {
      // Painter to screen or back: the old share gives its senders back first.
      await this.#stopScreen();
    }
    if (!this.#store.state.calls.active || this.#screen) {
      // The call ended (or another share started) while the picker was open.
      screen.stop();
      return;
    }
    this.#screen = screen;
    const local = this.#local ?? new MediaStream();
    await Promise.all([...this.#peers.values()].map(({ peer }) => peer.pc && screen.attach(peer.pc, local)));
    this.#store.commit('calls/setMedia', { screen: screen.via });
    this.#setMedia(this.#store.state.calls.active);
    this.#notifyStreams();
  }

  async #stopScreen(): Promise<void> {
    const screen = this.#screen;
    if (!screen) {
      return;
    }
    this.#screen = null;
    const camera = this.#local?.getVideoTracks()[0] ?? null;
    await Promise.all([...this.#peers.values()].map(({ peer }) => peer.pc && screen.detach(peer.pc, camera)));
    screen.stop();
    if (this.#store.state.calls.active) {
      this.#store.commit('calls/setMedia', { screen: null });
      this.#setMedia(this.#store.state.calls.active);
    }
    this.#notifyStreams();
  }

  /**
   * Choose a microphone, camera or speaker ('' = the browser's default). In a call the new source replaces the
   * old one on every peer connection (`replaceTrack`, no renegotiation); the speaker is applied by the tiles.
   */
  async setDevice(kind: keyof CallDevices, deviceId: string): Promise<void> {
    this.#store.commit('calls/setDevices', { [kind]: deviceId });
    this.#deps.storage?.setItem(DEVICES_KEY, JSON.stringify(this.#store.state.calls.devices));
    const local = this.#local;
    if (kind === 'speaker' || !local) {
      return;
    }
    const audio = kind === 'mic';
    const old = audio ? local.getAudioTracks()[0] : local.getVideoTracks()[0];
    if (!old) {
      return;
    }
    let next: MediaStreamTrack | undefined;
    try {
      // Chosen now, in the call: that device or a notice (an `ideal` one may quietly stay on the default).
      const source = deviceId ? { deviceId: { exact: deviceId } } : true;
      const stream = await this.#deps.getMedia(audio ? { audio: source } : { video: source });
      next = stream.getTracks()[0];
    } catch (error) {
      this.#notice(mediaErrorText(error, audio ? 'microphone' : 'camera'));
      return;
    }
    if (!next || this.#local !== local) {
      next?.stop();
      return;
    }
    next.enabled = old.enabled;
    local.removeTrack(old);
    local.addTrack(next);
    await Promise.all([...this.#peers.values()].map(({ peer }) => peer.replaceTrack(old, next)));
    old.stop();
    this.#notifyStreams();
  }

  /** `kind:label` of my tracks and of the tracks every peer connection sends (the device-switch browser test). */
  trackLabels(): { local: string[]; sent: string[] } {
    const label = (t: MediaStreamTrack) => `${t.kind}:${t.label}`;
    const sent = [...this.#peers.values()].flatMap(({ peer }) =>
      (peer.pc?.getSenders() ?? []).flatMap((s) => (s.track ? [label(s.track)] : [])),
    );
    return { local: (this.#local?.getTracks() ?? []).map(label), sent };
  }

  /** getStats of every peer, summarized (window.__pychatCall in main.ts). */
  async stats(): Promise<PeerStats[]> {
    const out: PeerStats[] = [];
    for (const connId of this.#peers.keys()) {
      const summary = await this.peerStats(connId);
      if (summary) {
        out.push(summary);
      }
    }
    return out;
  }

  /**
   * getStats of one peer, summarized; null when it is not in the call. Bitrate and loss are over the time since the
   * previous call for this peer (the tile polls every 2 s), loss is cumulative on the first.
   */
  async peerStats(connId: string): Promise<PeerStats | null> {
    const entry = this.#peers.get(connId);
    if (!entry) {
      return null;
    }
    const pc = entry.peer.pc;
    const summary: PeerStats = {
      connId,
      userId: this.#store.state.calls.peers[connId]?.userId ?? 0,
      connectionState: pc?.connectionState ?? 'new',
      framesDecoded: 0,
      bytesReceived: 0,
      frameWidth: 0,
      frameHeight: 0,
      localCandidateType: null,
      localRelayProtocol: null,
      remoteCandidateType: null,
      rttMs: null,
      lossPct: null,
      bitrateKbps: null,
      relayed: null,
    };
    if (!pc) {
      return summary;
    }
    const report = await pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    report.forEach((s: Record<string, unknown>) => byId.set(String(s.id), s));
    const cur = { bytes: 0, at: 0, lost: 0, got: 0 };
    for (const s of byId.values()) {
      if (s.type === 'inbound-rtp') {
        cur.bytes += Number(s.bytesReceived ?? 0);
        cur.lost += Number(s.packetsLost ?? 0);
        cur.got += Number(s.packetsReceived ?? 0);
        cur.at = Math.max(cur.at, Number(s.timestamp ?? 0));
      }
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        summary.framesDecoded += Number(s.framesDecoded ?? 0);
        summary.bytesReceived += Number(s.bytesReceived ?? 0);
        // The transceiver that receives now (one that was removed keeps its last, stale size).
        if (Number(s.framesDecoded ?? 0) > 0 && s.frameWidth !== undefined) {
          summary.frameWidth = Number(s.frameWidth);
          summary.frameHeight = Number(s.frameHeight ?? 0);
        }
      }
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
        const pair = byId.get(s.selectedCandidatePairId);
        const local = byId.get(String(pair?.localCandidateId));
        summary.localCandidateType = String(local?.candidateType ?? '');
        summary.localRelayProtocol = typeof local?.relayProtocol === 'string' ? local.relayProtocol : null;
        summary.remoteCandidateType = String(byId.get(String(pair?.remoteCandidateId))?.candidateType ?? '');
        summary.relayed = summary.localCandidateType === 'relay' || summary.remoteCandidateType === 'relay';
        if (typeof pair?.currentRoundTripTime === 'number') {
          summary.rttMs = pair.currentRoundTripTime * 1000;
        }
      }
    }
    const prev = entry.sample && entry.sample.lost <= cur.lost && entry.sample.got <= cur.got ? entry.sample : null;
    summary.bitrateKbps = bitrateKbps(prev, cur);
    summary.lossPct = lossPercent(cur.lost - (prev?.lost ?? 0), cur.got - (prev?.got ?? 0));
    entry.sample = cur;
    return summary;
  }

  // ---- server events (EventRouter)

  /** After every session.ready: my new connId, and the calls running in my rooms. */
  async onReady(connId: string): Promise<void> {
    if (this.#store.state.calls.active) {
      // The old socket closed, which took this device out of its call on the server.
      this.#cleanup();
    }
    this.#store.commit('calls/setConnId', connId);
    this.#store.commit('calls/setIncoming', null);
    this.#store.commit('calls/setRunning', await this.#deps.signaling.list());
  }

  onIncoming(call: CallDto): void {
    this.#store.commit('calls/putRunning', call);
    this.#logStart(call.roomId, call.startedBy.userId, call.startedAt);
    const { active, connId } = this.#store.state.calls;
    if (!active && call.startedBy.connId !== connId) {
      this.#store.commit('calls/setIncoming', {
        callId: call.callId,
        roomId: call.roomId,
        userId: call.startedBy.userId,
        video: call.video,
      });
    }
  }

  onJoined(event: ServerMessages['call.joined']): void {
    this.#store.commit('calls/peerJoined', event);
    if (this.#declinedBy === event.userId && this.#isMine(event.callId)) {
      this.#notice(null);
    }
    this.#stopRingingIfMine(event);
    // Peers in the call wait for the joiner's offer; the session is made when it arrives.
  }

  onDeclined(event: ServerMessages['call.declined']): void {
    this.#stopRingingIfMine(event);
    // The call goes on; the ones in it are told who will not come.
    if (this.#isMine(event.callId) && event.userId !== this.#store.state.session.me?.id) {
      this.#notice(`${this.#nameOf(event.userId)} declined the call`);
      this.#declinedBy = event.userId;
    }
  }

  onLeft(event: ServerMessages['call.left']): void {
    this.#store.commit('calls/peerLeft', event);
    const { active, connId } = this.#store.state.calls;
    if (active?.callId !== event.callId) {
      return;
    }
    if (event.connId === connId) {
      this.#cleanup();
      return;
    }
    if (this.#peers.has(event.connId)) {
      this.#notice(`${this.#nameOf(event.userId)} left the call`);
    }
    this.#closePeer(event.connId);
    // The last other device left: a call with nobody else in it is over for me too (as in pychat's 1:1 calls).
    const others = this.#store.state.calls.running[event.roomId]?.peers.filter((p) => p.connId !== connId) ?? [];
    if (others.length === 0 && this.#peers.size === 0) {
      void this.hangUp().catch((error: unknown) => this.#deps.logger.warn('leave failed {}', error)());
    }
  }

  onEnded(event: ServerMessages['call.ended']): void {
    const call = this.#store.state.calls.running[event.roomId];
    if (call?.callId === event.callId) {
      const now = Date.now();
      const duration = formatDuration(now + this.#store.state.session.serverOffset - call.startedAt);
      this.#store.commit('calls/logLine', { roomId: event.roomId, at: now, text: `Call ended · ${duration}` });
    }
    this.#store.commit('calls/ended', event);
    if (this.#store.state.calls.active?.callId === event.callId) {
      this.#cleanup();
    }
  }

  onOffer({ callId, fromConnId, fromUserId, sdp }: ServerMessages['rtc.offer']): void {
    if (this.#isMine(callId)) {
      void this.#peer(fromConnId, fromUserId).description('offer', sdp);
    }
  }

  onAnswer({ callId, fromConnId, fromUserId, sdp }: ServerMessages['rtc.answer']): void {
    if (this.#isMine(callId)) {
      void this.#peer(fromConnId, fromUserId).description('answer', sdp);
    }
  }

  onCandidate({ callId, fromConnId, fromUserId, candidate }: ServerMessages['rtc.candidate']): void {
    if (this.#isMine(callId)) {
      void this.#peer(fromConnId, fromUserId).candidate(candidate);
    }
  }

  // ---- internals

  #isMine(callId: string): boolean {
    return this.#store.state.calls.active?.callId === callId;
  }

  #stopRingingIfMine({ callId, userId }: { callId: string; userId: number }): void {
    // Another device of mine answered or declined: this one stops ringing.
    if (userId === this.#store.state.session.me?.id && this.#store.state.calls.incoming?.callId === callId) {
      this.#store.commit('calls/setIncoming', null);
    }
  }

  async #prepare(video: boolean): Promise<void> {
    const [ice, stream] = await Promise.all([this.#deps.iceServers(), this.#capture(video)]);
    this.#local = stream;
    this.#config = { iceServers: ice.iceServers, iceTransportPolicy: this.#deps.transportPolicy() };
    this.#extensionId = ice.screenCastExtensionId ?? null;
  }

  /** Microphone (and camera): a camera that is missing or refused leaves an audio-only call and a notice. */
  async #capture(video: boolean): Promise<MediaStream> {
    const { mic, camera } = this.#store.state.calls.devices;
    try {
      return await this.#deps.getMedia({ audio: this.#source(mic), video: video && this.#source(camera) });
    } catch (error) {
      if (!video) {
        throw new Error(mediaErrorText(error, 'microphone'), { cause: error });
      }
      const stream = await this.#deps.getMedia({ audio: this.#source(mic), video: false }).catch((audio: unknown) => {
        throw new Error(mediaErrorText(audio, 'microphone'), { cause: audio });
      });
      this.#notice(`${mediaErrorText(error, 'camera')} You are in the call with audio only.`, 20_000);
      return stream;
    }
  }

  /** A chosen device is preferred, not required: unplugged, the browser's default is used instead. */
  #source(deviceId: string): MediaTrackConstraints | true {
    return deviceId ? { deviceId: { ideal: deviceId } } : true;
  }

  async #addCamera(): Promise<void> {
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await this.#deps.getMedia({ video: this.#source(this.#store.state.calls.devices.camera) });
      track = stream.getVideoTracks()[0];
    } catch (error) {
      this.#notice(mediaErrorText(error, 'camera'));
      return;
    }
    const local = this.#local;
    const active = this.#store.state.calls.active;
    if (!track || !local || !active) {
      track?.stop();
      return;
    }
    local.addTrack(track);
    for (const { peer } of this.#peers.values()) {
      peer.addTrack(track, local);
    }
    this.#store.commit('calls/setMedia', { hasCamera: true });
    this.#setMedia({ micOn: active.micOn, camOn: true });
    this.#notifyStreams();
  }

  /** "alice started a video call" among the room's messages, at the call's start (server time → local). */
  #logStart(roomId: number, userId: number, startedAt: number): void {
    const at = startedAt - this.#store.state.session.serverOffset;
    this.#store.commit('calls/logLine', { roomId, at, text: `${this.#nameOf(userId)} started a call` });
  }

  #notice(text: string | null, ms = NOTICE_MS): void {
    this.#declinedBy = null;
    this.#store.commit('calls/setNotice', text);
    if (this.#noticeTimer) {
      clearTimeout(this.#noticeTimer);
    }
    this.#noticeTimer = setTimeout(() => this.#store.commit('calls/setNotice', null), ms);
  }

  #nameOf(userId: number): string {
    return this.#store.state.users.byId[userId]?.username ?? 'Someone';
  }

  #activate(callId: string, roomId: number): void {
    const hasCamera = (this.#local?.getVideoTracks().length ?? 0) > 0;
    this.#store.commit('calls/setIncoming', null);
    this.#store.commit('calls/setActive', { callId, roomId, micOn: true, camOn: hasCamera, hasCamera });
    this.#notifyStreams();
  }

  #setMedia({ micOn, camOn }: PeerMediaState): void {
    // screenOn only while sharing: the state frames of a call without a share stay as they were.
    const media: PeerMediaState = this.#screen ? { micOn, camOn, screenOn: true } : { micOn, camOn };
    for (const track of this.#local?.getAudioTracks() ?? []) {
      track.enabled = media.micOn;
    }
    for (const track of this.#local?.getVideoTracks() ?? []) {
      track.enabled = media.camOn;
    }
    this.#store.commit('calls/setMedia', media);
    for (const { peer } of this.#peers.values()) {
      peer.setMedia(media);
    }
  }

  #peer(connId: string, userId: number): PeerLike {
    const existing = this.#peers.get(connId);
    if (existing) {
      return existing.peer;
    }
    const { active, connId: me } = this.#store.state.calls;
    const callId = active?.callId ?? '';
    const signaling = this.#deps.signaling;
    const onError = (error: unknown) => this.#deps.logger.warn('peer {}: {}', connId, error)();
    const init: PeerInit = {
      remoteConnId: connId,
      polite: isPolite(me ?? '', connId),
      config: this.#config,
      local: this.#local,
      media: {
        micOn: active?.micOn ?? true,
        camOn: active?.camOn ?? false,
        ...(this.#screen ? { screenOn: true } : {}),
      },
      signals: {
        offer: (sdp) => signaling.offer(callId, connId, sdp),
        answer: (sdp) => signaling.answer(callId, connId, sdp),
        candidate: (candidate) => signaling.candidate(callId, connId, candidate),
      },
      events: {
        onTrack: (stream, track) => {
          const entry = this.#peers.get(connId);
          if (entry) {
            entry.stream = stream;
          }
          if (track.kind === 'video') {
            this.#store.commit('calls/updatePeer', { connId, hasVideo: true });
          }
          this.#notifyStreams();
        },
        onConnectionState: (connection) => this.#store.commit('calls/updatePeer', { connId, connection }),
        onMediaState: (media) => this.#store.commit('calls/updatePeer', { connId, ...media }),
      },
      onError,
    };
    const peer = (this.#deps.createPeer ?? defaultPeer)(init);
    if (this.#screen && peer.pc) {
      // A device that joins while I share gets the screen, not the camera.
      this.#screen.attach(peer.pc, this.#local ?? new MediaStream()).catch(onError);
    }
    this.#peers.set(connId, { peer, stream: null });
    this.#store.commit('calls/putPeer', {
      connId,
      userId,
      connection: 'new',
      micOn: true,
      camOn: false,
      hasVideo: false,
    });
    return peer;
  }

  #closePeer(connId: string): void {
    this.#peers.get(connId)?.peer.close();
    this.#peers.delete(connId);
    this.#store.commit('calls/removePeer', connId);
    this.#notifyStreams();
  }

  #cleanup(): void {
    this.#store.commit('calls/setNotice', null);
    for (const connId of [...this.#peers.keys()]) {
      this.#closePeer(connId);
    }
    this.#stopLocal();
    this.#store.commit('calls/setActive', null);
    this.#notifyStreams();
  }

  #stopLocal(): void {
    this.#screen?.stop();
    this.#screen = null;
    for (const track of this.#local?.getTracks() ?? []) {
      track.stop();
    }
    this.#local = null;
  }

  #notifyStreams(): void {
    for (const listener of this.#streamListeners) {
      listener();
    }
  }
}

function defaultPeer(init: PeerInit): PeerLike {
  return new PeerSession(
    init.remoteConnId,
    init.polite,
    init.config,
    init.local,
    init.media,
    init.signals,
    init.events,
    init.onError,
  );
}

/** 75 s → "1:15", 3 725 s → "1:02:05". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, sec] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** A user-facing reason for a getUserMedia failure. */
export function mediaErrorText(error: unknown, device = 'microphone or camera'): string {
  const name = error instanceof Error ? error.name : '';
  const Device = device.charAt(0).toUpperCase() + device.slice(1);
  if (name === 'NotAllowedError') {
    return `${Device} permission was denied.`;
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') {
    return `No ${device} was found.`;
  }
  if (name === 'NotReadableError') {
    return `The ${device} is in use by another application.`;
  }
  return `Could not open the ${device}.`;
}
