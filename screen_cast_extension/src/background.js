// Service worker of the Pychat screen-sharing extension: it answers the Pychat page's ping and screen requests.
import { createHandler } from './handshake.js';

chrome.runtime.onMessageExternal.addListener(createHandler(chrome));
