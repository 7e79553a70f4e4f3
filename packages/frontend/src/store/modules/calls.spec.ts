import type { CallDto } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '..';
import { getter } from '../getters';

const CALL = 'AAAAAAAAAAAAAAAA';
const running: CallDto = {
  callId: CALL,
  roomId: 7,
  video: false,
  startedBy: { userId: 2, connId: 'bob1' },
  startedAt: 1,
  peers: [{ userId: 2, connId: 'bob1' }],
};

describe('calls store module', () => {
  it('follows a room call: joined and left devices, once each, and the end', () => {
    const store = createAppStore();
    store.commit('calls/setRunning', [running]);
    const ref = { callId: CALL, roomId: 7, userId: 3, connId: 'carol1' };
    store.commit('calls/peerJoined', ref);
    store.commit('calls/peerJoined', ref);
    // An event of an older call of the room changes nothing.
    store.commit('calls/peerJoined', { ...ref, callId: 'BBBBBBBBBBBBBBBB', connId: 'x' });
    expect(getter(store, 'calls/runningIn')(7)?.peers.map((p) => p.connId)).toEqual(['bob1', 'carol1']);
    store.commit('calls/peerLeft', { ...ref, connId: 'bob1' });
    expect(getter(store, 'calls/runningIn')(7)?.peers.map((p) => p.connId)).toEqual(['carol1']);
    store.commit('calls/setIncoming', { callId: CALL, roomId: 7, userId: 2, video: false });
    store.commit('calls/ended', { callId: CALL, roomId: 7 });
    expect(getter(store, 'calls/runningIn')(7)).toBeUndefined();
    expect(store.state.calls.incoming).toBeNull();
  });

  it('drops the peers when the active call goes', () => {
    const store = createAppStore();
    store.commit('calls/setActive', { callId: CALL, roomId: 7, micOn: true, camOn: false, hasCamera: false });
    store.commit('calls/putPeer', {
      connId: 'bob1',
      userId: 2,
      connection: 'new',
      micOn: true,
      camOn: true,
      hasVideo: false,
    });
    store.commit('calls/updatePeer', { connId: 'bob1', micOn: false });
    expect(getter(store, 'calls/peerList')).toEqual([expect.objectContaining({ connId: 'bob1', micOn: false })]);
    store.commit('calls/setActive', null);
    expect(getter(store, 'calls/peerList')).toEqual([]);
  });
});
