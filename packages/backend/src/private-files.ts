import { chmodSync, statSync } from 'node:fs';

/**
 * Owner-only modes for everything Pychat creates, whoever starts it and whatever umask the shell had:
 * directories 0700, files 0600 (the SQLite database and its -wal/-shm, backups, the certificate key).
 * Set first thing by main.ts and the CLI; the systemd units set the same UMask.
 */
export const PRIVATE_UMASK = 0o077;

export function restrictUmask(): void {
  process.umask(PRIVATE_UMASK);
}

/**
 * Takes group and other permissions off a file or directory this user owns (older installs, a data dir
 * made by hand or by useradd). Returns the previous mode when it changed, null otherwise (missing, not
 * ours, already private).
 */
export function makePrivate(path: string): number | null {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return null;
  }
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) === 0 || stat.uid !== process.getuid?.()) {
    return null;
  }
  chmodSync(path, mode & 0o700);
  return mode;
}
