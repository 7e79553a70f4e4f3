import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';

export const VAPID_KEYS_FILE = 'vapid-keys.json';

export interface VapidKeys {
  /** Uncompressed P-256 point, base64url (65 bytes): the browser's `applicationServerKey`. */
  readonly publicKey: string;
  /** P-256 private scalar, base64url (32 bytes). */
  readonly privateKey: string;
}

/** Why a key pair cannot be used (a config error line), or null. Checks lengths only: cheap, no crypto. */
export function vapidKeyProblem(keys: VapidKeys): string | null {
  const bytes = (v: string) => (/^[A-Za-z0-9_-]+={0,2}$/.test(v) ? Buffer.from(v, 'base64url') : null);
  const publicKey = bytes(keys.publicKey);
  if (publicKey?.length !== 65 || publicKey[0] !== 0x04) {
    return 'PYCHAT_VAPID_PUBLIC_KEY: expected 65 bytes in base64url (an uncompressed P-256 point)';
  }
  if (bytes(keys.privateKey)?.length !== 32) {
    return 'PYCHAT_VAPID_PRIVATE_KEY: expected 32 bytes in base64url';
  }
  return null;
}

/**
 * PYCHAT_VAPID_*, or the pair generated on first use into <data dir>/vapid-keys.json (0600, the data dir
 * 0700), like the TURN secret: stable across restarts, because every browser subscribed with this public key
 * and a push signed with another is refused by its push service. Instances that do not share a data dir
 * must be given the same pair through the environment.
 */
export function loadVapidKeys(configured: VapidKeys | null, dataDir: string): VapidKeys {
  if (configured !== null) {
    return configured;
  }
  const path = join(dataDir, VAPID_KEYS_FILE);
  const existing = readKeys(path);
  if (existing) {
    return existing;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  // 'wx': two instances sharing a data dir never overwrite each other's pair; the loser reads the winner's.
  try {
    writeFileSync(path, `${JSON.stringify({ publicKey, privateKey })}\n`, { mode: 0o600, flag: 'wx' });
    return { publicKey, privateKey };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const written = readKeys(path);
      if (written) {
        return written;
      }
    }
    throw error;
  }
}

function readKeys(path: string): VapidKeys | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw error;
  }
  const keys = JSON.parse(text) as VapidKeys;
  const problem = vapidKeyProblem(keys);
  if (problem !== null) {
    throw new Error(`${path} holds no usable VAPID key pair (${problem}); delete it to generate a new one`);
  }
  return { publicKey: keys.publicKey, privateKey: keys.privateKey };
}
