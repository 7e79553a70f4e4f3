// The page ↔ extension handshake, as pychat's (spec/webrtc.md §4): PING answers that the extension is here,
// REQUEST opens Chromium's screen/window/tab picker and answers a streamId that only the asking tab's origin can
// open with getUserMedia({ video: { mandatory: { chromeMediaSource: 'desktop', chromeMediaSourceId } } }).
// Kept apart from background.js so the unit test can drive it with a fake chrome.

export const PING = 'PYCHAT_SCREEN_SHARE_PING';
export const REQUEST = 'PYCHAT_SCREEN_SHARE_REQUEST';

/** What the picker offers: the screen, a window or a tab, and the tab's or system's audio where Chromium can. */
export const SOURCES = ['screen', 'window', 'tab', 'audio'];

/**
 * A chrome.runtime.onMessageExternal listener. Chromium delivers only messages from pages whose origin is in the
 * manifest's externally_connectable.matches (build.mjs writes them), and no other extension may connect.
 * @param {{ desktopCapture: { chooseDesktopMedia: Function }, runtime: { getManifest: Function } }} chromeApi
 */
export function createHandler(chromeApi) {
  return (message, sender, sendResponse) => {
    const type = message && typeof message === 'object' ? message.type : undefined;
    if (type === PING) {
      sendResponse({ type, data: 'success', version: chromeApi.runtime.getManifest().version });
      return false;
    }
    if (type !== REQUEST) {
      sendResponse({ type, data: 'error', error: 'unknown message' });
      return false;
    }
    // The streamId is bound to the tab that asked: without one (a request not from a page) there is nothing to bind.
    if (!sender || !sender.tab) {
      sendResponse({ type, data: 'error', error: 'not from a tab' });
      return false;
    }
    chromeApi.desktopCapture.chooseDesktopMedia(SOURCES, sender.tab, (streamId, options) => {
      if (!streamId) {
        // The user closed the picker.
        sendResponse({ type, data: 'canceled' });
        return;
      }
      sendResponse({ type, data: 'success', streamId, canRequestAudioTrack: Boolean(options?.canRequestAudioTrack) });
    });
    // The answer comes after the user has chosen: keep the channel open.
    return true;
  };
}
