import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TURN_SECRET_FILE = 'turn-secret';

/**
 * PYCHAT_TURN_SECRET, or the secret generated on first use into <data dir>/turn-secret (0600, the data dir
 * 0700): stable across restarts so credentials handed out before a restart keep working, and never in the
 * built bundle. Copy it into coturn's `static-auth-secret` when coturn serves the calls.
 */
export function loadTurnSecret(configured: string | null, dataDir: string): string {
  if (configured !== null) {
    return configured;
  }
  const path = join(dataDir, TURN_SECRET_FILE);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing.length >= 16) {
      return existing;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('hex');
  // 'wx': two instances sharing a data dir never overwrite each other's secret; the loser reads the winner's.
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return readFileSync(path, 'utf8').trim();
    }
    throw error;
  }
}
