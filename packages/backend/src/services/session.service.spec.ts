import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { makeUser } from '../../test/factories/user.factory';
import { automock, T0 } from '../../test/service';
import { PresenceService } from './presence.service';
import { RoomService } from './room.service';
import { SessionService } from './session.service';
import { UserService } from './user.service';

function setup() {
  const rooms = automock(RoomService);
  const users = automock(UserService);
  const presence = automock(PresenceService);
  rooms.snapshot.mockResolvedValue({ channels: [], rooms: [], states: [], roomIds: [11, 12] });
  users.directory.mockResolvedValue([]);
  users.settings.mockResolvedValue({} as never);
  presence.connected.mockResolvedValue(undefined);
  const sut = new SessionService(rooms, users, presence, () => T0);
  const counted = vi.fn();
  const socket = (open: boolean) => ({
    connectionId: 'c1',
    log: pino({ level: 'silent' }),
    isOpen: () => open,
    counted,
  });
  return { sut, presence, counted, socket };
}

describe(SessionService.name, () => {
  it('builds session.ready without an online list (protocol v3), after counting the user online', async () => {
    const { sut, presence, counted, socket } = setup();
    const user = makeUser({ id: 1 });

    const ready = await sut.ready(user, null, [], socket(true));

    expect(counted).toHaveBeenCalledBefore(presence.connected);
    expect(presence.connected).toHaveBeenCalledWith(1);
    expect(ready?.roomCount).toBe(2);
    const frame = JSON.parse(ready!.frame);
    expect(frame).toMatchObject({
      type: 'session.ready',
      data: { connectionId: 'c1', serverTime: T0 },
    });
    expect(frame.data).not.toHaveProperty('online');
    expect(frame.data.me).toMatchObject({ id: 1, lastSeenAt: null });
  });

  it('does not count a socket that closed while session.ready was read', async () => {
    const { sut, presence, counted, socket } = setup();

    expect(await sut.ready(makeUser({ id: 1 }), null, [], socket(false))).toBeNull();
    expect(counted).not.toHaveBeenCalled();
    expect(presence.connected).not.toHaveBeenCalled();
  });

  it('still answers when presence is away', async () => {
    const { sut, presence, socket } = setup();
    presence.connected.mockRejectedValue(new Error('redis away'));

    const ready = await sut.ready(makeUser({ id: 5 }), null, [], socket(true));

    expect(JSON.parse(ready!.frame).data.me.id).toBe(5);
  });
});
