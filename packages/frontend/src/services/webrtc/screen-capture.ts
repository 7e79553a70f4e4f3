/**
 * Screen sharing in a call (docs/webrtc.md "Screen sharing"): the capture (getDisplayMedia, or the Pychat
 * screen-sharing extension where the browser cannot) and putting the screen on each RTCPeerConnection instead of
 * the camera.
 */

/**
 * How the screen was captured: the browser's own picker, screen_cast_extension/ (shown in the call panel), or
 * the painter's canvas ("Share painter", which goes the same way as a screen).
 */
export type ScreenVia = 'browser' | 'extension' | 'painter';

export interface ScreenCapture {
  stream: MediaStream;
  via: ScreenVia;
}

/** A reason the screen could not be shared, worded for the user (shown as a toast). */
export class ScreenShareError extends Error {
  override readonly name = 'ScreenShareError';
}

/** The extension's handshake, as pychat's (spec/webrtc.md §4): ping → request → streamId. */
export const EXTENSION_MESSAGES = {
  ping: 'PYCHAT_SCREEN_SHARE_PING',
  request: 'PYCHAT_SCREEN_SHARE_REQUEST',
} as const;

/** pychat waited 500 ms for the ping before it told the user to install the extension. */
export const EXTENSION_PING_TIMEOUT_MS = 500;

/** What the extension answers (screen_cast_extension/src/handshake.js). */
export interface ExtensionReply {
  type?: string;
  data?: 'success' | 'canceled' | 'error';
  streamId?: string;
  canRequestAudioTrack?: boolean;
  error?: string;
}

/** `chrome.runtime.sendMessage` to one extension id; null when the browser has no such API for this page. */
export type ExtensionSend = (message: { type: string }) => Promise<ExtensionReply | undefined>;

export interface CaptureDeps {
  /** null: the browser has no getDisplayMedia (old, or removed by policy). */
  getDisplayMedia: ((options: DisplayMediaStreamOptions) => Promise<MediaStream>) | null;
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** null: no extension id configured, or no chrome.runtime on this page (no extension lists this origin). */
  extension: ExtensionSend | null;
  pingTimeoutMs?: number;
}

/**
 * The screen, a window or a tab. getDisplayMedia first (with tab or system audio where the browser offers it);
 * the extension only when getDisplayMedia is missing or refused for a reason that is not the user's choice
 * (kiosk or managed browsers). Rejects with ScreenShareError, whose message tells the user what to do.
 */
export async function captureScreen(deps: CaptureDeps): Promise<ScreenCapture> {
  if (deps.getDisplayMedia) {
    try {
      const stream = await deps.getDisplayMedia({ video: true, audio: true });
      return { stream, via: 'browser' };
    } catch (error) {
      if (!isRestricted(error)) {
        throw new ScreenShareError(displayErrorText(error));
      }
    }
  }
  return captureThroughExtension(deps);
}

/**
 * getDisplayMedia refused by the browser rather than by the user: not supported here, or blocked by a policy
 * or the system ("Permission denied by system"). The user's own cancel is a plain "Permission denied", which must
 * not open a second picker.
 */
function isRestricted(error: unknown): boolean {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  const message = error instanceof Error || error instanceof DOMException ? error.message : '';
  return (
    name === 'NotSupportedError' ||
    name === 'SecurityError' ||
    (name === 'NotAllowedError' && /system|policy|not allowed/i.test(message))
  );
}

function displayErrorText(error: unknown): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return 'Screen sharing was cancelled.';
  }
  return 'Could not share the screen.';
}

export const INSTALL_HINT =
  'This browser cannot share the screen by itself. Install the Pychat screen-sharing extension ' +
  '(ask the administrator of this Pychat for it), reload the page and try again.';

async function captureThroughExtension(deps: CaptureDeps): Promise<ScreenCapture> {
  const send = deps.extension;
  if (!send) {
    throw new ScreenShareError(INSTALL_HINT);
  }
  const pong = await Promise.race([
    send({ type: EXTENSION_MESSAGES.ping }).catch(() => undefined),
    new Promise<undefined>((resolve) => setTimeout(resolve, deps.pingTimeoutMs ?? EXTENSION_PING_TIMEOUT_MS)),
  ]);
  if (pong?.data !== 'success') {
    throw new ScreenShareError(INSTALL_HINT);
  }
  const reply = await send({ type: EXTENSION_MESSAGES.request }).catch(() => undefined);
  if (reply?.data === 'canceled') {
    throw new ScreenShareError('Screen sharing was cancelled.');
  }
  if (reply?.data !== 'success' || !reply.streamId) {
    throw new ScreenShareError(
      `The Pychat extension could not share the screen${reply?.error ? `: ${reply.error}` : ''}.`,
    );
  }
  // Chromium's legacy desktop constraints: the streamId is usable only by this tab's origin, once.
  const source = { mandatory: { chromeMediaSource: 'desktop', chromeMediaSourceId: reply.streamId } };
  try {
    const stream = await deps.getUserMedia({
      video: source,
      audio: reply.canRequestAudioTrack ? source : false,
    } as unknown as MediaStreamConstraints);
    return { stream, via: 'extension' };
  } catch {
    throw new ScreenShareError('The Pychat extension chose a screen, but the browser did not open it.');
  }
}

/** Frames per second of a shared painter: smooth strokes, and a still canvas costs nothing (no change, no frame). */
export const PAINTER_FPS = 30;
/** A still canvas sends no frames; one a second keeps the far decoder alive and shows it to a device that joins. */
export const PAINTER_REFRESH_MS = 1_000;

/**
 * The painter's canvas as a video track (`captureStream`), shared like a screen: it replaces the camera on every
 * peer connection (docs/webrtc.md "Painter").
 */
export function captureCanvas(canvas: HTMLCanvasElement): ScreenCapture {
  const stream = canvas.captureStream(PAINTER_FPS);
  const track = stream.getVideoTracks()[0];
  const ctx = canvas.getContext('2d');
  const refresh = setInterval(() => {
    if (!track || track.readyState === 'ended' || !ctx) {
      clearInterval(refresh);
      return;
    }
    // Chromium captures only a canvas that was drawn on since the last frame (requestFrame alone is not enough),
    // and an unchanged frame may not reach the other side: the corner pixel's blue flips by one, which no one sees.
    const corner = ctx.getImageData(0, 0, 1, 1);
    corner.data[2] = (corner.data[2] ?? 0) ^ 1;
    ctx.putImageData(corner, 0, 0);
  }, PAINTER_REFRESH_MS);
  return { stream, via: 'painter' };
}

/** The capture deps of this browser: navigator.mediaDevices and, when an id is configured, chrome.runtime. */
export function browserCaptureDeps(extensionId: string | null): CaptureDeps {
  const media = navigator.mediaDevices;
  const runtime = (globalThis as { chrome?: { runtime?: ChromeRuntime } }).chrome?.runtime;
  return {
    getDisplayMedia: typeof media?.getDisplayMedia === 'function' ? (o) => media.getDisplayMedia(o) : null,
    getUserMedia: (c) => media.getUserMedia(c),
    extension:
      extensionId && typeof runtime?.sendMessage === 'function'
        ? (m) => sendToExtension(runtime, extensionId, m)
        : null,
  };
}

/** The part of chrome.runtime a page gets when an extension lists its origin in externally_connectable. */
interface ChromeRuntime {
  sendMessage(extensionId: string, message: unknown, callback: (reply: unknown) => void): void;
  lastError?: { message?: string };
}

function sendToExtension(runtime: ChromeRuntime, id: string, message: unknown): Promise<ExtensionReply | undefined> {
  return new Promise((resolve, reject) => {
    try {
      runtime.sendMessage(id, message, (reply) => {
        // Not installed or disabled: lastError is set and must be read, or Chromium logs it as unchecked.
        if (runtime.lastError) {
          resolve(undefined);
        } else {
          resolve(reply as ExtensionReply | undefined);
        }
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/**
 * A shared screen and the peer connections it is sent on. With a camera sender the screen takes its place
 * (`replaceTrack`, no renegotiation); without one (audio-only call) it is added as a track, which renegotiates
 * (perfect negotiation in PeerSession). Screen audio (a tab's) is always an added track. `carrier` is the
 * outgoing camera/mic stream, so the other side receives the screen in the same MediaStream as the voice.
 */
export class ScreenShare {
  readonly #capture: ScreenCapture;
  #stopped = false;

  constructor(capture: ScreenCapture, onEnded: () => void) {
    this.#capture = capture;
    // The browser's own "Stop sharing" bar (or the shared window closing) ends the track.
    this.video?.addEventListener('ended', () => {
      if (!this.#stopped) {
        onEnded();
      }
    });
  }

  get via(): ScreenVia {
    return this.#capture.via;
  }

  get stream(): MediaStream {
    return this.#capture.stream;
  }

  get video(): MediaStreamTrack | undefined {
    return this.#capture.stream.getVideoTracks()[0];
  }

  get audio(): MediaStreamTrack | undefined {
    return this.#capture.stream.getAudioTracks()[0];
  }

  async attach(pc: RTCPeerConnection, carrier: MediaStream): Promise<void> {
    const video = this.video;
    if (video) {
      const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
      if (sender) {
        await sender.replaceTrack(video);
      } else {
        pc.addTrack(video, carrier);
      }
    }
    if (this.audio) {
      pc.addTrack(this.audio, carrier);
    }
  }

  /** Puts `camera` back where the screen was, or removes the screen's senders (which renegotiates). */
  async detach(pc: RTCPeerConnection, camera: MediaStreamTrack | null): Promise<void> {
    if (pc.connectionState === 'closed') {
      return;
    }
    for (const sender of pc.getSenders()) {
      if (sender.track && sender.track === this.video && camera) {
        await sender.replaceTrack(camera);
      } else if (sender.track && (sender.track === this.video || sender.track === this.audio)) {
        pc.removeTrack(sender);
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const track of this.#capture.stream.getTracks()) {
      track.stop();
    }
  }
}
