import type { ClientMessages, ClientReplies, ClientType } from '@pychat/protocol';
import type { Connection } from './connections';

export interface WsContext {
  readonly userId: number;
  readonly conn: Connection;
}

/** One typed handler per client frame type; a missing one is a compile error in dispatcher.ts. */
export type Handlers = { [K in ClientType]: (ctx: WsContext, data: ClientMessages[K]) => Promise<ClientReplies[K]> };
