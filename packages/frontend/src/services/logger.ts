import { LoggerFactory, type Logger, type LogLevel } from 'lines-logger';

export type { Logger, LogLevel };

/** Where a device remembers the last level it applied (the user's `settings.logs`). */
export const LOG_LEVEL_KEY = 'pychat.logs';

const LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'disable'];

/**
 * The level to start with, before session.ready brings the user's setting: the last one this device applied
 * (`on` was stored before the level became a synced setting and means debug).
 */
export function startLogLevel(storage: Pick<Storage, 'getItem'> = localStorage): LogLevel {
  const stored = storage.getItem(LOG_LEVEL_KEY);
  if (stored === 'on') {
    return 'debug';
  }
  return stored !== null && LEVELS.includes(stored) ? (stored as LogLevel) : 'disable';
}

/** lines-logger: coloured, named console loggers; off by default, switchable in settings (STYLE.md §9). */
export class LogService {
  readonly #factory: LoggerFactory;

  constructor(level: LogLevel) {
    this.#factory = new LoggerFactory(level);
  }

  getLogger(name: string, color = '#5865f2'): Logger {
    return this.#factory.getLoggerColor(name, color);
  }

  setLevel(level: LogLevel): void {
    this.#factory.setLogWarnings(level);
  }
}
