import { z } from 'zod';

/**
 * Site administration (/api/admin, docs/protocol.md "Site admin"). Every endpoint answers 401 UNAUTHENTICATED
 * without a session and 403 NOT_SITE_ADMIN for a user who is not a site admin.
 */

/** A user as the admin page lists them: more than the public UserDto (email, admin, deactivation). */
export const AdminUserDto = z.strictObject({
  id: z.number().int().positive(),
  username: z.string(),
  email: z.string().nullable(),
  admin: z.boolean(),
  /** When a site admin deactivated the account; null: active. */
  deactivatedAt: z.number().int().nullable(),
  createdAt: z.number().int(),
  lastSeenAt: z.number().int().nullable(),
});
export type AdminUserDto = z.infer<typeof AdminUserDto>;

/** GET /api/admin/users?q=&offset=&limit=: by id, `q` matching the start of the username or email. */
export const AdminUsersQuery = z.strictObject({
  q: z.string().trim().max(190).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type AdminUsersQuery = z.infer<typeof AdminUsersQuery>;
export const AdminUsersResponse = z.strictObject({
  users: z.array(AdminUserDto),
  /** Users matching `q` in all (for the pager). */
  total: z.number().int().nonnegative(),
});
export type AdminUsersResponse = z.infer<typeof AdminUsersResponse>;

/**
 * PATCH /api/admin/users/:id. `deactivated: true` ends every session of the user at once (their sockets close
 * with 4001 on every instance) and refuses their sign-ins; `admin` makes or unmakes a site admin. Not on
 * yourself (LAST_ADMIN). Answers the updated AdminUserDto.
 */
export const AdminUserPatch = z
  .strictObject({ deactivated: z.boolean().optional(), admin: z.boolean().optional() })
  .refine((b) => b.deactivated !== undefined || b.admin !== undefined, 'Nothing to change');
export type AdminUserPatch = z.infer<typeof AdminUserPatch>;

export const InviteState = z.enum(['active', 'expired', 'used-up', 'revoked']);
export type InviteState = z.infer<typeof InviteState>;

/** An invite link. Its token is shown once, when it is made (only its hash is stored). */
export const InviteDto = z.strictObject({
  id: z.number().int().positive(),
  createdAt: z.number().int(),
  /** Username of the admin who made it; null once that account is gone. */
  createdBy: z.string().nullable(),
  /** null: never expires. */
  expiresAt: z.number().int().nullable(),
  maxUses: z.number().int().positive(),
  uses: z.number().int().nonnegative(),
  revokedAt: z.number().int().nullable(),
  state: InviteState,
});
export type InviteDto = z.infer<typeof InviteDto>;

/** POST /api/admin/invites */
export const CreateInviteBody = z.strictObject({
  /** Hours until it expires (at most a year); absent: never. */
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 366)
    .optional(),
  maxUses: z.number().int().min(1).max(10_000),
});
export type CreateInviteBody = z.infer<typeof CreateInviteBody>;
/** 201: the invite and its token; the link is `<origin>/signup?invite=<token>`. */
export const CreateInviteResponse = z.strictObject({ invite: InviteDto, token: z.string() });
export type CreateInviteResponse = z.infer<typeof CreateInviteResponse>;

/** GET /api/admin/invites: newest first. DELETE /api/admin/invites/:id revokes one (204). */
export const InvitesResponse = z.strictObject({ invites: z.array(InviteDto) });
export type InvitesResponse = z.infer<typeof InvitesResponse>;
