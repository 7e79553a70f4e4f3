import type { SignInBody, SignUpBody, UserDto, UserSettingsDto, UserStatus } from '@pychat/protocol';
import type { Router } from 'vue-router';
import type { AppStore } from '../store';
import { DEFAULT_SETTINGS } from '../store/types';
import type { ApiService } from './api.service';
import type { ChatService } from './chat.service';
import type { EventRouter } from './event-router';
import type { LocalDbService } from './local-db.service';
import type { Logger } from './logger';
import { StoreSync } from './store-sync';
import type { WsService } from './ws.service';

/**
 * Who is signed in and the life of the connection: restore from IndexedDB first (works offline),
 * then connect; after every (re)connect send the outbox and resync.
 */
export class SessionService {
  #router: Router | null = null;
  readonly #sync: StoreSync;

  constructor(
    private readonly store: AppStore,
    private readonly api: ApiService,
    private readonly ws: WsService,
    private readonly db: LocalDbService,
    private readonly chat: ChatService,
    private readonly logger: Logger,
  ) {
    this.#sync = new StoreSync(store, db);
  }

  attach(router: Router, events: EventRouter): void {
    this.#router = router;
    this.ws.setListener({
      onFrame: (frame) => events.route(frame),
      onOpen: () => this.store.commit('session/setConnection', 'connecting'),
      onClose: () => this.store.commit('session/setConnection', 'offline'),
      onSessionEnded: () => void this.checkSession(),
      // Protocol v2: with a directory in hand, session.ready brings only the users changed since it was current.
      connectParams: () => ({ usersSince: this.store.state.users.syncedAt ?? undefined }),
    });
    // The browser knows of a lost network before any heartbeat does: say offline at once, retry at once on return.
    window.addEventListener('offline', () => this.ws.wentOffline());
    window.addEventListener('online', () => this.ws.reconnectNow());
    window.addEventListener('focus', () => this.ws.connectIfIdle());
  }

  get signedIn(): boolean {
    return this.store.state.session.me !== null;
  }

  /** Loads the local copy (so the app draws offline) and connects if a session is known. */
  async restore(): Promise<void> {
    try {
      const snapshot = await this.db.load();
      if (snapshot) {
        this.store.commit('session/setMe', snapshot.me);
        this.store.commit('session/setSettings', snapshot.settings ?? { ...DEFAULT_SETTINGS });
        this.store.commit('users/setAll', snapshot.users);
        this.store.commit('users/setSyncedAt', snapshot.usersSyncedAt);
        this.store.commit('rooms/setAll', snapshot);
        this.store.commit('messages/upsert', snapshot.messages);
        for (const [key, text] of Object.entries(snapshot.drafts)) {
          this.store.commit('messages/setDraft', { key, text });
        }
        for (const sync of snapshot.syncs) {
          this.store.commit('messages/setLoaded', { roomId: sync.roomId, hasMore: sync.hasMore });
          this.store.commit('messages/setSyncedAt', { roomId: sync.roomId, at: sync.syncedAt });
        }
        for (const pending of snapshot.outbox) {
          // Queued ones are "sending"; one with files that failed stays failed (Retry / Discard) across reloads.
          this.store.commit('messages/addPending', {
            ...pending,
            status: pending.status === 'failed' ? 'failed' : 'sending',
          });
        }
      }
    } catch (error) {
      this.logger.error('local database unavailable {}', error)();
    }
    this.store.commit('session/setRestored', true);
    if (this.signedIn) {
      this.ws.connect();
    } else {
      await this.checkSession();
    }
  }

  /** Called once the server's snapshot arrived: queued messages go out, then everything held is resynced. */
  async onReady(): Promise<void> {
    this.store.commit('session/setConnection', 'online');
    try {
      await this.chat.flushOutbox();
      await this.chat.resync();
      const active = this.store.state.rooms.activeRoomId;
      if (active !== null) {
        await this.chat.loadNewest(active);
      }
    } catch (error) {
      this.logger.warn('after-connect sync failed {}', error)();
    }
  }

  /** Sets my status (away, do not disturb, or available) and its text; every device of mine follows user.updated. */
  async setStatus(status: UserStatus | 'available', text: string): Promise<void> {
    const { user } = await this.ws.request('status.set', { status, text });
    await Promise.all([this.#sync.user(user), this.#sync.me(user)]);
  }

  /** Sends one settings change; the store follows the server's answer, so a refused change never shows as applied. */
  async saveSettings(patch: Partial<UserSettingsDto>): Promise<void> {
    const { settings } = await this.ws.request('settings.update', patch);
    await this.#sync.settings(settings);
  }

  /** Deletes this device's copy (the caller reloads: everything is downloaded again). */
  async wipeDevice(): Promise<void> {
    await this.db.wipe();
  }

  async signIn(body: SignInBody): Promise<void> {
    const { user } = await this.api.signIn(body);
    await this.start(user);
  }

  async signUp(body: SignUpBody): Promise<void> {
    const { user } = await this.api.signUp(body);
    await this.start(user);
  }

  async signOut(): Promise<void> {
    try {
      await this.api.signOut();
    } catch (error) {
      this.logger.warn('sign-out request failed {}', error)();
    }
    await this.end();
  }

  /** Signs out every device of mine (a lost phone, a shared computer), then this one. */
  async signOutEverywhere(): Promise<void> {
    await this.api.signOutAll();
    await this.end();
  }

  private async start(user: UserDto): Promise<void> {
    const previous = this.store.state.session.me;
    if (previous && previous.id !== user.id) {
      await this.db.wipe();
      // The wiped copy no longer holds the directory: the next connect must ask for all of it.
      this.store.commit('users/setSyncedAt', null);
    }
    await this.#sync.me(user);
    this.ws.connect();
  }

  /** Forgets everything local and goes to the sign-in page. */
  async end(): Promise<void> {
    this.ws.disconnect();
    await this.#sync.wipe();
    this.store.commit('session/setConnection', 'offline');
    await this.#router?.push('/login');
  }

  /** The socket cannot open or the server ended the session: ask over HTTP whether we are still signed in. */
  async checkSession(): Promise<void> {
    let me: UserDto | null;
    try {
      ({ user: me } = await this.api.session());
    } catch (error) {
      // A failure means offline (or a server too old to know the route): keep the local copy and keep trying.
      this.logger.debug('session check failed {}', error)();
      return;
    }
    if (me === null) {
      if (this.signedIn) {
        await this.end();
      }
    } else if (!this.signedIn) {
      await this.start(me);
    }
  }
}
