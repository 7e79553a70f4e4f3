import { z } from 'zod';
import { Sex } from '../model/dto';
import { LIMITS } from '../model/limits';
import { ProfileText } from '../model/text';
import { Username } from './auth';

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
