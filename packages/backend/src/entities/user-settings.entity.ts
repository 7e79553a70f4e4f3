import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

@Entity('user_settings')
export class UserSettingsEntity {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @OneToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_settings_user' })
  user?: UserEntity;

  @Column({ name: 'show_when_i_typing', type: 'boolean', default: true })
  showWhenITyping: boolean;

  @Column({ name: 'embedded_youtube', type: 'boolean', default: true })
  embeddedYoutube: boolean;

  @Column({ name: 'highlight_code', type: 'boolean', default: true })
  highlightCode: boolean;

  @Column({ name: 'message_sound', type: 'boolean', default: true })
  messageSound: boolean;

  @Column({ name: 'incoming_file_call_sound', type: 'boolean', default: true })
  incomingFileCallSound: boolean;

  @Column({ name: 'online_change_sound', type: 'boolean', default: false })
  onlineChangeSound: boolean;

  @Column({ type: 'varchar', length: 16, default: 'error' })
  logs: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'disable';

  @Column({ type: 'varchar', length: 16, default: 'dark' })
  theme: 'dark' | 'light';
}
