import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FacebookAccount {
  id: string;
  name: string;
  /** Absent: the person declined the email permission (or has no confirmed email). */
  email?: string;
}

export interface FacebookStandIn {
  /** PYCHAT_FACEBOOK_DIALOG_URL */
  dialogUrl: string;
  /** PYCHAT_FACEBOOK_GRAPH_URL */
  graphUrl: string;
  appId: string;
  appSecret: string;
  /** Who "logs in" at the next dialog. */
  loginAs(account: FacebookAccount): void;
  /** While on, the dialog's redirect back carries `state=forged` (a forged or swapped answer). */
  forgeState(on: boolean): void;
  close(): Promise<void>;
}

/**
 * Facebook Login as far as a server-side web app sees it, on loopback: the login dialog (redirects back at once
 * with a code for the account given to loginAs), `/oauth/access_token` (checks app id, secret, redirect URI and
 * the single-use code) and `/me` (checks the token and its appsecret_proof).
 */
export async function startFacebookStandIn(redirectUri: string): Promise<FacebookStandIn> {
  const appId = String(100_000 + Math.floor(Math.random() * 900_000));
  const appSecret = randomBytes(16).toString('hex');
  const codes = new Map<string, FacebookAccount>();
  const tokens = new Map<string, FacebookAccount>();
  let next: FacebookAccount | null = null;
  let forged = false;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const q = url.searchParams;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/dialog/oauth') {
      if (q.get('client_id') !== appId || q.get('redirect_uri') !== redirectUri || !next) {
        json(400, { error: { message: 'bad dialog request' } });
        return;
      }
      const code = randomBytes(12).toString('hex');
      codes.set(code, next);
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', forged ? 'forged' : (q.get('state') ?? ''));
      res.writeHead(302, { location: back.href });
      res.end();
      return;
    }
    if (url.pathname === '/oauth/access_token') {
      const account = codes.get(q.get('code') ?? '');
      codes.delete(q.get('code') ?? '');
      if (
        !account ||
        q.get('client_id') !== appId ||
        q.get('client_secret') !== appSecret ||
        q.get('redirect_uri') !== redirectUri
      ) {
        json(400, { error: { message: 'invalid code or client', type: 'OAuthException' } });
        return;
      }
      const token = createHash('sha256').update(randomBytes(16)).digest('hex');
      tokens.set(token, account);
      json(200, { access_token: token, token_type: 'bearer', expires_in: 5183944 });
      return;
    }
    if (url.pathname === '/me') {
      const token = q.get('access_token') ?? '';
      const account = tokens.get(token);
      const proof = createHmac('sha256', appSecret).update(token).digest('hex');
      if (!account || q.get('appsecret_proof') !== proof) {
        json(400, { error: { message: 'invalid token or appsecret_proof', type: 'OAuthException' } });
        return;
      }
      json(200, { id: account.id, name: account.name, ...(account.email ? { email: account.email } : {}) });
      return;
    }
    json(404, { error: { message: 'unknown path' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    dialogUrl: `${base}/dialog/oauth`,
    graphUrl: base,
    appId,
    appSecret,
    loginAs: (account) => {
      next = account;
    },
    forgeState: (on) => {
      forged = on;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
