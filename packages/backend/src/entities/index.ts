import { ChannelEntity } from './channel.entity';
import { IpAddressEntity } from './ip-address.entity';
import { MentionEntity } from './mention.entity';
import { MessageEditEntity } from './message-edit.entity';
import { MessageEntity } from './message.entity';
import { PushSubscriptionEntity } from './push-subscription.entity';
import { RoomMemberEntity } from './room-member.entity';
import { RoomEntity } from './room.entity';
import { SessionEntity } from './session.entity';
import { UploadedFileEntity } from './uploaded-file.entity';
import { UserIpEntity } from './user-ip.entity';
import { UserProfileEntity } from './user-profile.entity';
import { UserSettingsEntity } from './user-settings.entity';
import { UserEntity } from './user.entity';
import { VerificationTokenEntity } from './verification-token.entity';

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
  UploadedFileEntity,
  VerificationTokenEntity,
  IpAddressEntity,
  UserIpEntity,
  PushSubscriptionEntity,
];

export {
  ChannelEntity,
  IpAddressEntity,
  MentionEntity,
  MessageEditEntity,
  MessageEntity,
  PushSubscriptionEntity,
  RoomEntity,
  RoomMemberEntity,
  SessionEntity,
  UploadedFileEntity,
  UserEntity,
  UserIpEntity,
  UserProfileEntity,
  UserSettingsEntity,
  VerificationTokenEntity,
};
