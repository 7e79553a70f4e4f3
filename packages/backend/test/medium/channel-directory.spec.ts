import { describe, expect, it } from 'vitest';
import { type ConnectedUser, dialect, useTestServer } from './harness';

type User = ConnectedUser;

/** Public channels, the directory, joining channels and the rooms of a channel (issue 11, item 3). */
describe(`channel directory and joining (${dialect})`, () => {
  const medium = useTestServer();
  const user = (): Promise<User> => medium.user();
  let names = 0;
  /** Channel names are global in the shared database: unique per test, within 16 characters. */
  const uniqueChannel = (prefix: string) => `${prefix}${(names += 1)}${Date.now() % 100_000}`.slice(0, 16);

  async function directoryIds(u: User): Promise<number[]> {
    const ids: number[] = [];
    let afterId: number | undefined;
    for (;;) {
      const page = await u.client.request('channel.directory', afterId === undefined ? {} : { afterId });
      ids.push(...page.channels.map((c) => c.id));
      if (page.nextAfterId === null) {
        return ids;
      }
      afterId = page.nextAfterId;
    }
  }

  it('lists public channels only, with topic, member count and whether I am in it', async () => {
    const alice = await user();
    const bob = await user();
    const open = await alice.client.request('channel.create', {
      name: uniqueChannel('open'),
      userIds: [],
      isPublic: true,
      topic: '  Release planning  ',
    });
    const closed = await alice.client.request('channel.create', { name: uniqueChannel('closed'), userIds: [] });
    const later = await alice.client.request('channel.create', {
      name: uniqueChannel('later'),
      userIds: [],
      isPublic: true,
    });
    expect(open.channel).toMatchObject({ isPublic: true, topic: 'Release planning' });
    expect(closed.channel).toMatchObject({ isPublic: false, topic: '' });

    const ids = await directoryIds(bob);
    expect(ids).toContain(open.channel.id);
    expect(ids).toContain(later.channel.id);
    expect(ids).not.toContain(closed.channel.id);
    const page = await bob.client.request('channel.directory', { afterId: open.channel.id - 1, limit: 1 });
    expect(page.channels).toEqual([
      { id: open.channel.id, name: open.channel.name, topic: 'Release planning', memberCount: 1, joined: false },
    ]);
    // A page of one with a public channel after it points to the next page.
    expect(page.nextAfterId).toBe(open.channel.id);
    const mine = await alice.client.request('channel.directory', { afterId: open.channel.id - 1, limit: 1 });
    expect(mine.channels[0]?.joined).toBe(true);

    // Made private by its admin, it leaves the directory; a member who is not the admin may not open it.
    await alice.client.request('channel.update', { channelId: open.channel.id, isPublic: false });
    expect(await directoryIds(bob)).not.toContain(open.channel.id);
    await alice.client.request('channel.update', { channelId: closed.channel.id, topic: 'secret' });
    const invited = await alice.client.request('channel.create', {
      name: uniqueChannel('inv'),
      userIds: [bob.user.id],
    });
    const refused = await bob.client.requestError('channel.update', { channelId: invited.channel.id, isPublic: true });
    expect(refused.code).toBe('NOT_CHANNEL_ADMIN');
  });

  it('lets anyone join a public channel: the joiner gets the room, the members member-joined', async () => {
    const alice = await user();
    const bob = await user();
    const { channel, room } = await alice.client.request('channel.create', {
      name: uniqueChannel('pub'),
      userIds: [],
      isPublic: true,
      topic: 'all welcome',
    });

    const joined = await bob.client.request('channel.join', { channelId: channel.id });
    expect(joined.channel).toMatchObject({ id: channel.id, isPublic: true, topic: 'all welcome' });
    expect(joined.room.id).toBe(room.id);
    expect(joined.room.members?.map((m) => m.userId).sort()).toEqual([alice.user.id, bob.user.id].sort());

    const added = await bob.client.waitFor('room.added', (d) => d.room.id === room.id);
    expect(added.channel?.id).toBe(channel.id);
    await bob.client.waitFor('channel.added', (d) => d.channel.id === channel.id);
    const updated = await alice.client.waitFor(
      'room.updated',
      (d) => d.room.id === room.id && (d.room.members ?? []).some((m) => m.userId === bob.user.id),
    );
    expect(updated.room.memberCount).toBe(2);

    // Now a member: messages reach bob, and joining again is refused.
    await alice.client.request('message.send', { roomId: room.id, content: 'hi bob', localId: `dir${Date.now()}` });
    await bob.client.waitFor('message.new', (d) => d.message.roomId === room.id);
    expect((await bob.client.requestError('channel.join', { channelId: channel.id })).code).toBe('ALREADY_MEMBER');
  });

  it('answers a private channel and a forged id alike: CHANNEL_NOT_FOUND', async () => {
    const alice = await user();
    const mallory = await user();
    const secret = await alice.client.request('channel.create', { name: uniqueChannel('sec'), userIds: [] });

    const privateJoin = await mallory.client.requestError('channel.join', { channelId: secret.channel.id });
    const forged = await mallory.client.requestError('channel.join', { channelId: 999_999_999 });
    expect(privateJoin.code).toBe('CHANNEL_NOT_FOUND');
    expect(forged.code).toBe('CHANNEL_NOT_FOUND');
    expect(privateJoin.message.replace(String(secret.channel.id), 'N')).toBe(forged.message.replace('999999999', 'N'));
    expect(mallory.client.all('room.added').some((d) => d.room.id === secret.room.id)).toBe(false);
    // Nor may an outsider list its rooms.
    expect((await mallory.client.requestError('channel.rooms', { channelId: secret.channel.id })).code).toBe(
      'CHANNEL_NOT_FOUND',
    );
  });

  it('lists a channel’s rooms to its members, who may join them; outsiders may not', async () => {
    const alice = await user();
    const bob = await user();
    const mallory = await user();
    const { channel } = await alice.client.request('channel.create', {
      name: uniqueChannel('rooms'),
      userIds: [bob.user.id],
    });
    const { room } = await alice.client.request('room.create', { channelId: channel.id, name: 'design', userIds: [] });

    expect((await mallory.client.requestError('room.join', { roomId: room.id })).code).toBe('ROOM_NOT_FOUND');
    expect((await mallory.client.requestError('room.join', { roomId: 999_999_999 })).code).toBe('ROOM_NOT_FOUND');
    expect((await mallory.client.requestError('channel.rooms', { channelId: channel.id })).code).toBe(
      'CHANNEL_NOT_FOUND',
    );

    const listed = await bob.client.request('channel.rooms', { channelId: channel.id });
    expect(listed.rooms).toEqual([{ id: room.id, name: 'design', memberCount: 1, joined: false }]);

    const joined = await bob.client.request('room.join', { roomId: room.id });
    expect(joined.room.id).toBe(room.id);
    expect(joined.state.roomId).toBe(room.id);
    await bob.client.waitFor('room.added', (d) => d.room.id === room.id);
    await alice.client.waitFor(
      'room.updated',
      (d) => d.room.id === room.id && (d.room.members ?? []).some((m) => m.userId === bob.user.id),
    );
    expect((await bob.client.request('channel.rooms', { channelId: channel.id })).rooms[0]).toMatchObject({
      memberCount: 2,
      joined: true,
    });
    expect((await bob.client.requestError('room.join', { roomId: room.id })).code).toBe('ALREADY_MEMBER');
    // A channel's main room and a direct room are not joined this way.
    expect((await mallory.client.requestError('room.join', { roomId: joined.room.id })).code).toBe('ROOM_NOT_FOUND');
  });
});
