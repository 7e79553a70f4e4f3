import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

@Entity('user_profiles')
export class UserProfileEntity {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @OneToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_profiles_user' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 30, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  surname: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  city: string | null;

  /** YYYY-MM-DD */
  @Column({ type: 'varchar', length: 10, nullable: true })
  birthday: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  contacts: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  photo: string | null;
}
