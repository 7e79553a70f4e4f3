import { LoggerFactory, type Logger } from 'lines-logger';

export type { Logger };

/** lines-logger: coloured, named console loggers; off by default, switchable in settings (STYLE.md §9). */
export class LogService {
  readonly #factory: LoggerFactory;

  constructor(level: LogLevel) {
    this.#factory = new LoggerFactory(level);
  }

  getLogger(name: string, color = '#5865f2'): Logger {
    return this.#factory.getLogger(name, color);
  }

  setLevel(level: LogLevel): void {
    this.#factory.setLogWarnings(level);
  }
}

export type LogLevel = ConstructorParameters<typeof LoggerFactory>[0];
