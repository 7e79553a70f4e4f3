import { describe, expect, it } from 'vitest';
import { makeUser } from '../../test/factories/user.factory';
import { createTestService, expectAppError } from '../../test/service';
import type { UserSettingsEntity } from '../entities';
import { toUserDto, UserService } from './user.service';

function settingsRow(overrides: Partial<UserSettingsEntity> = {}): UserSettingsEntity {
  return {
    userId: 7,
    showWhenITyping: true,
    embeddedYoutube: true,
    highlightCode: true,
    messageSound: true,
    incomingFileCallSound: true,
    onlineChangeSound: false,
    logs: 'error',
    theme: 'dark',
    ...overrides,
  };
}

describe(UserService.name, () => {
  it('lists the whole directory with numbers where MariaDB returns bigint strings', async () => {
    const { sut, users } = createTestService(UserService);
    const alice = makeUser({ id: 7, lastSeenAt: 1_750_000_000_123 });
    users.directory.mockResolvedValue([
      { id: 7, username: alice.username, sex: alice.sex, thumbnail: null, lastSeenAt: '1750000000123' },
    ]);

    const list = await sut.list();

    expect(users.directory).toHaveBeenCalledWith(null);
    expect(list).toEqual([toUserDto(alice)]);
  });

  it('asks for the users changed since a client synced, reaching a minute back for clock differences', async () => {
    const { sut, users } = createTestService(UserService);
    users.directory.mockResolvedValue([]);

    await sut.directory(1_750_000_100_000);

    expect(users.directory).toHaveBeenCalledWith(1_750_000_040_000);
  });

  describe('profile', () => {
    it('shows the email to its owner only', async () => {
      const { sut, users } = createTestService(UserService);
      const alice = makeUser({ id: 7, email: 'a@example.test' });
      users.findById.mockResolvedValue(alice);
      users.findProfile.mockResolvedValue(null);

      await expect(sut.profile(7, 7)).resolves.toMatchObject({ userId: 7, email: 'a@example.test', name: null });
      await expect(sut.profile(8, 7)).resolves.toMatchObject({ userId: 7, email: null });
    });

    it('refuses an unknown user', async () => {
      const { sut, users } = createTestService(UserService);
      users.findById.mockResolvedValue(null);

      await expectAppError(sut.profile(7, 404), 'USER_NOT_FOUND');
    });
  });

  describe('updateSettings', () => {
    it('saves the change, then sends the stored settings to my tabs', async () => {
      const { sut, users, events } = createTestService(UserService);
      users.findSettings.mockResolvedValue(settingsRow({ theme: 'light' }));

      const settings = await sut.updateSettings(7, { theme: 'light' });

      expect(users.updateSettings).toHaveBeenCalledWith(7, { theme: 'light' });
      expect(settings).toMatchObject({ theme: 'light', logs: 'error' });
      expect(settings).not.toHaveProperty('userId');
      expect(events.emitted).toEqual([{ name: 'settings.updated', payload: { userId: 7, settings } }]);
      expect(users.updateSettings).toHaveBeenCalledBefore(events.emit);
    });

    it('emits nothing for a user without settings', async () => {
      const { sut, users, events } = createTestService(UserService);
      users.findSettings.mockResolvedValue(null);

      await expectAppError(sut.updateSettings(404, { theme: 'light' }), 'USER_NOT_FOUND');
      expect(events.emitted).toEqual([]);
    });
  });
});
