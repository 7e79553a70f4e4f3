import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { DAY_MS, type StatsRepository } from '../repositories/stats.repository';
import { LocationService } from './location.service';

const NOW = 20_000 * DAY_MS + 5_000;
const UK = { countryCode: 'GB', country: 'United Kingdom', region: null, city: null };

function setup(known: string[] = []) {
  const stats = {
    markActiveMany: vi.fn(async () => {}),
    touchLocations: vi.fn(async () => new Set(known)),
    insertLocations: vi.fn(async () => {}),
  };
  const sut = new LocationService(
    stats as unknown as StatsRepository,
    (ip) => (ip === '81.2.69.142' ? UK : null),
    () => NOW,
    pino({ level: 'silent' }),
    false,
  );
  return { sut, stats };
}

describe(LocationService.name, () => {
  it('writes the connects that arrive together in one batch: a reconnect storm costs statements per batch', async () => {
    const { sut, stats } = setup(['2:8.8.8.8']);

    await Promise.all([
      sut.connected(1, '81.2.69.142'),
      sut.connected(2, '8.8.8.8'),
      sut.connected(3, null),
      sut.connected(1, '81.2.69.142'),
    ]);
    await sut.flush();

    expect(stats.markActiveMany).toHaveBeenCalledTimes(1);
    expect(stats.markActiveMany).toHaveBeenCalledWith(20_000, [1, 2, 3]);
    expect(stats.touchLocations).toHaveBeenCalledTimes(1);
    expect(stats.insertLocations).toHaveBeenCalledTimes(1);
    // Only the pair not known yet is inserted, with its place resolved.
    expect(stats.insertLocations).toHaveBeenCalledWith([{ userId: 1, ip: '81.2.69.142', place: UK }], NOW);
  });

  it('writes nothing again for a user and address already recorded today', async () => {
    const { sut, stats } = setup();
    await sut.connected(1, '8.8.8.8');
    await sut.flush();

    await sut.connected(1, '8.8.8.8');
    await sut.flush();

    expect(stats.markActiveMany).toHaveBeenCalledTimes(1);
  });

  it('forgets a batch that failed, so the next connect of those users writes it again', async () => {
    const { sut, stats } = setup();
    stats.markActiveMany.mockRejectedValueOnce(new Error('database away'));
    await sut.connected(1, '8.8.8.8');
    await sut.flush();

    await sut.connected(1, '8.8.8.8');
    await sut.flush();

    expect(stats.markActiveMany).toHaveBeenCalledTimes(2);
    expect(stats.insertLocations).toHaveBeenCalledTimes(1);
  });

  it('writes a batch by itself at most a quarter of a second after a connect', async () => {
    vi.useFakeTimers();
    try {
      const { sut, stats } = setup();
      await sut.connected(1, '8.8.8.8');
      expect(stats.markActiveMany).not.toHaveBeenCalled();

      await vi.advanceTimersByTimeAsync(250);

      expect(stats.markActiveMany).toHaveBeenCalledWith(20_000, [1]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a flush that finds nothing queued still waits for the batch being written (shutdown, statement counts)', async () => {
    const { sut, stats } = setup();
    let finish = () => {};
    stats.insertLocations.mockImplementationOnce(() => new Promise<void>((resolve) => (finish = resolve)));
    await sut.connected(1, '8.8.8.8');
    const writing = sut.flush();
    await vi.waitFor(() => expect(stats.insertLocations).toHaveBeenCalledTimes(1));

    let flushed = false;
    const second = sut.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    finish();
    await Promise.all([writing, second]);
    expect(flushed).toBe(true);
  });
});
