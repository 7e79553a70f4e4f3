import type { TransfersState } from './modules/transfers';
import type {
  AttachmentDto,
  CallDto,
  ChannelDto,
  MessageDto,
  RoomDto,
  RoomMemberDto,
  RoomStateDto,
  UserDto,
  UserPlaceDto,
  UserSettingsDto,
} from '@pychat/protocol';

export type ConnectionState = 'offline' | 'connecting' | 'online';

/** A message shown at once while the server has not confirmed it (local echo, zulip-style). */
export interface PendingMessage {
  localId: string;
  roomId: number;
  senderId: number;
  content: string;
  parentId: number | null;
  mentions: number[];
  /** Ids of files already uploaded (POST /api/files) when it was written. */
  attachments?: number[];
  /** An inline reply to this message of the same room. */
  replyToId?: number;
  /**
   * Files written offline (or whose upload hit a network error): their bytes wait in the outbox (IndexedDB)
   * and are uploaded before the message is sent; their ids then replace `attachments`, in this order.
   */
  files?: OutboxFile[];
  /** Upload progress (0–1) of the file being uploaded, while the outbox uploads its files. */
  progress?: number;
  createdAt: number;
  status: 'sending' | 'failed';
  error?: string;
}

/** A stored message as the timeline holds it (one object per message version, so views can compare by identity). */
export interface TimelineEntry {
  kind: 'message';
  message: MessageDto;
}

/** A file of a queued message: the bytes until uploaded, then the uploaded file's id (the bytes are dropped). */
export interface OutboxFile {
  name: string;
  size: number;
  kind: AttachmentDto['kind'];
  blob: Blob | null;
  id: number | null;
}

export interface RoomMessages {
  /**
   * Messages are raw (markRaw) and never mutated: a change replaces the object and bumps `rev`, so the timeline
   * is an array of plain objects (no proxy per message) and only the rows whose message changed re-render.
   */
  byId: Record<number, MessageDto>;
  /** The same messages by thread (0: the main timeline), kept sorted by id as they arrive: markRaw, see `rev`. */
  order: Map<number, TimelineEntry[]>;
  /** Bumped on every change to `byId`'s messages: what the timeline getters depend on instead of every message. */
  rev: number;
  pending: Record<string, PendingMessage>;
  /** Older top-level history exists on the server. */
  hasMore: boolean;
  /** The newest page was fetched (or restored) at least once. */
  loaded: boolean;
  loadingHistory: boolean;
  /** `serverTime` of the last message.sync of this room. */
  syncedAt: number;
}

export interface SessionState {
  me: UserDto | null;
  connection: ConnectionState;
  settings: UserSettingsDto;
  /** serverTime − Date.now() at the last session.ready: shifts server times for display. */
  serverOffset: number;
  /** The local database was loaded (the app can render before the socket opens). */
  restored: boolean;
}

/**
 * A room as the store holds it. Since protocol v2 a big room comes without its member list (`RoomDto.members`
 * null), so `members` here is what is known: the whole list when `membersComplete`, otherwise the list loaded
 * earlier (kept, maybe stale) or the readers seen since, possibly none. `memberCount` is always right.
 */
export interface Room extends Omit<RoomDto, 'members'> {
  members: RoomMemberDto[];
  /** `members` is the whole membership: it came inline or from `room.members` and nothing has changed it since. */
  membersComplete: boolean;
}

export interface RoomsState {
  byId: Record<number, Room>;
  states: Record<number, RoomStateDto>;
  channels: Record<number, ChannelDto>;
  activeRoomId: number | null;
  /**
   * The sum of `states[*].unread`, kept by the mutations that change one: the window title and the badges read it
   * on every message, and summing 1,000 rooms through the reactive store each time was the cost of a busy room.
   */
  unreadTotal: number;
}

export interface UsersState {
  byId: Record<number, UserDto>;
  /**
   * `serverTime` of the session.ready the directory is current as of (kept in IndexedDB with the users): the
   * next connect asks only for users changed since (`usersSince`). null: no directory, ask for all of it.
   */
  syncedAt: number | null;
  /** Where each user connects from (GET /api/users/places), for the flag beside the name; empty when off. */
  places: Record<number, UserPlaceDto>;
}

export interface MessagesState {
  rooms: Record<number, RoomMessages>;
  /** Unsent composer text by draftKey (`<roomId>:<threadId or 0>`), mirrored in IndexedDB. */
  drafts: Record<string, string>;
}

export interface PresenceState {
  /** Online among the users this tab subscribed to (protocol v3): nobody else's presence is known. */
  online: Record<number, true>;
  /**
   * Users a mounted view shows beyond the sidebar and the open room (a member picker, the new-DM list), by view
   * key; services/presence-subscription.ts folds them into the subscription.
   */
  shown: Record<string, number[]>;
  /** Rooms a mounted view shows the online count of (the channel directory), by view key. */
  shownRooms: Record<string, number[]>;
  /**
   * roomId → members online, from the server (`room.online`), for the rooms this tab follows the count of: big
   * rooms, whose members are too many to follow one by one. Replaced by each subscribe's answer.
   */
  roomOnline: Record<number, number>;
  /** roomId → userId → until (ms). */
  typing: Record<number, Record<number, number>>;
}

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  text: string;
}

export interface NotificationsState {
  toasts: Toast[];
}

export interface IncomingCall {
  callId: string;
  roomId: number;
  /** The caller's user. */
  userId: number;
  video: boolean;
}

/** The call this device is in (one at a time). */
export interface ActiveCall {
  callId: string;
  roomId: number;
  micOn: boolean;
  /** This device sends video (it started or answered with video) and the camera is on. */
  camOn: boolean;
  /** The device has a camera track at all (answered without video: false). */
  hasCamera: boolean;
  /**
   * Sharing the screen, and how it was captured (the browser, or the Pychat extension), or sharing the painter;
   * unset: not sharing.
   */
  screen?: 'browser' | 'extension' | 'painter' | null;
}

/** One remote device in my call; its MediaStream is CallService.streamOf(connId). */
export interface CallPeer {
  connId: string;
  userId: number;
  /** RTCPeerConnection.connectionState. */
  connection: string;
  micOn: boolean;
  camOn: boolean;
  /** A video track arrived (the tile shows video instead of the avatar). */
  hasVideo: boolean;
  /** It shares its screen (the tile shows its video even with the camera off). */
  screenOn?: boolean;
}

export interface CallsState {
  /** This socket's `session.ready.connectionId`: my peer id in calls. */
  connId: string | null;
  /** roomId → the call running there (from call.list and the call.* events). */
  running: Record<number, CallDto>;
  /** Ringing on this device. */
  incoming: IncomingCall | null;
  active: ActiveCall | null;
  peers: Record<string, CallPeer>;
  /** A line the call panel shows for a few seconds ("bob declined", "camera permission denied"). */
  notice: string | null;
  /** The chosen devices (deviceIds, '' = the browser's default), kept in localStorage. */
  devices: CallDevices;
  /** roomId → call log lines this tab saw (started / ended with duration); not stored, not from the server. */
  log: Record<number, CallLogLine[]>;
}

export interface CallLogLine {
  id: string;
  /** Local time (ms) the line sits at among the messages. */
  at: number;
  text: string;
}

export interface CallDevices {
  mic: string;
  camera: string;
  speaker: string;
}

export interface RootState {
  session: SessionState;
  rooms: RoomsState;
  users: UsersState;
  messages: MessagesState;
  presence: PresenceState;
  notifications: NotificationsState;
  calls: CallsState;
  transfers: TransfersState;
}

export const DEFAULT_SETTINGS: UserSettingsDto = {
  showWhenITyping: true,
  embeddedYoutube: true,
  highlightCode: true,
  messageSound: true,
  incomingFileCallSound: true,
  onlineChangeSound: false,
  logs: 'disable',
  theme: 'dark',
};
