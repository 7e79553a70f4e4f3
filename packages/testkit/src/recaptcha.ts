import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecaptchaStandIn {
  /** Give it to PYCHAT_RECAPTCHA_VERIFY_URL. */
  verifyUrl: string;
  /** The secret it accepts (PYCHAT_RECAPTCHA_SECRET). */
  secret: string;
  /** Every verification asked, in order. */
  requests: { secret: string; response: string; remoteip: string | null }[];
  close(): Promise<void>;
}

/** A response token the stand-in accepts (any other is refused, as a wrong or reused one at Google's). */
export const RECAPTCHA_PASS = 'recaptcha-pass';

/**
 * Google's reCAPTCHA siteverify on loopback: a POST of `secret`, `response` and `remoteip` as a form, answered
 * `{ success }`: true only for the right secret and RECAPTCHA_PASS.
 */
export async function startRecaptchaStandIn(secret = 'recaptcha-test-secret'): Promise<RecaptchaStandIn> {
  const requests: RecaptchaStandIn['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const request = {
        secret: form.get('secret') ?? '',
        response: form.get('response') ?? '',
        remoteip: form.get('remoteip'),
      };
      requests.push(request);
      const success = req.method === 'POST' && request.secret === secret && request.response === RECAPTCHA_PASS;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(success ? { success } : { success, 'error-codes': ['invalid-input-response'] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    verifyUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/recaptcha/api/siteverify`,
    secret,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
