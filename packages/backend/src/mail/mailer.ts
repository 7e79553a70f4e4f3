import { createTransport, type Transporter } from 'nodemailer';
import type { Logger } from '../logger';

/** Which mail it is: in the failure log and in `pychat doctor`. */
export type MailKind = 'verify' | 'reset' | 'password-changed' | 'email-change';

export interface Mail {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sending as services see it: `send` queues and returns at once, so no request waits for the SMTP server. */
export interface Mailer {
  /** False without PYCHAT_SMTP_URL: the email flows are off and hidden. */
  readonly enabled: boolean;
  send(mail: Mail): void;
  /** Resolves once the queue is empty (tests, graceful stop). */
  idle(): Promise<void>;
  close(): void;
}

export const disabledMailer: Mailer = {
  enabled: false,
  send: () => undefined,
  idle: () => Promise.resolve(),
  close: () => undefined,
};

export interface SmtpMailerOptions {
  /** nodemailer connection URL: smtp://user:pass@host:587 (STARTTLS when offered), smtps://…:465. */
  url: string;
  from: string;
  logger: Logger;
  /** Called for a mail that failed twice: logged by the caller into mail_failures for `pychat doctor`. */
  onFailure: (mail: Mail, error: unknown) => Promise<void>;
  /** Wait before the one retry. */
  retryDelayMs?: number;
  /** Mails waiting at most; above it new ones are dropped (and logged), so a flood cannot eat memory. */
  maxQueued?: number;
}

/** The SMTP transport with a queue in this process: one mail at a time, one retry, failures logged and recorded. */
export class SmtpMailer implements Mailer {
  readonly enabled = true;
  readonly #transport: Transporter;
  readonly #queue: Mail[] = [];
  readonly #logger: Logger;
  #draining: Promise<void> | null = null;

  constructor(private readonly options: SmtpMailerOptions) {
    this.#transport = createTransport(options.url);
    this.#logger = options.logger.child({ ctx: 'Mailer' });
  }

  send(mail: Mail): void {
    if (this.#queue.length >= (this.options.maxQueued ?? 1000)) {
      this.#logger.warn({ kind: mail.kind }, 'mail queue full; mail dropped');
      void this.options.onFailure(mail, new Error('mail queue full')).catch(() => undefined);
      return;
    }
    this.#queue.push(mail);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
    });
  }

  idle(): Promise<void> {
    return this.#draining ?? Promise.resolve();
  }

  close(): void {
    this.#transport.close();
  }

  async #drain(): Promise<void> {
    for (let mail = this.#queue.shift(); mail; mail = this.#queue.shift()) {
      await this.#deliver(mail);
    }
  }

  async #deliver(mail: Mail): Promise<void> {
    const message = { from: this.options.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#transport.sendMail(message);
        this.#logger.info({ kind: mail.kind }, 'mail sent');
        return;
      } catch (error) {
        if (attempt >= 2) {
          this.#logger.warn({ kind: mail.kind, err: error }, 'mail not sent');
          await this.options.onFailure(mail, error).catch((e: unknown) => {
            this.#logger.warn({ err: e }, 'could not record the mail failure');
          });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 5_000));
      }
    }
  }
}

/** Checks that the SMTP server answers and takes the credentials (`pychat doctor`). */
export async function verifySmtp(url: string): Promise<void> {
  const transport = createTransport(url);
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}
