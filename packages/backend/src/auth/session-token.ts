import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE } from '@pychat/protocol';
import { parse } from 'cookie';

/** The session token of a request: `Authorization: Bearer <token>` (API clients) or the session cookie (browsers). */
export function sessionTokenOf(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    return header.slice('Bearer '.length).trim() || null;
  }
  const cookies = req.headers.cookie;
  if (cookies) {
    return parse(cookies)[SESSION_COOKIE] ?? null;
  }
  return null;
}
