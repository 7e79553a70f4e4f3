import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { createTestService, expectAppError, expectNothingWritten, T0 } from '../../test/service';
import { AppError } from '../errors';
import { PresenceService } from './presence.service';

describe(PresenceService.name, () => {
  it('announces first connections in one batch after the batch window, not one frame per user', async () => {
    vi.useFakeTimers();
    const { sut, presence, events } = createTestService(PresenceService);
    presence.connect.mockResolvedValue(true);
    presence.onlineAmong.mockImplementation(async (ids) => new Set(ids));

    await sut.connected(7);
    await sut.connected(8);
    expect(events.emitted).toEqual([]);
    await vi.advanceTimersByTimeAsync(50);

    expect(events.emitted).toEqual([{ name: 'presence.changed', payload: { online: [7, 8], offline: [] } }]);
    vi.useRealTimers();
  });

  it.each([
    ['Redis (the registry)', 'registry'],
    ['the database (last seen)', 'database'],
  ] as const)(
    'recovers after %s fails a flush: retries those users, warns once per failure streak, later batches go out',
    async (_, failing) => {
      vi.useFakeTimers();
      const logs: { level: number; msg: string; err?: { message: string } }[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
      const ctx = createTestService(PresenceService);
      const sut = new PresenceService(ctx.presence, ctx.users, ctx.access, ctx.events, ctx.clock, logger, 50);
      ctx.presence.connect.mockResolvedValue(true);
      ctx.presence.onlineAmong.mockImplementation(async (ids) => new Set(ids));
      const fault = failing === 'registry' ? ctx.presence.onlineAmong : ctx.users.setLastSeen;
      fault.mockRejectedValueOnce(new Error('connection lost')).mockRejectedValueOnce(new Error('still lost'));

      await sut.connected(7);
      await vi.advanceTimersByTimeAsync(50); // fails
      await sut.connected(8);
      await vi.advanceTimersByTimeAsync(50); // fails again, 7 retried with 8
      expect(ctx.events.emitted).toEqual([]);
      await vi.advanceTimersByTimeAsync(50); // back

      expect(ctx.events.emitted).toEqual([{ name: 'presence.changed', payload: { online: [7, 8], offline: [] } }]);
      await sut.connected(9);
      await vi.advanceTimersByTimeAsync(50);
      expect(ctx.events.payloadsOf('presence.changed')).toEqual([
        { online: [7, 8], offline: [] },
        { online: [9], offline: [] },
      ]);
      expect(logs.map(({ level, msg, err }) => ({ level, msg, err: err?.message }))).toEqual([
        { level: 40, msg: 'presence flush failed; retrying with the next batch', err: 'connection lost' },
        { level: 30, msg: 'presence flushes work again', err: undefined },
      ]);
      vi.useRealTimers();
    },
  );

  it('flushes once more on close and schedules no retry after it', async () => {
    vi.useFakeTimers();
    const { sut, presence, events } = createTestService(PresenceService);
    presence.disconnect.mockResolvedValue(true);
    presence.onlineAmong.mockRejectedValue(new Error('Redis is gone'));

    await sut.disconnected(7);
    await sut.close();
    await vi.advanceTimersByTimeAsync(500);

    expect(presence.onlineAmong).toHaveBeenCalledTimes(1);
    expect(events.emitted).toEqual([]);
    vi.useRealTimers();
  });

  it('announces nothing for a second tab of a user already online', async () => {
    const { sut, presence, events } = createTestService(PresenceService);
    presence.connect.mockResolvedValue(false);

    await sut.connected(7);
    await sut.flush();

    expect(events.emitted).toEqual([]);
  });

  it('on the last disconnection, stores when the user was last seen (one statement per batch), then announces it', async () => {
    const { sut, presence, users, events } = createTestService(PresenceService);
    presence.disconnect.mockResolvedValue(true);
    presence.onlineAmong.mockResolvedValue(new Set());

    await sut.disconnected(7);
    await sut.disconnected(8);
    await sut.flush();

    expect(users.setLastSeen).toHaveBeenCalledTimes(1);
    expect(users.setLastSeen).toHaveBeenCalledWith([7, 8], T0);
    expect(events.emitted).toEqual([
      {
        name: 'presence.changed',
        payload: {
          online: [],
          offline: [
            { userId: 7, lastSeenAt: T0 },
            { userId: 8, lastSeenAt: T0 },
          ],
        },
      },
    ]);
    expect(users.setLastSeen).toHaveBeenCalledBefore(events.emit);
  });

  it('reports the state at flush time: a user who left here but is online elsewhere is not announced offline', async () => {
    const { sut, presence, events } = createTestService(PresenceService);
    presence.disconnect.mockResolvedValue(true);
    presence.onlineAmong.mockResolvedValue(new Set([7]));

    await sut.disconnected(7);
    await sut.flush();

    expect(events.emitted).toEqual([{ name: 'presence.changed', payload: { online: [7], offline: [] } }]);
  });

  it('does nothing when other tabs of the user are still open', async () => {
    const ctx = createTestService(PresenceService);
    ctx.presence.disconnect.mockResolvedValue(false);

    await ctx.sut.disconnected(7);
    await ctx.sut.flush();

    expectNothingWritten(ctx);
  });

  it('answers a subscription with who is online and when the others were last seen', async () => {
    const { sut, presence, users } = createTestService(PresenceService);
    presence.onlineAmong.mockResolvedValue(new Set([7]));
    users.lastSeenOf.mockResolvedValue([
      { id: 8, lastSeenAt: '1700000000000' },
      { id: 9, lastSeenAt: null },
    ]);

    expect(await sut.stateOf([7, 8, 9, 7])).toEqual({
      online: [7],
      offline: [
        { userId: 8, lastSeenAt: 1_700_000_000_000 },
        { userId: 9, lastSeenAt: null },
      ],
    });
    expect(presence.onlineAmong).toHaveBeenCalledWith([7, 8, 9]);
    expect(users.lastSeenOf).toHaveBeenCalledWith([8, 9]);
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
