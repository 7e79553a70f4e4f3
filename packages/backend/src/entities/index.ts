import { ChannelEntity } from './channel.entity';
import { MentionEntity } from './mention.entity';
import { MessageEditEntity } from './message-edit.entity';
import { MessageEntity } from './message.entity';
import { ReactionEntity } from './reaction.entity';
import { RoomMemberEntity } from './room-member.entity';
import { RoomEntity } from './room.entity';
import { SessionEntity } from './session.entity';
import { UserProfileEntity } from './user-profile.entity';
import { UserSettingsEntity } from './user-settings.entity';
import { UserEntity } from './user.entity';

export const entities = [
  UserEntity,
  UserProfileEntity,
  UserSettingsEntity,
  SessionEntity,
  ChannelEntity,
  RoomEntity,
  RoomMemberEntity,
  MessageEntity,
  MessageEditEntity,
  MentionEntity,
  ReactionEntity,
];

export {
  ChannelEntity,
  MentionEntity,
  MessageEditEntity,
  MessageEntity,
  ReactionEntity,
  RoomEntity,
  RoomMemberEntity,
  SessionEntity,
  UserEntity,
  UserProfileEntity,
  UserSettingsEntity,
};
