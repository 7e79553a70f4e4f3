import type {
  AdminStatsResponse,
  AdminUserDto,
  AdminUserPatch,
  AdminUsersResponse,
  CreateInviteBody,
  CreateInviteResponse,
  InvitesResponse,
  LinkedIdentitiesResponse,
  AuthResponse,
  AvailabilityResponse,
  ChangeEmailBody,
  ChangeEmailResponse,
  ChangePasswordBody,
  ChangePasswordResponse,
  ErrorBody,
  GifListResponse,
  HealthResponse,
  IceServersResponse,
  ProfileDto,
  ProfileUpdateBody,
  PushKeyResponse,
  PushSubscribeBody,
  SessionResponse,
  SignInBody,
  SignOutAllResponse,
  SignUpBody,
  VerifyEmailResponse,
  UploadResponse,
  UserDto,
  UserPlacesResponse,
} from '@pychat/protocol';

/** An upload in flight: its result, and a way to stop it (the server then removes what it received). */
export interface Upload {
  done: Promise<UploadResponse['file']>;
  abort(): void;
}

/** The upload was cancelled by the user. */
export class UploadAbortedError extends Error {
  constructor() {
    super('Upload cancelled');
  }
}

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
  #features: Promise<SessionResponse['features']> | null = null;

  constructor(private readonly base = '') {}

  /** What the server offers (mail flows), asked once per page load; a failed ask is asked again next time. */
  features(): Promise<SessionResponse['features']> {
    this.#features ??= this.session().then(
      (s) => s.features,
      (error: unknown) => {
        this.#features = null;
        throw error;
      },
    );
    return this.#features;
  }

  /** Always 202 (it says nothing about whether the account exists). */
  requestPasswordReset(login: string, captcha?: string): Promise<void> {
    return this.call('POST', '/api/account/password-reset', { login, ...(captcha ? { captcha } : {}) });
  }

  confirmPasswordReset(token: string, password: string): Promise<void> {
    return this.call('POST', '/api/account/password-reset/confirm', { token, password });
  }

  verifyEmail(token: string): Promise<VerifyEmailResponse> {
    return this.call('POST', '/api/account/verify-email', { token });
  }

  resendVerification(): Promise<void> {
    return this.call('POST', '/api/account/verify-email/resend');
  }

  /** My other sessions end; this one stays. */
  changePassword(body: ChangePasswordBody): Promise<ChangePasswordResponse> {
    return this.call('POST', '/api/account/password', body);
  }

  changeEmail(body: ChangeEmailBody): Promise<ChangeEmailResponse> {
    return this.call('POST', '/api/account/email', body);
  }

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

  /** Provider identities linked to my account (sign-in with OpenID Connect). */
  linkedIdentities(via: 'oidc' | 'facebook' = 'oidc'): Promise<LinkedIdentitiesResponse> {
    return this.call('GET', `/api/auth/${via}/identities`);
  }

  unlinkIdentity(id: number, via: 'oidc' | 'facebook' = 'oidc'): Promise<void> {
    return this.call('DELETE', `/api/auth/${via}/identities/${id}`);
  }

  usernameAvailable(username: string): Promise<AvailabilityResponse> {
    return this.call('GET', `/api/auth/username-available?username=${encodeURIComponent(username)}`);
  }

  /** Who is signed in, `null` when nobody: 200 either way, so a signed-out page load logs no 401. */
  session(): Promise<SessionResponse> {
    return this.call('GET', '/api/auth/session');
  }

  /** Site admin (/api/admin): 403 NOT_SITE_ADMIN for anyone else. */
  adminUsers(query: { q?: string; offset: number; limit: number }): Promise<AdminUsersResponse> {
    const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
    if (query.q) {
      params.set('q', query.q);
    }
    return this.call('GET', `/api/admin/users?${params.toString()}`);
  }

  adminUpdateUser(userId: number, patch: AdminUserPatch): Promise<AdminUserDto> {
    return this.call('PATCH', `/api/admin/users/${userId}`, patch);
  }

  adminInvites(): Promise<InvitesResponse> {
    return this.call('GET', '/api/admin/invites');
  }

  adminCreateInvite(body: CreateInviteBody): Promise<CreateInviteResponse> {
    return this.call('POST', '/api/admin/invites', body);
  }

  adminRevokeInvite(id: number): Promise<void> {
    return this.call('DELETE', `/api/admin/invites/${id}`);
  }

  profile(userId: number): Promise<ProfileDto> {
    return this.call('GET', `/api/users/${userId}/profile`);
  }

  /** Changes my profile; every client (this one too) then gets user.updated. */
  updateProfile(body: ProfileUpdateBody): Promise<ProfileDto> {
    return this.call('PATCH', '/api/users/me/profile', body);
  }

  /** My avatar from the cropped square image; every client (this one too) then gets user.updated. */
  setAvatar(image: Blob): Promise<UserDto> {
    const form = new FormData();
    form.append('file', image, 'avatar');
    return this.call('POST', '/api/users/me/avatar', form);
  }

  deleteAvatar(): Promise<UserDto> {
    return this.call('DELETE', '/api/users/me/avatar');
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

  /**
   * POST /api/files with progress. XMLHttpRequest, not fetch: fetch reports no upload progress (streaming
   * request bodies would need HTTP/2 and duplex, which Chromium only offers over HTTPS).
   */
  upload(file: Blob, name: string, onProgress: (sent: number, total: number) => void): Upload {
    const xhr = new XMLHttpRequest();
    const done = new Promise<UploadResponse['file']>((resolve, reject) => {
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total);
      xhr.onload = () => {
        let body: unknown;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = { code: 'INTERNAL', message: xhr.statusText || 'Upload failed' };
        }
        if (xhr.status === 201) {
          resolve((body as UploadResponse).file);
        } else {
          reject(new ApiError(xhr.status, body as ErrorBody));
        }
      };
      xhr.onerror = () => reject(new Error('Network error during the upload'));
      xhr.onabort = () => reject(new UploadAbortedError());
    });
    const form = new FormData();
    form.append('file', file, name);
    xhr.open('POST', `${this.base}/api/files`);
    xhr.send(form);
    return { done, abort: () => xhr.abort() };
  }

  /** A video's first frame as its poster (once, before it is sent): the answer has its thumb and preview. */
  async setPoster(fileId: number, poster: Blob): Promise<UploadResponse['file']> {
    const form = new FormData();
    form.append('file', poster, 'poster.jpg');
    return (await this.call<UploadResponse>('PUT', `/api/files/${fileId}/poster`, form)).file;
  }

  /** The GIF picker (only when `features.gifs`): lists come from the server, which asks Giphy. */
  gifsTrending(): Promise<GifListResponse> {
    return this.call('GET', '/api/gifs/trending');
  }

  gifsSearch(q: string): Promise<GifListResponse> {
    return this.call('GET', `/api/gifs/search?q=${encodeURIComponent(q)}`);
  }

  /** The server copies the GIF into my uploads; its id goes in `message.send.attachments`. */
  gifAttach(id: string): Promise<UploadResponse> {
    return this.call('POST', `/api/gifs/${encodeURIComponent(id)}/attach`);
  }

  /** Where users connect from, for the flags (empty and `enabled: false` unless the admin turned them on). */
  userPlaces(): Promise<UserPlacesResponse> {
    return this.call('GET', '/api/users/places');
  }

  /** The site admin's statistics over the last `days` days (403 FORBIDDEN for anyone else). */
  adminStats(days: number): Promise<AdminStatsResponse> {
    return this.call('GET', `/api/admin/stats/overview?days=${days}`);
  }

  health(): Promise<HealthResponse> {
    return this.call('GET', '/api/health');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      credentials: 'same-origin',
      // FormData sets its own multipart content type (with the boundary).
      headers: body === undefined || body instanceof FormData ? {} : { 'content-type': 'application/json' },
      body: body === undefined || body instanceof FormData ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const data: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      throw new ApiError(res.status, (data as ErrorBody) ?? { code: 'INTERNAL', message: res.statusText });
    }
    return data as T;
  }
}
