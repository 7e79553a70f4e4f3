import { randomBytes } from 'node:crypto';
import type {
  AdminUserDto,
  AdminUserPatch,
  AdminUsersQuery,
  AdminUsersResponse,
  CreateInviteBody,
  CreateInviteResponse,
  InviteDto,
  InvitesResponse,
} from '@pychat/protocol';
import type { InviteEntity, UserEntity } from '../entities';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { InviteRepository } from '../repositories/invite.repository';
import type { UserRepository } from '../repositories/user.repository';
import { hashToken } from './auth.service';
import type { Clock } from './clock';
import type { DomainEventBus } from './events';

/** Invites the admin page lists (newest first); older ones stay in the table, still usable while live. */
const INVITES_LISTED = 200;

export function toAdminUserDto(user: UserEntity): AdminUserDto {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    admin: user.isAdmin,
    deactivatedAt: user.deactivatedAt,
    createdAt: user.createdAt,
    lastSeenAt: user.lastSeenAt,
  };
}

export function toInviteDto(invite: InviteEntity, createdBy: string | null, now: number): InviteDto {
  const state: InviteDto['state'] =
    invite.revokedAt !== null
      ? 'revoked'
      : invite.expiresAt !== null && invite.expiresAt <= now
        ? 'expired'
        : invite.uses >= invite.maxUses
          ? 'used-up'
          : 'active';
  return {
    id: invite.id,
    createdAt: invite.createdAt,
    createdBy,
    expiresAt: invite.expiresAt,
    maxUses: invite.maxUses,
    uses: invite.uses,
    revokedAt: invite.revokedAt,
    state,
  };
}

/** What site admins do (/api/admin): the user list, deactivation, admin rights, invite links. */
export class AdminService {
  readonly #logger: Logger;

  constructor(
    private readonly users: UserRepository,
    private readonly invites: InviteRepository,
    private readonly events: DomainEventBus,
    private readonly clock: Clock,
    logger: Logger,
  ) {
    this.#logger = logger.child({ ctx: 'AdminService' });
  }

  /** The funnel of every /api/admin endpoint: NOT_SITE_ADMIN for anyone but an active site admin. */
  requireAdmin(user: UserEntity): void {
    if (!user.isAdmin || user.deactivatedAt !== null) {
      throw new AppError('NOT_SITE_ADMIN', 'Only a site administrator can do this');
    }
  }

  /** The operator's `pychat create-user --admin`: no actor to check. */
  async grantByOperator(userId: number): Promise<void> {
    await this.users.setAdmin(userId, true);
  }

  async listUsers(query: AdminUsersQuery): Promise<AdminUsersResponse> {
    const { users, total } = await this.users.listForAdmin(query.q || undefined, query.offset, query.limit);
    return { users: users.map(toAdminUserDto), total };
  }

  /**
   * Deactivates or reactivates, makes or unmakes admin. Deactivation deletes every session of the user in the
   * same transaction and announces it (session.ended): their sockets close on every instance at once. Never on
   * yourself: an admin cannot lock themselves out, so the site always keeps one admin.
   */
  async updateUser(actor: UserEntity, userId: number, patch: AdminUserPatch): Promise<AdminUserDto> {
    if (userId === actor.id && (patch.admin === false || patch.deactivated === true)) {
      throw new AppError('LAST_ADMIN', 'You cannot take admin from, or deactivate, yourself; another admin can');
    }
    const user = await this.users.findById(userId);
    if (!user) {
      throw new AppError('USER_NOT_FOUND', `No user with id ${userId}`);
    }
    if (patch.admin !== undefined && patch.admin !== user.isAdmin) {
      await this.users.setAdmin(userId, patch.admin);
      this.#logger.info({ by: actor.id, user: userId, admin: patch.admin }, 'site admin changed');
    }
    if (patch.deactivated === true && user.deactivatedAt === null) {
      const ended = await this.users.deactivate(userId, this.clock());
      this.#logger.info({ by: actor.id, user: userId, sessions: ended.length }, 'user deactivated');
      if (ended.length > 0) {
        await this.events.emit('session.ended', { sessionIds: ended, reason: 'deactivated' });
      }
    } else if (patch.deactivated === false && user.deactivatedAt !== null) {
      await this.users.reactivate(userId);
      this.#logger.info({ by: actor.id, user: userId }, 'user reactivated');
    }
    const updated = await this.users.findById(userId);
    return toAdminUserDto(updated ?? user);
  }

  async createInvite(actor: UserEntity, body: CreateInviteBody): Promise<CreateInviteResponse> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock();
    const invite = await this.invites.create({
      tokenHash: hashToken(token),
      createdBy: actor.id,
      createdAt: now,
      expiresAt: body.expiresInHours === undefined ? null : now + body.expiresInHours * 3_600_000,
      maxUses: body.maxUses,
    });
    this.#logger.info({ by: actor.id, invite: invite.id, maxUses: body.maxUses }, 'invite created');
    return { invite: toInviteDto(invite, actor.username, now), token };
  }

  async listInvites(): Promise<InvitesResponse> {
    const now = this.clock();
    const rows = await this.invites.list(INVITES_LISTED);
    return { invites: rows.map((row) => toInviteDto(row, row.creatorName, now)) };
  }

  /** Revokes the link (idempotent); INVITE_NOT_FOUND for an unknown id. */
  async revokeInvite(actor: UserEntity, id: number): Promise<void> {
    if (!(await this.invites.findById(id))) {
      throw new AppError('INVITE_NOT_FOUND', `No invite with id ${id}`);
    }
    if (await this.invites.revoke(id, this.clock())) {
      this.#logger.info({ by: actor.id, invite: id }, 'invite revoked');
    }
  }
}
