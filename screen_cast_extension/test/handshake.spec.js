import { describe, expect, it, vi } from 'vitest';
import { createHandler, PING, REQUEST, SOURCES } from '../src/handshake.js';

/** chrome.* as the service worker sees it; the picker answers `streamId` (empty: the user closed it). */
function fakeChrome(streamId = 'stream-1', canRequestAudioTrack = false) {
  return {
    runtime: { getManifest: () => ({ version: '1.0.0' }) },
    desktopCapture: {
      chooseDesktopMedia: vi.fn((sources, tab, callback) => callback(streamId, { canRequestAudioTrack })),
    },
  };
}

const TAB_SENDER = { tab: { id: 7 }, origin: 'https://chat.example.com', url: 'https://chat.example.com/chat/1' };

describe('the extension handshake (ping → request → streamId)', () => {
  it('answers the ping with success and its version, opening no picker', () => {
    const chromeApi = fakeChrome();
    const reply = vi.fn();
    expect(createHandler(chromeApi)({ type: PING }, TAB_SENDER, reply)).toBe(false);
    expect(reply).toHaveBeenCalledWith({ type: PING, data: 'success', version: '1.0.0' });
    expect(chromeApi.desktopCapture.chooseDesktopMedia).not.toHaveBeenCalled();
  });

  it('answers a request with the streamId of the picker opened for the asking tab, keeping the channel open', () => {
    const chromeApi = fakeChrome('stream-1', true);
    const reply = vi.fn();
    expect(createHandler(chromeApi)({ type: REQUEST }, TAB_SENDER, reply)).toBe(true);
    expect(chromeApi.desktopCapture.chooseDesktopMedia).toHaveBeenCalledWith(
      SOURCES,
      TAB_SENDER.tab,
      expect.any(Function),
    );
    expect(reply).toHaveBeenCalledWith({
      type: REQUEST,
      data: 'success',
      streamId: 'stream-1',
      canRequestAudioTrack: true,
    });
  });

  it('answers canceled when the user closes the picker', () => {
    const reply = vi.fn();
    createHandler(fakeChrome(''))({ type: REQUEST }, TAB_SENDER, reply);
    expect(reply).toHaveBeenCalledWith({ type: REQUEST, data: 'canceled' });
  });

  it('opens no picker for a request without a tab, or for an unknown message', () => {
    const chromeApi = fakeChrome();
    const reply = vi.fn();
    createHandler(chromeApi)({ type: REQUEST }, { origin: 'https://chat.example.com' }, reply);
    createHandler(chromeApi)({ type: 'SOMETHING_ELSE' }, TAB_SENDER, reply);
    createHandler(chromeApi)('PYCHAT_SCREEN_SHARE_REQUEST', TAB_SENDER, reply);
    expect(chromeApi.desktopCapture.chooseDesktopMedia).not.toHaveBeenCalled();
    expect(reply.mock.calls.map(([r]) => r.data)).toEqual(['error', 'error', 'error']);
  });
});
