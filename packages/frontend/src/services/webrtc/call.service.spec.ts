import type { CallDto } from '@pychat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../../store';
import type { Logger } from '../logger';
import {
  CallService,
  formatDuration,
  mediaErrorText,
  type CallDeps,
  type PeerInit,
  type PeerLike,
} from './call.service';
import { isPolite } from './peer-session';
import type { CallSignaling } from './signaling';

const silent = () => () => undefined;
const logger = { log: silent, debug: silent, warn: silent, error: silent, trace: silent } as unknown as Logger;
const me = { id: 1, username: 'me', sex: 'secret' as const, thumbnail: null, lastSeenAt: null };
const CALL = 'AAAAAAAAAAAAAAAA';

function fakeTrack(kind: 'audio' | 'video') {
  return { kind, enabled: true, stop: vi.fn() };
}

function fakeStream(audio: boolean, video: boolean) {
  const tracks = [...(audio ? [fakeTrack('audio')] : []), ...(video ? [fakeTrack('video')] : [])];
  return {
    tracks,
    addTrack: (t: ReturnType<typeof fakeTrack>) => tracks.push(t),
    removeTrack: (t: ReturnType<typeof fakeTrack>) => tracks.splice(tracks.indexOf(t), 1),
    getTracks: () => tracks,
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
  } as unknown as MediaStream & { tracks: ReturnType<typeof fakeTrack>[] };
}

function call(peers: { userId: number; connId: string }[], roomId = 7): CallDto {
  return { callId: CALL, roomId, video: true, startedBy: peers[0], startedAt: 1, peers };
}

function setup(running: CallDto[] = [], getMedia?: CallDeps['getMedia']) {
  const store = createAppStore();
  store.commit('session/setMe', me);
  const signaling = {
    start: vi.fn().mockResolvedValue({ callId: CALL }),
    join: vi.fn().mockResolvedValue({ call: call([{ userId: 2, connId: 'bob1' }]) }),
    decline: vi.fn().mockResolvedValue(undefined),
    leave: vi.fn().mockResolvedValue(undefined),
    list: vi.fn().mockResolvedValue(running),
    offer: vi.fn().mockResolvedValue(undefined),
    answer: vi.fn().mockResolvedValue(undefined),
    candidate: vi.fn().mockResolvedValue(undefined),
  } satisfies CallSignaling;
  const peers: (PeerInit & {
    fake: PeerLike & {
      [K in 'description' | 'candidate' | 'close' | 'setMedia' | 'replaceTrack' | 'addTrack']: ReturnType<typeof vi.fn>;
    };
  })[] = [];
  const streams: ReturnType<typeof fakeStream>[] = [];
  const screenTrack = Object.assign(new EventTarget(), { kind: 'video', stop: vi.fn() });
  const screen = { getTracks: () => [screenTrack], getVideoTracks: () => [screenTrack], getAudioTracks: () => [] };
  const captureScreen = vi.fn().mockResolvedValue({ stream: screen, via: 'extension' });
  const canvasTrack = Object.assign(new EventTarget(), { kind: 'video', stop: vi.fn() });
  const painter = { getTracks: () => [canvasTrack], getVideoTracks: () => [canvasTrack], getAudioTracks: () => [] };
  const captureCanvas = vi.fn().mockReturnValue({ stream: painter, via: 'painter' });
  const ringer = { ringing: false, start: vi.fn(), stop: vi.fn() };
  const stored = new Map<string, string>();
  const service = new CallService({
    captureScreen,
    captureCanvas,
    store,
    signaling,
    iceServers: vi.fn().mockResolvedValue({
      iceServers: [{ urls: ['turn:h:3478'] }],
      screenCastExtensionId: 'abcdefghijklmnopabcdefghijklmnop',
    }),
    getMedia: vi.fn(
      getMedia ??
        (async (c: MediaStreamConstraints) => {
          const stream = fakeStream(Boolean(c.audio), Boolean(c.video));
          streams.push(stream);
          return stream;
        }),
    ),
    ringer,
    storage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v) },
    transportPolicy: () => 'relay',
    logger,
    createPeer: (init) => {
      const fake = {
        polite: init.polite,
        description: vi.fn().mockResolvedValue(undefined),
        candidate: vi.fn().mockResolvedValue(undefined),
        close: vi.fn(),
        setMedia: vi.fn(),
        replaceTrack: vi.fn().mockResolvedValue(undefined),
        addTrack: vi.fn(),
      };
      peers.push({ ...init, fake });
      return fake;
    },
  });
  return {
    store,
    signaling,
    service,
    peers,
    streams,
    captureScreen,
    screenTrack,
    captureCanvas,
    canvasTrack,
    painter,
    ringer,
    stored,
  };
}

describe('isPolite', () => {
  it('gives the two ends of a pair opposite roles, whichever asks', () => {
    expect(isPolite('a1', 'b2')).toBe(true);
    expect(isPolite('b2', 'a1')).toBe(false);
  });
});

describe('CallService', () => {
  it('rings on call.incoming from another device, and not on the caller own one', async () => {
    const { store, service } = setup();
    await service.onReady('me1');
    service.onIncoming(call([{ userId: 1, connId: 'me1' }]));
    expect(store.state.calls.incoming).toBeNull();
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    expect(store.state.calls.incoming).toEqual({ callId: CALL, roomId: 7, userId: 2, video: true });
    expect(store.state.calls.running[7]?.callId).toBe(CALL);
  });

  it('stops ringing when another device of mine answers or declines, or the call ends', async () => {
    const { store, service } = setup();
    await service.onReady('me1');
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    service.onJoined({ callId: CALL, roomId: 7, userId: 1, connId: 'me2' });
    expect(store.state.calls.incoming).toBeNull();
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    service.onDeclined({ callId: CALL, roomId: 7, userId: 3, connId: 'carol1' });
    expect(store.state.calls.incoming).not.toBeNull();
    service.onEnded({ callId: CALL, roomId: 7 });
    expect(store.state.calls.incoming).toBeNull();
    expect(store.state.calls.running[7]).toBeUndefined();
  });

  it('answers with video: joins, offers from a session per device already in the call, with relay forced', async () => {
    const { store, service, signaling, peers } = setup();
    await service.onReady('me1');
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    await service.answer(true);
    expect(signaling.join).toHaveBeenCalledWith(CALL);
    expect(store.state.calls.incoming).toBeNull();
    expect(store.state.calls.active).toMatchObject({ callId: CALL, roomId: 7, micOn: true, camOn: true });
    expect(peers.map((p) => p.remoteConnId)).toEqual(['bob1']);
    expect(peers[0].config).toEqual({ iceServers: [{ urls: ['turn:h:3478'] }], iceTransportPolicy: 'relay' });
    expect(peers[0].polite).toBe(isPolite('me1', 'bob1'));
    // Its signals go to that device of this call.
    await peers[0].signals.offer('v=0');
    expect(signaling.offer).toHaveBeenCalledWith(CALL, 'bob1', 'v=0');
  });

  it('answers without video; the camera switched on later is added to every peer (renegotiation)', async () => {
    const { store, service, streams, peers } = setup();
    await service.onReady('me1');
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    await service.answer(false);
    expect(streams[0].getVideoTracks()).toHaveLength(0);
    expect(store.state.calls.active).toMatchObject({ camOn: false, hasCamera: false });
    await service.toggleCamera();
    expect(store.state.calls.active).toMatchObject({ camOn: true, hasCamera: true });
    const camera = streams[1].getVideoTracks()[0];
    expect(peers[0].fake.addTrack).toHaveBeenCalledWith(camera, streams[0]);
    expect(peers[0].fake.setMedia).toHaveBeenLastCalledWith({ micOn: true, camOn: true });
  });

  it('rings while a call is offered and the incoming-call sound is on; answer, decline and end stop it', async () => {
    const { store, service, ringer } = setup();
    await service.onReady('me1');
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    expect(ringer.start).toHaveBeenCalledTimes(1);
    await service.decline();
    expect(ringer.stop).toHaveBeenCalledTimes(1);
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    service.onEnded({ callId: CALL, roomId: 7 });
    expect(ringer.stop).toHaveBeenCalledTimes(2);
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    await service.answer(false);
    expect(ringer.stop).toHaveBeenCalledTimes(3);
    await service.hangUp();
    store.commit('session/setSettings', { ...store.state.session.settings, incomingFileCallSound: false });
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    expect(ringer.start).toHaveBeenCalledTimes(3);
  });

  it('a refused camera leaves an audio-only call with a notice; a declined callee is announced', async () => {
    const denied = Object.assign(new Error('denied'), { name: 'NotAllowedError' });
    const { store, service, signaling } = setup([], async (c) => {
      if (c.video) {
        throw denied;
      }
      return fakeStream(true, false);
    });
    store.commit('users/upsert', { ...me, id: 3, username: 'carol' });
    await service.onReady('me1');
    await service.start(7, true);
    expect(signaling.start).toHaveBeenCalled();
    expect(store.state.calls.active).toMatchObject({ hasCamera: false, camOn: false });
    expect(store.state.calls.notice).toBe('Camera permission was denied. You are in the call with audio only.');
    service.onDeclined({ callId: CALL, roomId: 7, userId: 3, connId: 'carol1' });
    expect(store.state.calls.notice).toBe('carol declined the call');
    expect(store.state.calls.active).not.toBeNull();
    // She joins after all: the notice goes.
    service.onJoined({ callId: CALL, roomId: 7, userId: 3, connId: 'carol1' });
    expect(store.state.calls.notice).toBeNull();
  });

  it('logs the start and the end of a call in its room, with the duration', async () => {
    const { store, service } = setup();
    store.commit('users/upsert', { ...me, id: 2, username: 'bob' });
    store.commit('session/setServerOffset', 1_000);
    await service.onReady('me1');
    const started = Date.now() + 1_000 - 75_000;
    service.onIncoming({ ...call([{ userId: 2, connId: 'bob1' }]), startedAt: started });
    service.onEnded({ callId: CALL, roomId: 7 });
    expect(store.state.calls.log[7]?.map((l) => l.text)).toEqual(['bob started a call', 'Call ended · 1:15']);
    expect(store.state.calls.log[7]?.[0].at).toBe(started - 1_000);
    expect(formatDuration(3_725_000)).toBe('1:02:05');
  });

  it('a chosen microphone replaces the track on every peer and is remembered', async () => {
    const { store, service, streams, peers, stored } = setup();
    await service.onReady('me1');
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    await service.answer(true);
    const old = streams[0].getAudioTracks()[0];
    await service.setDevice('mic', 'usb-mic');
    const next = streams[1].getAudioTracks()[0];
    expect(peers[0].fake.replaceTrack).toHaveBeenCalledWith(old, next);
    expect(old.stop).toHaveBeenCalled();
    expect(streams[0].getAudioTracks()).toEqual([next]);
    expect(store.state.calls.devices.mic).toBe('usb-mic');
    expect(JSON.parse(stored.get('pychat.callDevices') ?? '{}')).toMatchObject({ mic: 'usb-mic' });
  });

  it('declines: tells the server, stops ringing, joins nothing', async () => {
    const { store, service, signaling, peers } = setup();
    await service.onReady('me1');
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    await service.decline();
    expect(signaling.decline).toHaveBeenCalledWith(CALL);
    expect(store.state.calls.incoming).toBeNull();
    expect(store.state.calls.active).toBeNull();
    expect(peers).toHaveLength(0);
  });

  it('late join: call.list after session.ready offers Join, and start() in that room joins instead of starting', async () => {
    const { store, service, signaling } = setup([call([{ userId: 2, connId: 'bob1' }])]);
    await service.onReady('me1');
    expect(store.state.calls.incoming).toBeNull();
    expect(store.state.calls.running[7]?.callId).toBe(CALL);
    await service.start(7, false);
    expect(signaling.start).not.toHaveBeenCalled();
    expect(signaling.join).toHaveBeenCalledWith(CALL);
  });

  it('the caller answers the joiner offer from a new session, and mute reaches the track and every peer', async () => {
    const { store, service, signaling, peers, streams } = setup();
    await service.onReady('me1');
    await service.start(7, true);
    expect(signaling.start).toHaveBeenCalledWith(7, true);
    service.onJoined({ callId: CALL, roomId: 7, userId: 2, connId: 'bob1' });
    service.onOffer({ callId: CALL, fromUserId: 2, fromConnId: 'bob1', sdp: 'v=0 offer' });
    expect(peers).toHaveLength(1);
    expect(peers[0].fake.description).toHaveBeenCalledWith('offer', 'v=0 offer');
    service.onCandidate({ callId: CALL, fromUserId: 2, fromConnId: 'bob1', candidate: { candidate: '' } });
    expect(peers[0].fake.candidate).toHaveBeenCalledWith({ candidate: '' });
    // A frame of another call is not mine.
    service.onOffer({ callId: 'BBBBBBBBBBBBBBBB', fromUserId: 3, fromConnId: 'x', sdp: 'v=0' });
    expect(peers).toHaveLength(1);

    service.toggleMic();
    expect(streams[0].getAudioTracks()[0].enabled).toBe(false);
    expect(store.state.calls.active?.micOn).toBe(false);
    expect(peers[0].fake.setMedia).toHaveBeenCalledWith({ micOn: false, camOn: true });
    peers[0].events.onMediaState({ micOn: false, camOn: true });
    expect(store.state.calls.peers.bob1).toMatchObject({ userId: 2, micOn: false });
  });

  it('hang-up closes every session, stops the tracks and leaves', async () => {
    const { store, service, signaling, peers, streams } = setup();
    await service.onReady('me1');
    await service.start(7, true);
    service.onOffer({ callId: CALL, fromUserId: 2, fromConnId: 'bob1', sdp: 'v=0' });
    await service.hangUp();
    expect(signaling.leave).toHaveBeenCalledWith(CALL);
    expect(peers[0].fake.close).toHaveBeenCalled();
    expect(streams[0].tracks.every((t) => t.stop.mock.calls.length === 1)).toBe(true);
    expect(store.state.calls.active).toBeNull();
    expect(store.state.calls.peers).toEqual({});
    expect(service.peerConnectionCount).toBe(0);
  });

  it('leaves when the last other device hangs up, and stays while others remain', async () => {
    const { store, service, signaling } = setup();
    await service.onReady('me1');
    signaling.join.mockResolvedValue({
      call: call([
        { userId: 2, connId: 'bob1' },
        { userId: 3, connId: 'carol1' },
      ]),
    });
    await service.join(CALL, 7, false);
    service.onLeft({ callId: CALL, roomId: 7, userId: 3, connId: 'carol1', reason: 'hangup' });
    expect(store.state.calls.active).not.toBeNull();
    expect(Object.keys(store.state.calls.peers)).toEqual(['bob1']);
    service.onLeft({ callId: CALL, roomId: 7, userId: 2, connId: 'bob1', reason: 'disconnected' });
    await vi.waitFor(() => expect(signaling.leave).toHaveBeenCalledWith(CALL));
    expect(store.state.calls.active).toBeNull();
  });

  it('a call.left with my own connId (swept by the server) ends the call here without a leave', async () => {
    const { store, service, signaling } = setup();
    await service.onReady('me1');
    await service.start(7, false);
    service.onLeft({ callId: CALL, roomId: 7, userId: 1, connId: 'me1', reason: 'disconnected' });
    expect(store.state.calls.active).toBeNull();
    expect(signaling.leave).not.toHaveBeenCalled();
  });

  it('a refused camera gives a sentence and leaves no call behind', async () => {
    const { store, signaling } = setup();
    const denied = Object.assign(new Error('denied'), { name: 'NotAllowedError' });
    const failing = new CallService({
      store,
      signaling,
      iceServers: vi.fn().mockResolvedValue({ iceServers: [] }),
      getMedia: vi.fn().mockRejectedValue(denied),
      transportPolicy: () => 'all',
      logger,
    });
    await expect(failing.start(7, true)).rejects.toThrow(mediaErrorText(denied, 'microphone'));
    expect(mediaErrorText(denied, 'microphone')).toBe('Microphone permission was denied.');
    expect(signaling.start).not.toHaveBeenCalled();
    expect(store.state.calls.active).toBeNull();
  });

  it('screen sharing: shown in the panel with how it was captured, told to every peer, ended by the browser', async () => {
    const { store, service, peers, captureScreen, screenTrack } = setup();
    await service.onReady('me1');
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    await service.answer(true);
    await service.toggleScreen();
    expect(captureScreen).toHaveBeenCalledWith('abcdefghijklmnopabcdefghijklmnop');
    expect(store.state.calls.active?.screen).toBe('extension');
    expect(peers[0].fake.setMedia).toHaveBeenLastCalledWith({ micOn: true, camOn: true, screenOn: true });
    // The browser's "Stop sharing": the track ends, the share stops and the peers learn it.
    screenTrack.dispatchEvent(new Event('ended'));
    await vi.waitFor(() => expect(store.state.calls.active?.screen).toBeNull());
    expect(screenTrack.stop).toHaveBeenCalled();
    expect(peers[0].fake.setMedia).toHaveBeenLastCalledWith({ micOn: true, camOn: true });
  });

  it('share painter: the canvas goes out like a screen; the screen button switches to the screen; stop brings the camera', async () => {
    const { store, service, peers, captureScreen, screenTrack, captureCanvas, canvasTrack, painter } = setup();
    const canvas = {} as HTMLCanvasElement;
    await service.onReady('me1');
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    await service.answer(true);
    await service.sharePainter(canvas);
    expect(captureCanvas).toHaveBeenCalledWith(canvas);
    expect(store.state.calls.active?.screen).toBe('painter');
    expect(service.screenStream).toBe(painter);
    expect(peers[0].fake.setMedia).toHaveBeenLastCalledWith({ micOn: true, camOn: true, screenOn: true });
    // A second "Share painter" does not capture the canvas twice.
    await service.sharePainter(canvas);
    expect(captureCanvas).toHaveBeenCalledTimes(1);

    // "Share the screen" while the painter is shared: the screen takes its place and the canvas track stops.
    await service.toggleScreen();
    expect(captureScreen).toHaveBeenCalledTimes(1);
    expect(canvasTrack.stop).toHaveBeenCalled();
    expect(store.state.calls.active?.screen).toBe('extension');

    // Back to the painter, then to the camera.
    await service.sharePainter(canvas);
    expect(screenTrack.stop).toHaveBeenCalled();
    expect(store.state.calls.active?.screen).toBe('painter');
    await service.stopSharing();
    expect(store.state.calls.active?.screen).toBeNull();
    expect(peers[0].fake.setMedia).toHaveBeenLastCalledWith({ micOn: true, camOn: true });
  });

  it('peerStats: round trip of the selected pair, relay, and loss and bitrate between two samples', async () => {
    const { service, peers } = setup();
    await service.onReady('me1');
    service.onIncoming(call([{ userId: 2, connId: 'bob1' }]));
    await service.answer(true);
    let inbound = { audio: { bytes: 0, lost: 0, got: 0 }, video: { bytes: 0, lost: 0, got: 0 } };
    let now = 10_000;
    const report = () => [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R', currentRoundTripTime: 0.32 },
      { id: 'L', type: 'local-candidate', candidateType: 'relay' },
      { id: 'R', type: 'remote-candidate', candidateType: 'host' },
      ...(['audio', 'video'] as const).map((kind) => ({
        id: `in-${kind}`,
        type: 'inbound-rtp',
        kind,
        timestamp: now,
        bytesReceived: inbound[kind].bytes,
        packetsLost: inbound[kind].lost,
        packetsReceived: inbound[kind].got,
      })),
    ];
    Object.assign(peers[0].fake, {
      pc: { connectionState: 'connected', getStats: async () => new Map(report().map((s) => [s.id, s])) },
    });
    inbound = { audio: { bytes: 1_000, lost: 1, got: 49 }, video: { bytes: 9_000, lost: 1, got: 99 } };
    const first = await service.peerStats('bob1');
    expect(first).toMatchObject({ rttMs: 320, relayed: true, bitrateKbps: null, localCandidateType: 'relay' });
    expect(first?.lossPct).toBeCloseTo(100 * (2 / 150));
    // 2 s later: 250 kB more (1000 kbit/s), and 10 of the 110 packets due since were lost.
    now += 2_000;
    inbound = { audio: { bytes: 51_000, lost: 1, got: 99 }, video: { bytes: 209_000, lost: 11, got: 149 } };
    const second = await service.peerStats('bob1');
    expect(second?.bitrateKbps).toBe(1000);
    expect(second?.lossPct).toBeCloseTo(100 * (10 / 110));
    expect(await service.peerStats('nobody')).toBeNull();
    expect((await service.stats()).map((s) => s.connId)).toEqual(['bob1']);
  });
});
