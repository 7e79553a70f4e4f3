import type { Mail, MailKind } from './mailer';

/** Who asked: shown in security mails so the owner can tell a request of theirs from someone else's. */
export interface Requester {
  ip: string | null;
  userAgent: string | null;
  at: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Parts {
  kind: MailKind;
  to: string;
  subject: string;
  greeting: string;
  /** Paragraphs of plain text. */
  body: string[];
  link?: { url: string; label: string };
  requester?: Requester;
  footer: string;
}

/** One layout, as plain text and as HTML (every value escaped): mail clients show whichever they prefer. */
function render(p: Parts): Mail {
  const who = p.requester
    ? [
        `Requested ${new Date(p.requester.at).toUTCString()} from IP address ${p.requester.ip ?? 'unknown'}` +
          (p.requester.userAgent ? ` (${p.requester.userAgent.slice(0, 200)})` : '') +
          '.',
      ]
    : [];
  const text = [
    p.greeting,
    '',
    ...p.body.flatMap((line) => [line, '']),
    ...(p.link ? [`${p.link.label}:`, p.link.url, ''] : []),
    ...who.flatMap((line) => [line, '']),
    p.footer,
  ].join('\n');
  const html =
    `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5;color:#222">` +
    `<p>${escapeHtml(p.greeting)}</p>` +
    p.body.map((line) => `<p>${escapeHtml(line)}</p>`).join('') +
    (p.link
      ? `<p><a href="${escapeHtml(p.link.url)}" style="display:inline-block;padding:10px 16px;background:#5865f2;` +
        `color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(p.link.label)}</a></p>` +
        `<p style="font-size:12px;color:#666">Or open this address: ${escapeHtml(p.link.url)}</p>`
      : '') +
    who.map((line) => `<p style="font-size:12px;color:#666">${escapeHtml(line)}</p>`).join('') +
    `<p style="font-size:12px;color:#666">${escapeHtml(p.footer)}</p></body></html>`;
  return { kind: p.kind, to: p.to, subject: p.subject, text, html };
}

const IGNORE = 'If you did not ask for this, ignore this mail: nothing changes.';
const ALARM =
  'If this was not you, someone knows your password: reset it at once and tell the administrator of this server.';

export function verifyEmailMail(to: string, username: string, url: string, ttlHours: number): Mail {
  return render({
    kind: 'verify',
    to,
    subject: 'Confirm your email address for Pychat',
    greeting: `Hello ${username},`,
    body: [`Please confirm that ${to} is your address. The link works once, for ${ttlHours} hours.`],
    link: { url, label: 'Confirm email address' },
    footer: IGNORE,
  });
}

export function resetPasswordMail(to: string, username: string, url: string, ttlMinutes: number, by: Requester): Mail {
  return render({
    kind: 'reset',
    to,
    subject: 'Reset your Pychat password',
    greeting: `Hello ${username},`,
    body: [
      `Someone asked to reset the password of your Pychat account. The link works once, for ${ttlMinutes} minutes; ` +
        'setting a new password signs you out on every device.',
    ],
    link: { url, label: 'Choose a new password' },
    requester: by,
    footer: IGNORE,
  });
}

export function passwordChangedMail(to: string, username: string, by: Requester): Mail {
  return render({
    kind: 'password-changed',
    to,
    subject: 'Your Pychat password was changed',
    greeting: `Hello ${username},`,
    body: ['The password of your Pychat account was changed, and your other sessions were signed out.'],
    requester: by,
    footer: ALARM,
  });
}

export function emailChangeNoticeMail(to: string, username: string, newEmail: string, by: Requester): Mail {
  return render({
    kind: 'email-change',
    to,
    subject: 'Your Pychat email address is being changed',
    greeting: `Hello ${username},`,
    body: [
      `Someone signed in to your Pychat account asked to change its email address to ${newEmail}. ` +
        'It changes once a link sent there is opened.',
    ],
    requester: by,
    footer: ALARM,
  });
}
