import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './columns';

/**
 * A mail the SMTP server did not take (after the retry). Kept in the database so `pychat doctor`, a separate
 * process, can show the latest failures of every instance; trimmed to the newest rows when written.
 */
@Entity('mail_failures')
export class MailFailureEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('ix_mail_failures_created')
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintToNumber })
  createdAt: number;

  /** Which mail: `verify`, `reset`, `password-changed`, `email-change`. */
  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ type: 'varchar', length: 500 })
  error: string;
}
