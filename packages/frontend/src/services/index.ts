import type { ApiService } from './api.service';
import type { CallService } from './webrtc/call.service';
import type { FileTransferService } from './webrtc/file-transfer.service';
import type { P2pRoomService } from './webrtc/p2p-room.service';
import type { ChatService } from './chat.service';
import type { InstallService } from './install.service';
import type { LocalDbService } from './local-db.service';
import type { LogService } from './logger';
import type { NotificationService } from './notification.service';
import type { PresenceSubscription } from './presence-subscription';
import type { PushService } from './push.service';
import type { RoomsService } from './rooms.service';
import type { SessionService } from './session.service';
import type { WsService } from './ws.service';

/**
 * Everything main.ts provides to components (`@Inject() readonly chat!: ChatService`).
 * Built once in main.ts with their dependencies; never imported as module singletons.
 */
export interface Services {
  api: ApiService;
  ws: WsService;
  db: LocalDbService;
  chat: ChatService;
  rooms: RoomsService;
  session: SessionService;
  notifications: NotificationService;
  logs: LogService;
  install: InstallService;
  calls: CallService;
  transfers: FileTransferService;
  push: PushService;
  p2pRooms: P2pRoomService;
  presence: PresenceSubscription;
}
