/** Limits shared by server validation and client forms, so both refuse the same input. */
export const LIMITS = {
  usernameMaxLength: 16,
  usernamePattern: /^[a-zA-Z0-9_-]{1,16}$/,
  passwordMinLength: 8,
  passwordMaxLength: 256,
  emailMaxLength: 190,
  /** Profile fields (the columns of user_profiles). */
  profileNameMaxLength: 30,
  profileCityMaxLength: 50,
  profileContactsMaxLength: 100,
  roomNameMaxLength: 16,
  /** A channel's topic (short description shown in the directory). */
  channelTopicMaxLength: 200,
  /** Channels per `channel.directory` page. */
  directoryPageMax: 50,
  /** Rooms one `channel.rooms` reply lists (a channel holds at most PYCHAT_MAX_ROOMS_PER_USER × members). */
  channelRoomsMax: 500,
  messageMaxLength: 10_000,
  localIdMaxLength: 64,
  mentionsMax: 50,
  /** Files on one message. */
  attachmentsMax: 10,
  /** Longest file name kept for an upload (characters); longer ones are cut, keeping the extension. */
  fileNameMaxLength: 200,
  /** Text of a reply's excerpt of the message it answers (code units): a line, not the whole message. */
  replyExcerptMaxLength: 200,
  /** A user's status text ("in a meeting"), shown beside the name. */
  statusTextMaxLength: 100,
  /** Pinned messages per room: the header's list stays short enough to read. */
  pinsPerRoomMax: 50,
  /** Different emoji on one message (Discord allows 20); a user may add each of them once. */
  reactionsPerMessageMax: 20,
  /** One reaction emoji in code points (zod counts those): the longest ZWJ and tag sequences have 10. */
  emojiMaxLength: 16,
  historyPageMax: 100,
  historyPageDefault: 50,
  /**
   * Rooms per message.sync frame: the largest legal entry is ~90 bytes, so 500 of them fit `wsFrameBytes`.
   * Clients with more rooms send several frames (the web app batches, see chat.service.ts).
   */
  syncRoomsMax: 500,
  syncMessagesPerRoom: 200,
  searchQueryMaxLength: 200,
  searchPageSize: 20,
  membersPerRequestMax: 500,
  /**
   * Users one socket follows the presence of (`presence.subscribe`): what a screen shows at once (a member
   * list page, the sidebar, mention candidates). Bounds what one socket costs each presence batch.
   */
  presenceSubscribeMax: 1_000,
  /**
   * Rooms one socket follows the online count of (`presence.subscribe`'s `roomIds`, then `room.online`): the open
   * room's header and a page of the channel directory.
   */
  presenceRoomsMax: 50,
  /**
   * Unread counts stop at this many per room (clients show "99+"): every connect counts every room, so a user
   * back from holidays with 50 busy rooms would otherwise cost thousands of index steps per connect.
   */
  unreadCountMax: 100,
  /** Rooms with more members come without their member list (`RoomDto.members` null): ask `room.members`. */
  roomMembersInlineMax: 200,
  volumeMax: 100,
  /**
   * SDP bodies of rtc.offer / rtc.answer (characters): an audio+video+data offer with many codecs is 5-10 kB,
   * so 16 KiB leaves room while one socket cannot push megabytes through others' sockets.
   */
  rtcSdpMaxLength: 16 * 1024,
  /** One ICE candidate line (real ones are under 300 characters). */
  rtcCandidateMaxLength: 1024,
  /**
   * Devices in one call: a full mesh costs every device one upload per other device, so past this it breaks
   * down on ordinary uplinks (docs/webrtc.md). call.join beyond it: LIMIT_REACHED.
   */
  callPeersMax: 8,
  /** File names in P2P transfer offers (most file systems stop at 255 bytes). */
  transferFileNameMaxLength: 255,
  /**
   * Default of PYCHAT_WS_MAX_FRAME_BYTES. Every request within these limits fits in it (the largest are a
   * message.send of 10,000 escaped characters, ~60 kB, and a message.sync of `syncRoomsMax` rooms, ~45 kB);
   * clients keep each frame under it. A server configured lower may refuse legal requests.
   */
  wsFrameBytes: 64 * 1024,
} as const;
