import type { ErrorBody, ProfileDto, UsersResponse } from '@pychat/protocol';
import { describe, expect, it } from 'vitest';
import { api, dialect, uniqueName, useTestServer } from './harness';

describe(`profile editing (${dialect})`, () => {
  const t = useTestServer();

  it('saves my fields, shows them read-only to others without my email, and tells every client live', async () => {
    const alice = await t.user();
    const bob = await t.user();
    const newName = uniqueName('al');

    const res = await api<ProfileDto>(
      t.server,
      'PATCH',
      '/api/users/me/profile',
      {
        username: newName,
        name: '  Alice ',
        surname: 'Liddell',
        city: 'Oxford',
        birthday: '1990-05-04',
        contacts: '+44 1865',
        sex: 'female',
      },
      alice.token,
    );

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: newName, name: 'Alice', city: 'Oxford', birthday: '1990-05-04' });
    const seen = await bob.client.waitFor('user.updated', (d) => d.user.id === alice.user.id);
    expect(seen.user).toMatchObject({ username: newName, sex: 'female' });
    await alice.client.waitFor('user.updated', (d) => d.user.id === alice.user.id);

    const asBob = await api<ProfileDto>(t.server, 'GET', `/api/users/${alice.user.id}/profile`, undefined, bob.token);
    expect(asBob.body).toMatchObject({ username: newName, surname: 'Liddell', contacts: '+44 1865', email: null });
    // A reconnecting client's directory delta carries the new name.
    const directory = await api<UsersResponse>(t.server, 'GET', '/api/users', undefined, bob.token);
    expect(directory.body.users.find((u) => u.id === alice.user.id)?.username).toBe(newName);
  });

  it('clears a field with "" or null and leaves the fields not sent alone', async () => {
    const alice = await t.user();
    await api(t.server, 'PATCH', '/api/users/me/profile', { city: 'Paris', name: 'A' }, alice.token);

    const res = await api<ProfileDto>(
      t.server,
      'PATCH',
      '/api/users/me/profile',
      { city: '', birthday: null },
      alice.token,
    );

    expect(res.body).toMatchObject({ city: null, birthday: null, name: 'A', username: alice.user.username });
  });

  it('refuses a username another account has in any case, and keeps mine', async () => {
    const alice = await t.user();
    const bob = await t.user();

    const res = await api<ErrorBody>(
      t.server,
      'PATCH',
      '/api/users/me/profile',
      { username: bob.user.username.toUpperCase(), city: 'Nowhere' },
      alice.token,
    );

    expect(res.status).toBe(409);
    expect(res.body.code).toBe('USERNAME_TAKEN');
    const mine = await api<ProfileDto>(t.server, 'GET', `/api/users/${alice.user.id}/profile`, undefined, alice.token);
    expect(mine.body).toMatchObject({ username: alice.user.username, city: null });
    // Only the case of my own name: allowed.
    const recased = await api<ProfileDto>(
      t.server,
      'PATCH',
      '/api/users/me/profile',
      { username: alice.user.username.toUpperCase() },
      alice.token,
    );
    expect(recased.body.username).toBe(alice.user.username.toUpperCase());
  });

  it.each([
    ['a name with spaces', { username: 'a b' }],
    ['a 17-character name', { username: 'a'.repeat(17) }],
    ['a bidi override', { name: 'evil\u202Eexe' }],
    ['a line break', { city: 'a\nb' }],
    ['a date that does not exist', { birthday: '2023-02-30' }],
    ['a date in the future', { birthday: '2999-01-01' }],
    ['an unknown field', { email: 'x@example.com' }],
  ])('refuses %s with VALIDATION_FAILED', async (_, body) => {
    const alice = await t.user();
    const res = await api<ErrorBody>(t.server, 'PATCH', '/api/users/me/profile', body, alice.token);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('needs a session', async () => {
    const res = await api<ErrorBody>(t.server, 'PATCH', '/api/users/me/profile', { city: 'x' });
    expect(res.status).toBe(401);
  });
});
