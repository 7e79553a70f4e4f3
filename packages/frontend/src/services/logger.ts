import { LoggerFactory, type Logger, type LogLevel } from 'lines-logger';

export type { Logger, LogLevel };

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
