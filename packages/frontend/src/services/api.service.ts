import type {
  AuthResponse,
  AvailabilityResponse,
  ErrorBody,
  HealthResponse,
  IceServersResponse,
  ProfileDto,
  PushKeyResponse,
  PushSubscribeBody,
  SessionResponse,
  SignInBody,
  SignOutAllResponse,
  SignUpBody,
} from '@pychat/protocol';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

/** Typed fetch over the REST API; the session rides in the httpOnly cookie. */
export class ApiService {
  constructor(private readonly base = '') {}

  signUp(body: SignUpBody): Promise<AuthResponse> {
    return this.call('POST', '/api/auth/sign-up', body);
  }

  signIn(body: SignInBody): Promise<AuthResponse> {
    return this.call('POST', '/api/auth/sign-in', body);
  }

  signOut(): Promise<void> {
    return this.call('POST', '/api/auth/sign-out');
  }

  /** Ends every session of mine, this one included: sockets on every device close with 4001. */
  signOutAll(): Promise<SignOutAllResponse> {
    return this.call('POST', '/api/auth/sign-out-all', {});
  }

  usernameAvailable(username: string): Promise<AvailabilityResponse> {
    return this.call('GET', `/api/auth/username-available?username=${encodeURIComponent(username)}`);
  }

  /** Who is signed in, `null` when nobody: 200 either way, so a signed-out page load logs no 401. */
  session(): Promise<SessionResponse> {
    return this.call('GET', '/api/auth/session');
  }

  profile(userId: number): Promise<ProfileDto> {
    return this.call('GET', `/api/users/${userId}/profile`);
  }

  /** STUN/TURN with fresh credentials: fetched before every call, never cached (docs/webrtc.md §6). */
  iceServers(): Promise<IceServersResponse> {
    return this.call('GET', '/api/ice-servers');
  }

  /** VAPID public key (null: push is off on this server). */
  pushKey(): Promise<PushKeyResponse> {
    return this.call('GET', '/api/push/key');
  }

  savePushSubscription(body: PushSubscribeBody): Promise<void> {
    return this.call('POST', '/api/push/subscriptions', body);
  }

  deletePushSubscription(endpoint: string): Promise<void> {
    return this.call('DELETE', '/api/push/subscriptions', { endpoint });
  }

  health(): Promise<HealthResponse> {
    return this.call('GET', '/api/health');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const data: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      throw new ApiError(res.status, (data as ErrorBody) ?? { code: 'INTERNAL', message: res.statusText });
    }
    return data as T;
  }
}
