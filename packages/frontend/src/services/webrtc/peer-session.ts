import type { IceCandidateDto } from '@pychat/protocol';

/** What a PeerSession sends to its remote device (CallService binds the call id and the connId). */
export interface PeerSignals {
  offer(sdp: string): Promise<void>;
  answer(sdp: string): Promise<void>;
  candidate(candidate: IceCandidateDto): Promise<void>;
}

/** What the other side tells about its own media, over the session's data channel. */
export interface PeerMediaState {
  micOn: boolean;
  camOn: boolean;
  /** Sharing the screen (its video shows even with the camera off). */
  screenOn?: boolean;
}

export interface PeerEvents {
  onTrack(stream: MediaStream, track: MediaStreamTrack): void;
  onConnectionState(state: RTCPeerConnectionState): void;
  onMediaState(state: PeerMediaState): void;
}

/**
 * Perfect negotiation (W3C WebRTC §10.7): both ends may offer at any time; on a collision the impolite one
 * ignores the other's offer and the polite one rolls its own back. Chosen the same way on both ends from the
 * two connIds, so simultaneous offers never deadlock.
 */
export function isPolite(myConnId: string, remoteConnId: string): boolean {
  return myConnId < remoteConnId;
}

/**
 * One RTCPeerConnection to one remote device. Incoming signals are applied one after another (a candidate must
 * not overtake the offer it belongs to while that offer is still being set).
 */
export class PeerSession {
  readonly pc: RTCPeerConnection;
  /**
   * Mic/camera state travels on a negotiated data channel: `track.enabled = false` sends silence / black
   * frames, which the receiving track does not report as muted.
   */
  readonly #state: RTCDataChannel;
  #makingOffer = false;
  #ignoreOffer = false;
  #queue: Promise<void> = Promise.resolve();
  #media: PeerMediaState;
  #closed = false;

  constructor(
    readonly remoteConnId: string,
    readonly polite: boolean,
    config: RTCConfiguration,
    local: MediaStream | null,
    media: PeerMediaState,
    private readonly signals: PeerSignals,
    private readonly events: PeerEvents,
    private readonly onError: (error: unknown) => void,
  ) {
    this.#media = media;
    this.pc = new RTCPeerConnection(config);
    this.#state = this.pc.createDataChannel('state', { negotiated: true, id: 0 });
    this.#state.onopen = () => this.#sendMedia();
    this.#state.onmessage = (event) => this.#onStateMessage(event.data);
    this.pc.onnegotiationneeded = () => void this.#offer();
    this.pc.onicecandidate = ({ candidate }) => {
      const init = candidate ? candidate.toJSON() : { candidate: '' };
      this.signals.candidate({ ...init, candidate: init.candidate ?? '' }).catch(this.onError);
    };
    this.pc.ontrack = ({ track, streams }) => this.events.onTrack(streams[0] ?? new MediaStream([track]), track);
    this.pc.onconnectionstatechange = () => {
      this.events.onConnectionState(this.pc.connectionState);
      if (this.pc.connectionState === 'failed') {
        this.pc.restartIce();
      }
    };
    for (const track of local?.getTracks() ?? []) {
      this.pc.addTrack(track, local as MediaStream);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  description(type: 'offer' | 'answer', sdp: string): Promise<void> {
    return this.#enqueue(async () => {
      const collision = type === 'offer' && (this.#makingOffer || this.pc.signalingState !== 'stable');
      this.#ignoreOffer = !this.polite && collision;
      if (this.#ignoreOffer) {
        return;
      }
      if (type === 'answer' && this.pc.signalingState !== 'have-local-offer') {
        // The answer to an offer this side has since rolled back (polite, in a collision): stale. Applying it
        // would throw and leave the queue's caller with an error for a normal race.
        return;
      }
      // The polite side's pending offer is rolled back implicitly by setRemoteDescription.
      await this.pc.setRemoteDescription({ type, sdp });
      if (type === 'offer') {
        await this.pc.setLocalDescription();
        await this.signals.answer(this.pc.localDescription?.sdp ?? '');
      }
    });
  }

  candidate(candidate: IceCandidateDto): Promise<void> {
    return this.#enqueue(async () => {
      try {
        await this.pc.addIceCandidate(candidate);
      } catch (error) {
        // Candidates of an offer this side ignored are expected to fail.
        if (!this.#ignoreOffer) {
          throw error;
        }
      }
    });
  }

  /** Tells the other side that my mic or camera changed (the tracks themselves are toggled by CallService). */
  setMedia(media: PeerMediaState): void {
    this.#media = media;
    this.#sendMedia();
  }

  /** A new source of the same kind (another microphone or camera): no renegotiation. */
  async replaceTrack(old: MediaStreamTrack, next: MediaStreamTrack): Promise<void> {
    await this.pc
      .getSenders()
      .find((sender) => sender.track === old)
      ?.replaceTrack(next);
  }

  /**
   * A kind this side did not send yet (camera switched on in an audio call): renegotiates through
   * negotiationneeded, so several peers doing it at once is a perfect-negotiation collision.
   */
  addTrack(track: MediaStreamTrack, stream: MediaStream): void {
    this.pc.addTrack(track, stream);
  }

  close(): void {
    this.#closed = true;
    this.#state.close();
    this.pc.close();
  }

  async #offer(): Promise<void> {
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      await this.signals.offer(this.pc.localDescription?.sdp ?? '');
    } catch (error) {
      this.onError(error);
    } finally {
      this.#makingOffer = false;
    }
  }

  #sendMedia(): void {
    if (this.#state.readyState === 'open') {
      this.#state.send(JSON.stringify(this.#media));
    }
  }

  #onStateMessage(data: unknown): void {
    try {
      const parsed = JSON.parse(String(data)) as Partial<PeerMediaState>;
      if (typeof parsed.micOn === 'boolean' && typeof parsed.camOn === 'boolean') {
        this.events.onMediaState({ micOn: parsed.micOn, camOn: parsed.camOn, screenOn: parsed.screenOn === true });
      }
    } catch {
      // Not ours: ignored.
    }
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(() => (this.#closed ? undefined : step()));
    this.#queue = next.catch(this.onError);
    return this.#queue;
  }
}
