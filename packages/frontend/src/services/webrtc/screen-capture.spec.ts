import { describe, expect, it, vi } from 'vitest';
import {
  captureScreen,
  EXTENSION_MESSAGES,
  INSTALL_HINT,
  ScreenShare,
  type CaptureDeps,
  type ExtensionReply,
} from './screen-capture';

/** A track that can fire 'ended' as the browser's "Stop sharing" bar does. */
function fakeTrack(kind: 'audio' | 'video') {
  const target = new EventTarget();
  return Object.assign(target, { kind, stop: vi.fn() }) as unknown as MediaStreamTrack & {
    stop: ReturnType<typeof vi.fn>;
  };
}

function fakeStream(...tracks: MediaStreamTrack[]): MediaStream {
  return {
    getTracks: () => tracks,
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
  } as unknown as MediaStream;
}

function domError(name: string, message = ''): Error {
  return Object.assign(new Error(message), { name });
}

function deps(overrides: Partial<CaptureDeps>, replies: Record<string, ExtensionReply | undefined> = {}) {
  const screen = fakeStream(fakeTrack('video'));
  const sent: string[] = [];
  const base: CaptureDeps = {
    getDisplayMedia: vi.fn().mockResolvedValue(screen),
    getUserMedia: vi.fn().mockResolvedValue(screen),
    extension: vi.fn((message: { type: string }) => {
      sent.push(message.type);
      return Promise.resolve(replies[message.type]);
    }),
    pingTimeoutMs: 50,
  };
  return { deps: { ...base, ...overrides }, screen, sent };
}

const EXTENSION_OK = {
  [EXTENSION_MESSAGES.ping]: { data: 'success' },
  [EXTENSION_MESSAGES.request]: { data: 'success', streamId: 'stream-1' },
} as const;

describe('captureScreen', () => {
  it('uses getDisplayMedia (screen, window or tab, with tab audio) and leaves the extension alone', async () => {
    const { deps: d, screen, sent } = deps({}, EXTENSION_OK);
    await expect(captureScreen(d)).resolves.toEqual({ stream: screen, via: 'browser' });
    expect(d.getDisplayMedia).toHaveBeenCalledWith({ video: true, audio: true });
    expect(sent).toEqual([]);
  });

  it("takes the user's cancel as final: no second picker from the extension", async () => {
    const { deps: d, sent } = deps(
      { getDisplayMedia: vi.fn().mockRejectedValue(domError('NotAllowedError', 'Permission denied')) },
      EXTENSION_OK,
    );
    await expect(captureScreen(d)).rejects.toThrow('Screen sharing was cancelled.');
    expect(sent).toEqual([]);
  });

  it('falls back to the extension without getDisplayMedia: ping, request, then the desktop stream by its id', async () => {
    const { deps: d, screen, sent } = deps({ getDisplayMedia: null }, EXTENSION_OK);
    await expect(captureScreen(d)).resolves.toEqual({ stream: screen, via: 'extension' });
    expect(sent).toEqual([EXTENSION_MESSAGES.ping, EXTENSION_MESSAGES.request]);
    expect(d.getUserMedia).toHaveBeenCalledWith({
      video: { mandatory: { chromeMediaSource: 'desktop', chromeMediaSourceId: 'stream-1' } },
      audio: false,
    });
  });

  it('falls back to the extension when getDisplayMedia is not supported or blocked by policy', async () => {
    for (const error of [domError('NotSupportedError'), domError('NotAllowedError', 'Permission denied by system')]) {
      const { deps: d } = deps({ getDisplayMedia: vi.fn().mockRejectedValue(error) }, EXTENSION_OK);
      await expect(captureScreen(d)).resolves.toMatchObject({ via: 'extension' });
    }
  });

  it('gives the install hint when the extension is not configured, not installed or does not answer the ping', async () => {
    await expect(captureScreen(deps({ getDisplayMedia: null, extension: null }).deps)).rejects.toThrow(INSTALL_HINT);
    await expect(captureScreen(deps({ getDisplayMedia: null }, {}).deps)).rejects.toThrow(INSTALL_HINT);
    const silent = deps({ getDisplayMedia: null, extension: () => new Promise(() => undefined) });
    await expect(captureScreen(silent.deps)).rejects.toThrow(INSTALL_HINT);
  });

  it('reports a cancelled extension picker as cancelled', async () => {
    const { deps: d } = deps(
      { getDisplayMedia: null },
      { ...EXTENSION_OK, [EXTENSION_MESSAGES.request]: { data: 'canceled' } },
    );
    await expect(captureScreen(d)).rejects.toThrow('Screen sharing was cancelled.');
    expect(d.getUserMedia).not.toHaveBeenCalled();
  });
});

/** A peer connection's senders, enough for attach/detach. */
function fakePc(...tracks: MediaStreamTrack[]) {
  const senders = tracks.map((track) => ({ track, replaceTrack: vi.fn(async (t: MediaStreamTrack | null) => void t) }));
  const pc = {
    connectionState: 'connected',
    getSenders: () => senders,
    addTrack: vi.fn((track: MediaStreamTrack) => {
      const sender = { track, replaceTrack: vi.fn() };
      senders.push(sender);
      return sender;
    }),
    removeTrack: vi.fn((sender: { track: MediaStreamTrack | null }) => {
      sender.track = null;
    }),
  };
  return { pc: pc as unknown as RTCPeerConnection, raw: pc, senders };
}

describe('ScreenShare', () => {
  it('replaces the camera track (no renegotiation), and puts the camera back on stop', async () => {
    const mic = fakeTrack('audio');
    const camera = fakeTrack('video');
    const video = fakeTrack('video');
    const carrier = fakeStream(mic, camera);
    const share = new ScreenShare({ stream: fakeStream(video), via: 'browser' }, vi.fn());
    const { pc, raw, senders } = fakePc(mic, camera);
    await share.attach(pc, carrier);
    expect(senders[1].replaceTrack).toHaveBeenCalledWith(video);
    expect(raw.addTrack).not.toHaveBeenCalled();
    senders[1].track = video;
    await share.detach(pc, camera);
    expect(senders[1].replaceTrack).toHaveBeenLastCalledWith(camera);
    expect(raw.removeTrack).not.toHaveBeenCalled();
  });

  it('adds the screen (and its tab audio) to an audio-only call, with the voice stream, and removes them on stop', async () => {
    const mic = fakeTrack('audio');
    const carrier = fakeStream(mic);
    const video = fakeTrack('video');
    const tabAudio = fakeTrack('audio');
    const share = new ScreenShare({ stream: fakeStream(video, tabAudio), via: 'browser' }, vi.fn());
    const { pc, raw, senders } = fakePc(mic);
    await share.attach(pc, carrier);
    expect(raw.addTrack).toHaveBeenCalledWith(video, carrier);
    expect(raw.addTrack).toHaveBeenCalledWith(tabAudio, carrier);
    await share.detach(pc, null);
    expect(raw.removeTrack).toHaveBeenCalledTimes(2);
    expect(senders.map((s) => s.track)).toEqual([mic, null, null]);
  });

  it("calls onEnded when the browser's Stop sharing ends the track, not when Pychat stops it", () => {
    const video = fakeTrack('video');
    const onEnded = vi.fn();
    const share = new ScreenShare({ stream: fakeStream(video), via: 'browser' }, onEnded);
    video.dispatchEvent(new Event('ended'));
    expect(onEnded).toHaveBeenCalledTimes(1);
    share.stop();
    expect(video.stop).toHaveBeenCalled();
    video.dispatchEvent(new Event('ended'));
    expect(onEnded).toHaveBeenCalledTimes(1);
  });
});
