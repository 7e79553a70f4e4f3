import type {
  ClientMessages,
  ClientReplies,
  ClientType,
  ServerEventType,
  ServerFrame,
  ServerMessages,
} from '@pychat/protocol';
import { TestClient } from '@pychat/testkit';
import type WebSocket from 'ws';

/**
 * The e2e specs' stack lives in @pychat/testkit: the built server as a process (`startInstance`), the
 * protocol client (`TestClient`) and the REST helpers. Re-exported so the specs keep one import.
 */
export { api, freePort, signUp, startInstance, tempDir, TestClient, uniqueName, type Instance } from '@pychat/testkit';

// phase 2: fuzz/web-chat/browser specs move onto the kit client
/** The former e2e client's names (waitForFrame, closeCode, a close that does not wait) over the kit's client. */
export class WsClient {
  private constructor(readonly client: TestClient) {}

  static async connect(instance: { wsUrl: string }, token: string): Promise<WsClient> {
    return new WsClient(await TestClient.connect(instance, token));
  }

  get ws(): WebSocket {
    return this.client.ws;
  }

  get frames(): ServerFrame[] {
    return this.client.frames;
  }

  get closeCode(): number | null {
    return this.client.closed?.code ?? null;
  }

  get ready(): ServerMessages['session.ready'] {
    return this.client.ready;
  }

  request<K extends ClientType>(type: K, data: ClientMessages[K]): Promise<ClientReplies[K]> {
    return this.client.request(type, data);
  }

  waitForFrame<K extends ServerEventType>(
    type: K,
    predicate?: (data: ServerMessages[K]) => boolean,
    timeoutMs?: number,
  ): Promise<ServerMessages[K]> {
    return this.client.waitFor(type, predicate, timeoutMs);
  }

  all<K extends ServerEventType>(type: K): ServerMessages[K][] {
    return this.client.all(type);
  }

  close(): void {
    this.client.ws.close();
  }
}
