import { randomBytes } from 'node:crypto';
import type { AuthResponse } from '@pychat/protocol';

/** A server to talk to: its base URL (`http://127.0.0.1:<port>`), or anything that has one. */
export type Target = string | { url: string };

/** The password signUp gives every user unless told otherwise (specs sign in with it). */
export const TEST_PASSWORD = 'secret-pw';

let counter = 0;

/**
 * A username no other test takes: a counter for this process, random hex for the others sharing a
 * database (the server allows 16 characters).
 */
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix}${counter}${randomBytes(4).toString('hex')}`.slice(0, 16);
}

/** One REST call; a string body is sent as it is (malformed JSON), anything else as JSON. */
export async function api<T = unknown>(
  target: Target,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const base = typeof target === 'string' ? target : target.url;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export interface SignUpOptions {
  password?: string;
  /**
   * Tries when the request itself fails (a busy machine resets a kept-alive connection: "fetch failed").
   * If an earlier try did reach the server, a retry answers USERNAME_TAKEN: the caller picks another name.
   */
  attempts?: number;
}

/** Signs a user up through the API; throws unless the server answers 201. */
export async function signUp(
  target: Target,
  username = uniqueName(),
  { password = TEST_PASSWORD, attempts = 1 }: SignUpOptions = {},
): Promise<AuthResponse> {
  let res: { status: number; body: AuthResponse } | undefined;
  for (let attempt = 1; !res; attempt++) {
    try {
      res = await api<AuthResponse>(target, 'POST', '/api/auth/sign-up', { username, password });
    } catch (error) {
      if (attempt >= attempts) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
  if (res.status !== 201) {
    throw new Error(`sign-up ${username}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}
