import { describe, expect, it } from 'vitest';
import { createTestService, expectAppError, expectNothingWritten, T0 } from '../../test/service';
import { AppError } from '../errors';
import { PresenceService } from './presence.service';

describe(PresenceService.name, () => {
  it('announces a user online on their first connection only', async () => {
    const { sut, presence, users, events } = createTestService(PresenceService);
    presence.connect.mockResolvedValueOnce(true).mockResolvedValueOnce(false);

    await sut.connected(7);
    await sut.connected(7);

    expect(presence.connect).toHaveBeenCalledTimes(2);
    expect(events.emitted).toEqual([{ name: 'presence.online', payload: { userId: 7 } }]);
    // lastSeenAt is null while online: cleared once, before the announcement.
    expect(users.setLastSeen).toHaveBeenCalledTimes(1);
    expect(users.setLastSeen).toHaveBeenCalledWith(7, null);
    expect(users.setLastSeen).toHaveBeenCalledBefore(events.emit);
  });

  it('on the last disconnection, stores when the user was last seen, then announces them offline', async () => {
    const { sut, presence, users, events } = createTestService(PresenceService);
    presence.disconnect.mockResolvedValue(true);

    await sut.disconnected(7);

    expect(users.setLastSeen).toHaveBeenCalledWith(7, T0);
    expect(events.emitted).toEqual([{ name: 'presence.offline', payload: { userId: 7, lastSeenAt: T0 } }]);
    expect(users.setLastSeen).toHaveBeenCalledBefore(events.emit);
  });

  it('does nothing when other tabs of the user are still open', async () => {
    const ctx = createTestService(PresenceService);
    ctx.presence.disconnect.mockResolvedValue(false);

    await ctx.sut.disconnected(7);

    expectNothingWritten(ctx);
  });

  it('sends typing to the room for a member', async () => {
    const { sut, access, events } = createTestService(PresenceService);

    await sut.typing(7, 10);

    expect(access.requireRoomMember).toHaveBeenCalledWith(7, 10);
    expect(events.emitted).toEqual([{ name: 'typing.started', payload: { roomId: 10, userId: 7 } }]);
  });

  it('sends no typing into a room the user is not in', async () => {
    const ctx = createTestService(PresenceService);
    ctx.access.requireRoomMember.mockRejectedValue(new AppError('ROOM_NOT_FOUND', 'no'));

    await expectAppError(ctx.sut.typing(7, 10), 'ROOM_NOT_FOUND');
    expectNothingWritten(ctx);
  });
});
