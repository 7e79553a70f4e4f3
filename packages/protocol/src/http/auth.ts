import { z } from 'zod';
import { ProfileDto, RoomMemberDto, Sex, UserDto } from '../model/dto';
import { LIMITS } from '../model/limits';

export const Username = z.string().regex(LIMITS.usernamePattern, 'Username: 1-16 letters, digits, "-" or "_"');
export const Password = z
  .string()
  .min(LIMITS.passwordMinLength, `Password: at least ${LIMITS.passwordMinLength} characters`)
  .max(LIMITS.passwordMaxLength)
  .refine((p) => p.trim() === p, 'Password: no leading or trailing spaces');
export const Email = z.email().max(LIMITS.emailMaxLength);

/**
 * What a captcha widget hands over: the base64 ALTCHA payload or the reCAPTCHA response token. Required where
 * `features.captcha` is set (sign-up, password reset, and sign-in after CAPTCHA_REQUIRED).
 */
export const CaptchaResponse = z.string().min(1).max(8_000);

/** An invite link's token (`/signup?invite=`): 43 base64url characters. */
export const InviteToken = z.string().regex(/^[A-Za-z0-9_-]{20,128}$/, 'Invite: malformed');

/** POST /api/auth/sign-up */
export const SignUpBody = z.strictObject({
  username: Username,
  password: Password,
  email: Email.optional(),
  sex: Sex.optional(),
  /** Required with PYCHAT_REGISTRATION=invite. */
  invite: InviteToken.optional(),
  captcha: CaptchaResponse.optional(),
});
export type SignUpBody = z.infer<typeof SignUpBody>;

/** POST /api/auth/sign-in. `login` is a username, or an email when it contains "@". */
export const SignInBody = z.strictObject({
  login: z.string().min(1).max(LIMITS.emailMaxLength),
  password: z.string().min(1).max(LIMITS.passwordMaxLength),
  /** Needed once the server answered CAPTCHA_REQUIRED (repeated failures for this login from this address). */
  captcha: CaptchaResponse.optional(),
});
export type SignInBody = z.infer<typeof SignInBody>;

/**
 * POST /api/auth/sign-out-all: ends every session of the signed-in user (its sockets close with 4001 on every
 * instance). `keepCurrent`: all but the one making the request.
 */
export const SignOutAllBody = z.strictObject({ keepCurrent: z.boolean().optional() });
export type SignOutAllBody = z.infer<typeof SignOutAllBody>;
export const SignOutAllResponse = z.strictObject({ ended: z.number().int().nonnegative() });
export type SignOutAllResponse = z.infer<typeof SignOutAllResponse>;

/** Answer of sign-up and sign-in. The token is also set as the httpOnly `pychat_session` cookie. */
export const AuthResponse = z.strictObject({ user: UserDto, token: z.string() });
export type AuthResponse = z.infer<typeof AuthResponse>;

/**
 * GET /api/auth/session: who the request's session belongs to, `null` without a valid one. Always 200, so a
 * signed-out page load asks without an error status (GET /api/users/me answers 401 then).
 */
export const SessionResponse = z.strictObject({
  user: UserDto.nullable(),
  /** The signed-in user is a site admin (the /admin page, /api/admin). */
  admin: z.boolean(),
  /** What this server offers, for the forms to show or hide (asked before sign-in too). */
  features: z.strictObject({
    /** SMTP configured: email verification, forgot password, email change by link. */
    mail: z.boolean(),
    /**
     * `closed`: sign-up is refused (REGISTRATION_CLOSED); the operator creates accounts. `invite`: sign-up needs
     * an invite link's token (INVITE_REQUIRED).
     */
    registration: z.enum(['open', 'invite', 'closed']),
    /**
     * The captcha the forms must show (PYCHAT_CAPTCHA), or null. `altcha`: the widget fetches its challenge from
     * GET /api/auth/captcha/altcha; `recaptcha`: Google's widget with this site key.
     */
    captcha: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('altcha') }),
        z.strictObject({ kind: z.literal('recaptcha'), siteKey: z.string() }),
      ])
      .nullable(),
    /** PYCHAT_GIPHY_API_KEY set: the composer offers the GIF picker (/api/gifs). */
    gifs: z.boolean(),
    /** OpenID Connect configured: the sign-in page shows "Sign in with <name>" (GET /api/auth/oidc/start). */
    oidc: z.strictObject({ name: z.string() }).nullable(),
    /** Facebook Login configured: "Sign in with Facebook" (GET /api/auth/facebook/start). */
    facebook: z.boolean(),
  }),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

/** GET /api/auth/username-available?username= and /api/auth/email-available?email= */
export const AvailabilityResponse = z.strictObject({ available: z.boolean(), reason: z.string().optional() });
export type AvailabilityResponse = z.infer<typeof AvailabilityResponse>;

/** GET /api/health */
export const HealthResponse = z.strictObject({
  ok: z.boolean(),
  db: z.enum(['up', 'down']),
  bus: z.enum(['memory', 'up', 'down']),
  instanceId: z.string(),
  uptimeS: z.number(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

/** GET /api/users */
export const UsersResponse = z.strictObject({ users: z.array(UserDto) });
export type UsersResponse = z.infer<typeof UsersResponse>;

/** GET /api/users/:id/profile */
export const ProfileResponse = ProfileDto;

/** GET /api/rooms/:id/members */
export const MembersResponse = z.strictObject({ members: z.array(RoomMemberDto) });
export type MembersResponse = z.infer<typeof MembersResponse>;

export const SESSION_COOKIE = 'pychat_session';

/** A provider identity linked to the signed-in account (GET /api/auth/oidc/identities). */
export const LinkedIdentityDto = z.strictObject({
  id: z.number().int().positive(),
  issuer: z.string(),
  /** The provider's email for it when it gave a verified one, for the user to tell identities apart. */
  email: z.string().nullable(),
  createdAt: z.number().int(),
});
export type LinkedIdentityDto = z.infer<typeof LinkedIdentityDto>;
export const LinkedIdentitiesResponse = z.strictObject({
  identities: z.array(LinkedIdentityDto),
  /** The account has a password: unlinking every identity still leaves a way to sign in. */
  hasPassword: z.boolean(),
});
export type LinkedIdentitiesResponse = z.infer<typeof LinkedIdentitiesResponse>;
