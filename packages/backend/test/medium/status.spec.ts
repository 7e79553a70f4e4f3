import { describe, expect, it } from 'vitest';
import { dialect, useTestServer } from './harness';

describe(`status: away / do-not-disturb (${dialect})`, () => {
  const medium = useTestServer();

  it('status.set reaches everyone as user.updated, is in the directory of a new session, and clears', async () => {
    const alice = await medium.user();
    const bob = await medium.user();

    const { user } = await alice.client.request('status.set', { status: 'dnd', text: '  in a meeting ' });
    expect(user).toMatchObject({ id: alice.user.id, status: 'dnd', statusText: 'in a meeting' });
    const seen = await bob.client.waitFor('user.updated', (d) => d.user.id === alice.user.id);
    expect(seen.user).toEqual(user);
    // Alice's own other devices learn it the same way (they go quiet).
    await alice.client.waitFor('user.updated', (d) => d.user.id === alice.user.id && d.user.status === 'dnd');

    const fresh = await medium.connect(bob.token);
    expect(fresh.ready.users.find((u) => u.id === alice.user.id)).toMatchObject({
      status: 'dnd',
      statusText: 'in a meeting',
    });
    const mine = await medium.connect(alice.token);
    expect(mine.ready.me).toMatchObject({ status: 'dnd' });

    const cleared = await alice.client.request('status.set', { status: 'available' });
    expect(cleared.user.status).toBeUndefined();
    expect(cleared.user.statusText).toBeUndefined();
    await bob.client.waitFor('user.updated', (d) => d.user.id === alice.user.id && d.user.status === undefined);
  });

  it('refuses an unknown status and a status text over the limit', async () => {
    const alice = await medium.user();
    const error = await alice.client.requestError('status.set', { status: 'busy' } as never);
    expect(error.code).toBe('VALIDATION_FAILED');
    const long = await alice.client.requestError('status.set', { status: 'away', text: 'x'.repeat(101) });
    expect(long.code).toBe('VALIDATION_FAILED');
  });
});
