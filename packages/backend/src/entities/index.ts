import { AccountTokenEntity } from './account-token.entity';
import { ChannelEntity } from './channel.entity';
import { InviteEntity } from './invite.entity';
import { LinkedIdentityEntity } from './linked-identity.entity';
import { MailFailureEntity } from './mail-failure.entity';
import { MentionEntity } from './mention.entity';
import { MessageEditEntity } from './message-edit.entity';
import { MessageEntity } from './message.entity';
import { PushSubscriptionEntity } from './push-subscription.entity';
import { ReactionEntity } from './reaction.entity';
import { RoomMemberEntity } from './room-member.entity';
import { RoomEntity } from './room.entity';
import { SessionEntity } from './session.entity';
import { UploadedFileEntity } from './uploaded-file.entity';
import { UserActiveDayEntity } from './user-active-day.entity';
import { UserLocationEntity } from './user-location.entity';
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
  AccountTokenEntity,
  MailFailureEntity,
  PushSubscriptionEntity,
  UploadedFileEntity,
  ReactionEntity,
  LinkedIdentityEntity,
  UserLocationEntity,
  UserActiveDayEntity,
  InviteEntity,
];

export {
  AccountTokenEntity,
  ChannelEntity,
  InviteEntity,
  LinkedIdentityEntity,
  MailFailureEntity,
  MentionEntity,
  MessageEditEntity,
  MessageEntity,
  PushSubscriptionEntity,
  ReactionEntity,
  RoomEntity,
  RoomMemberEntity,
  SessionEntity,
  UploadedFileEntity,
  UserActiveDayEntity,
  UserEntity,
  UserLocationEntity,
  UserProfileEntity,
  UserSettingsEntity,
};
