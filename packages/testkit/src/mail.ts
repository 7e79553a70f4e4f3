import { SMTPServer } from 'smtp-server';

/** One mail the catcher received, its text and HTML parts decoded. */
export interface CapturedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface MailCatcher {
  /** `smtp://127.0.0.1:<port>`: give it to the server as PYCHAT_SMTP_URL. */
  url: string;
  readonly mails: CapturedMail[];
  /** Refuse every mail from now on (the SMTP server answers 451), or take them again. */
  refuse(on: boolean): void;
  /** The first mail (received already or later) matching the predicate. */
  waitFor(match: (mail: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  close(): Promise<void>;
}

function decodeQuotedPrintable(body: string): string {
  const bytes: number[] = [];
  const text = body.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? /^[0-9A-F]{2}/i.exec(text.slice(i + 1, i + 3)) : null;
    if (hex) {
      bytes.push(parseInt(hex[0], 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i] as string, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodePart(headers: string, body: string): string {
  const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'quoted-printable') {
    return decodeQuotedPrintable(body);
  }
  if (encoding === 'base64') {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return body;
}

/** Enough MIME for nodemailer's text + HTML mails: the parts of a multipart/alternative body, decoded. */
export function parseMail(raw: string, from: string, to: string[]): CapturedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const subject = /^subject:\s*(.*)$/im.exec(head)?.[1] ?? '';
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head)?.[1];
  const parts = boundary
    ? body.split(`--${boundary}`).slice(1, -1)
    : [
        `${/^content-type:.*$/im.exec(head)?.[0] ?? ''}\r\n${/^content-transfer-encoding:.*$/im.exec(head)?.[0] ?? ''}\r\n\r\n${body}`,
      ];
  let text = '';
  let html = '';
  for (const part of parts) {
    const cut = part.indexOf('\r\n\r\n');
    const headers = part.slice(0, cut);
    const content = decodePart(headers, part.slice(cut + 4).replace(/\r\n$/, ''));
    if (/content-type:\s*text\/html/i.test(headers)) {
      html = content;
    } else if (/content-type:\s*text\/plain/i.test(headers)) {
      text = content;
    }
  }
  return { from, to, subject, text, html, raw };
}

/** An SMTP server in this process on a free loopback port that keeps every mail (no auth, no TLS). */
export async function startMailCatcher(): Promise<MailCatcher> {
  const mails: CapturedMail[] = [];
  const waiters = new Set<() => void>();
  let refusing = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusing) {
          const error = Object.assign(new Error('mailbox unavailable (test)'), { responseCode: 451 });
          callback(error);
          return;
        }
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push(
          parseMail(
            Buffer.concat(chunks).toString('utf8'),
            from,
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        callback();
        for (const wake of waiters) {
          wake();
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    refuse(on) {
      refusing = on;
    },
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = mails.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching mail within ${timeoutMs} ms (got ${mails.length}: ${mails.map((m) => m.subject).join(', ')})`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link to `path` in a mail's text (the token page). */
export function linkIn(mail: CapturedMail, path: string): string {
  const match = new RegExp(`https?://\\S+${path}\\?token=[\\w-]+`).exec(mail.text);
  if (!match) {
    throw new Error(`no ${path} link in the mail: ${mail.text}`);
  }
  return match[0];
}
