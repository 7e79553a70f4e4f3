import { z } from 'zod';
import { Sex } from '../model/dto';
import { LIMITS } from '../model/limits';
import { ProfileText } from '../model/text';
import { Email, Password, Username } from './auth';

/** A calendar date `YYYY-MM-DD` that exists (no 2023-02-30), between 1900 and today. */
export const Birthday = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Birthday: expected YYYY-MM-DD')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, 'Birthday: no such date')
  .refine(
    (text) => text >= '1900-01-01' && text <= new Date().toISOString().slice(0, 10),
    'Birthday: not a plausible date',
  );

/**
 * PATCH /api/users/me/profile: the fields given change, the others stay; `null` or "" clears a field. A new
 * username follows the sign-up rules (USERNAME_TAKEN when another account has it in any case). Answer: the
 * whole ProfileDto; every client gets `user.updated`.
 */
export const ProfileUpdateBody = z.strictObject({
  username: Username.optional(),
  name: ProfileText('First name', LIMITS.profileNameMaxLength).optional(),
  surname: ProfileText('Last name', LIMITS.profileNameMaxLength).optional(),
  city: ProfileText('City', LIMITS.profileCityMaxLength).optional(),
  contacts: ProfileText('Contacts', LIMITS.profileContactsMaxLength).optional(),
  birthday: z
    .union([Birthday, z.literal('').transform(() => null)])
    .nullable()
    .optional(),
  sex: Sex.optional(),
});
export type ProfileUpdateBody = z.input<typeof ProfileUpdateBody>;
export type ProfileUpdate = z.output<typeof ProfileUpdateBody>;

/**
 * POST /api/account/password-reset: mails a single-use link to the account's address if `login` (username,
 * or email when it has an @) names one. The answer is the same 202 either way, so it tells nobody which
 * accounts exist.
 */
export const PasswordResetRequestBody = z.strictObject({
  login: z.string().trim().min(1).max(LIMITS.emailMaxLength),
  /** Required when `features.captcha` is set. */
  captcha: z.string().min(1).max(8_000).optional(),
});
export type PasswordResetRequestBody = z.infer<typeof PasswordResetRequestBody>;

/** A token from a mailed link (`?token=`): 43 base64url characters. */
export const MailToken = z.string().regex(/^[A-Za-z0-9_-]{20,128}$/, 'Token: malformed');

/** POST /api/account/password-reset/confirm: sets the password and ends every session of the account. */
export const PasswordResetConfirmBody = z.strictObject({ token: MailToken, password: Password });
export type PasswordResetConfirmBody = z.infer<typeof PasswordResetConfirmBody>;

/** POST /api/account/verify-email: the link from a verification mail (no session needed). */
export const VerifyEmailBody = z.strictObject({ token: MailToken });
export type VerifyEmailBody = z.infer<typeof VerifyEmailBody>;
export const VerifyEmailResponse = z.strictObject({ email: z.string() });
export type VerifyEmailResponse = z.infer<typeof VerifyEmailResponse>;

/** POST /api/account/password: my other sessions end; the answer says how many. */
export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(LIMITS.passwordMaxLength),
  newPassword: Password,
});
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;
export const ChangePasswordResponse = z.strictObject({ ended: z.number().int().nonnegative() });
export type ChangePasswordResponse = z.infer<typeof ChangePasswordResponse>;

/**
 * POST /api/account/email. With mail on, the new address gets a link and replaces the old one only when it
 * is opened (`pendingEmail`); without mail it is set at once, unverified.
 */
export const ChangeEmailBody = z.strictObject({
  password: z.string().min(1).max(LIMITS.passwordMaxLength),
  email: Email,
});
export type ChangeEmailBody = z.infer<typeof ChangeEmailBody>;
export const ChangeEmailResponse = z.strictObject({
  email: z.string().nullable(),
  pendingEmail: z.string().nullable(),
});
export type ChangeEmailResponse = z.infer<typeof ChangeEmailResponse>;
