import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import { LIMITS } from '@pychat/protocol';
import { z } from 'zod';
import proxyaddr from 'proxy-addr';
import { makePrivate } from '../private-files';
import { vapidKeyProblem } from '../push/vapid-keys';

/**
 * Which peers may give the client address in X-Forwarded-For: nobody, the nearest `n` hops, or proxies by
 * address (`loopback`, `uniquelocal`, IPs, CIDRs, as proxy-addr names them). Used by http/client-ip.ts.
 */
export type TrustProxy = false | number | readonly string[];
import type { BucketRate } from '../services/token-bucket';
import type { CaptchaConfig } from '../services/captcha.service';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** `VAR=` (empty, as compose files and env files often leave it) means unset. */
const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);
const optionalString = z.preprocess(emptyAsUnset, z.string().optional());

/**
 * Every environment variable Pychat reads, with its default. The defaults give the embedded mode:
 * SQLite under the data dir, the in-process bus, port 8080. Documented in README and docker/example.env.
 */
const EnvSchema = z.object({
  PYCHAT_HOST: z.string().default('0.0.0.0'),
  PYCHAT_PORT: int(0, 65535).default(8080),
  PYCHAT_DATA_DIR: z.string().default('./data'),
  /** `sqlite:` (file under the data dir), `sqlite:/abs/file.db`, `sqlite::memory:`, `mariadb://user:pass@host:port/db` or `mysql://…`. */
  PYCHAT_DB_URL: z
    .string()
    .regex(
      /^(sqlite:|mysql:\/\/|mariadb:\/\/)/,
      'expected sqlite:[path], mariadb://user:pass@host:port/db or mysql://…',
    )
    .default('sqlite:'),
  /** Unset: the in-process bus (one instance). Set: Redis pub/sub, for several instances. */
  PYCHAT_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected redis://host:port')
    .optional(),
  PYCHAT_REDIS_PREFIX: z.string().default('pychat:'),
  PYCHAT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Where the built web app lives; served at `/`. Default: packages/frontend/dist of this checkout. */
  PYCHAT_STATIC_DIR: z.string().optional(),
  /** Frames above this many bytes get FRAME_TOO_LARGE; the socket stays open. */
  PYCHAT_WS_MAX_FRAME_BYTES: int(1024, 16 * 1024 * 1024).default(LIMITS.wsFrameBytes),
  /** A socket that sends nothing (not even session.ping) for this long is closed with 4008. */
  PYCHAT_WS_IDLE_TIMEOUT_MS: int(1000, 3_600_000).default(75_000),
  /**
   * Token buckets for WebSocket requests, per socket; a user's sockets on one instance share twice this.
   * Above them a request gets RATE_LIMITED with `retryAfterMs` and nothing is written.
   * Sends cover message.send, message.edit and message.delete.
   */
  PYCHAT_WS_SEND_PER_S: int(1, 1_000_000).default(10),
  PYCHAT_WS_SEND_BURST: int(1, 1_000_000).default(30),
  /** typing.start (the web app sends one every 3 s while the user types). */
  PYCHAT_WS_TYPING_PER_S: int(1, 1_000_000).default(1),
  PYCHAT_WS_TYPING_BURST: int(1, 1_000_000).default(5),
  /** room.create, room.createDirect and channel.create, per minute. */
  PYCHAT_WS_CREATE_PER_MIN: int(1, 1_000_000).default(10),
  PYCHAT_WS_CREATE_BURST: int(1, 1_000_000).default(20),
  /**
   * Call signalling: rtc.offer, rtc.answer, rtc.candidate, call.join, call.decline and call.leave. Generous:
   * a device trickles a few dozen ICE candidates to each peer at once (call.start counts as a send).
   */
  PYCHAT_WS_RTC_PER_S: int(1, 1_000_000).default(50),
  PYCHAT_WS_RTC_BURST: int(1, 1_000_000).default(200),
  /**
   * Frames one socket may have waiting for the server (they are handled one at a time); one more, or more than
   * 32 × PYCHAT_WS_MAX_FRAME_BYTES waiting, closes the socket with 4009.
   */
  PYCHAT_WS_MAX_QUEUED_FRAMES: int(1, 100_000).default(1_000),
  /** Bytes waiting to be sent to one socket (a client that does not read); above it the socket is closed with 4009. */
  PYCHAT_WS_MAX_BUFFERED_BYTES: int(65_536, 1024 * 1024 * 1024).default(8 * 1024 * 1024),
  /**
   * Every instance checks the sessions of its open sockets this often (one query) and closes the ones whose
   * session is gone or expired: the backstop for revocations that could not reach it over the bus.
   */
  PYCHAT_WS_SESSION_CHECK_MS: int(50, 3_600_000).default(5_000),
  /** Channels, and rooms, that one user may administer at once; above it channel.create / room.create get LIMIT_REACHED. */
  PYCHAT_MAX_CHANNELS_PER_USER: int(1, 1_000_000).default(50),
  PYCHAT_MAX_ROOMS_PER_USER: int(1, 1_000_000).default(200),
  /** Each instance announces users coming online or going offline in one frame per this many milliseconds. */
  PYCHAT_PRESENCE_BATCH_MS: int(10, 10_000).default(500),
  /**
   * A room's "N online" (`room.online`) goes out at most once per this many milliseconds, with the count at the
   * end of the window: a big room whose members come and go all day costs its viewers one small frame per window.
   */
  PYCHAT_ROOM_ONLINE_MS: int(50, 600_000).default(5_000),
  /** Comma-separated extra origins (`https://host[:port]`) whose pages may open the WebSocket and POST/PUT/PATCH/DELETE under /api; same-origin always may. */
  PYCHAT_ALLOWED_ORIGINS: z.string().default(''),
  /** Sign-in attempts allowed per IP (IPv6: per /64) per 5 minutes. */
  PYCHAT_SIGNIN_MAX_PER_IP: int(1, 1_000_000).default(30),
  /**
   * Failed sign-ins of one account before each further attempt must wait (1 s, doubling, at most 15 min);
   * a device with a session of that account, or an address that has not failed on it, still gets through.
   */
  PYCHAT_SIGNIN_MAX_FAILURES_PER_ACCOUNT: int(1, 1_000_000).default(5),
  /**
   * `open`: anyone who reaches the server may sign up. `invite`: only with an invite link a site admin made
   * (the admin page); sign-in with an identity provider then creates no accounts. `closed`: sign-up is refused
   * and the web app hides it; accounts are made with `pychat create-user`.
   */
  PYCHAT_REGISTRATION: z.enum(['open', 'invite', 'closed']).default('open'),
  /**
   * A captcha on sign-up, on "forgot password" and on sign-in after PYCHAT_CAPTCHA_AFTER_FAILED_SIGNINS
   * failures: `altcha` (a proof of work the browser solves, checked here; no third party), `recaptcha`
   * (Google reCAPTCHA v2: needs PYCHAT_RECAPTCHA_SITE_KEY and PYCHAT_RECAPTCHA_SECRET) or `off`.
   */
  PYCHAT_CAPTCHA: z.enum(['off', 'altcha', 'recaptcha']).default('off'),
  /** Failed sign-ins of one login from one address (IPv6: /64) before its next attempts need the captcha. */
  PYCHAT_CAPTCHA_AFTER_FAILED_SIGNINS: int(1, 1_000).default(3),
  /**
   * HMAC secret signing ALTCHA challenges (at least 16 characters). Unset: random per process, fine for one
   * instance; several instances behind one address must share one.
   */
  PYCHAT_ALTCHA_SECRET: z.preprocess(emptyAsUnset, z.string().min(16).optional()),
  /** ALTCHA difficulty: the browser tries up to this many SHA-256 hashes (about a second at 100000 on a phone). */
  PYCHAT_ALTCHA_MAX_NUMBER: int(10, 100_000_000).default(100_000),
  PYCHAT_RECAPTCHA_SITE_KEY: optionalString,
  PYCHAT_RECAPTCHA_SECRET: optionalString,
  /** Where reCAPTCHA responses are checked; tests point it at a local stand-in. */
  PYCHAT_RECAPTCHA_VERIFY_URL: z
    .url({ protocol: /^https?$/, error: 'expected http(s)://host/path' })
    .default('https://www.google.com/recaptcha/api/siteverify'),
  /** Sign-ups allowed per IP (IPv6: per /64) per hour: each costs a deliberately slow password hash. */
  PYCHAT_SIGNUP_MAX_PER_IP: int(1, 1_000_000).default(5),
  /**
   * Outgoing mail (email verification, forgot password, security notices), as a nodemailer URL:
   * `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://user:pass@host:465`. Unset:
   * no mail, and the web app hides those flows. Needs PYCHAT_PUBLIC_URL.
   */
  PYCHAT_SMTP_URL: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^smtps?:\/\//, 'expected smtp:// or smtps://')
      .optional(),
  ),
  /** Sender of the mails, e.g. `Pychat <chat@example.com>`. Default: `Pychat <noreply@<host of PYCHAT_PUBLIC_URL>>`. */
  PYCHAT_MAIL_FROM: optionalString,
  /**
   * The address users open Pychat at (`https://chat.example.com`), for links in mails. Never taken from the
   * request's Host header: a forged one would send password-reset links pointing elsewhere.
   */
  PYCHAT_PUBLIC_URL: z.preprocess(
    emptyAsUnset,
    z
      .url({ protocol: /^https?$/, error: 'expected http(s)://host[:port][/path]' })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  ),
  /**
   * Sign-in with an OpenID Connect provider (Google: `https://accounts.google.com`, GitLab, Keycloak realm URL,
   * Authentik, Microsoft…): its issuer URL, found through `<issuer>/.well-known/openid-configuration`. Unset:
   * no such sign-in. Needs PYCHAT_PUBLIC_URL (the redirect URI is `<PYCHAT_PUBLIC_URL>/api/auth/oidc/callback`),
   * PYCHAT_OIDC_CLIENT_ID and PYCHAT_OIDC_CLIENT_SECRET. https only, but for a provider on loopback (tests).
   */
  PYCHAT_OIDC_ISSUER: z.preprocess(
    emptyAsUnset,
    z.url({ protocol: /^https?$/, error: 'expected https://issuer' }).optional(),
  ),
  PYCHAT_OIDC_CLIENT_ID: optionalString,
  PYCHAT_OIDC_CLIENT_SECRET: optionalString,
  /** The provider's name on the sign-in button ("Sign in with <name>"). */
  PYCHAT_OIDC_NAME: z.preprocess(emptyAsUnset, z.string().max(40).default('single sign-on')),
  /**
   * Sign-in with Facebook (Facebook Login, OAuth 2), as the original had it: the app id and secret from
   * developers.facebook.com, whose "Valid OAuth Redirect URIs" must list
   * `<PYCHAT_PUBLIC_URL>/api/auth/facebook/callback`. Unset: no Facebook button.
   */
  PYCHAT_FACEBOOK_APP_ID: optionalString,
  PYCHAT_FACEBOOK_APP_SECRET: optionalString,
  /** Facebook's login dialog and Graph API (tests point both at a local stand-in). https only, but on loopback. */
  PYCHAT_FACEBOOK_DIALOG_URL: z
    .url({ protocol: /^https?$/, error: 'expected https://www.facebook.com/v23.0/dialog/oauth' })
    .default('https://www.facebook.com/v23.0/dialog/oauth'),
  PYCHAT_FACEBOOK_GRAPH_URL: z
    .url({ protocol: /^https?$/, error: 'expected https://graph.facebook.com/v23.0' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default('https://graph.facebook.com/v23.0'),
  /** "Forgot password" requests per IP (IPv6: per /64) per hour; an account gets at most 3 such mails an hour. */
  PYCHAT_PASSWORD_RESET_MAX_PER_IP: int(1, 1_000_000).default(5),
  /** Session lifetime without use, in days. */
  PYCHAT_SESSION_TTL_DAYS: int(1, 3650).default(30),
  /** Mark the session cookie Secure. Default: true when Pychat serves HTTPS itself, else false (set it behind nginx). */
  PYCHAT_COOKIE_SECURE: bool.optional(),
  /**
   * Which peers may give the client address in X-Forwarded-For: `false` (nobody: the socket peer is the
   * client), `loopback` (nginx on this machine), a hop count such as `1` (the peer, whoever it is: only when
   * nothing else can reach the port), or comma-separated IPs/CIDRs of the proxies. `true` is refused: it
   * trusted every hop, so clients could pick their own address.
   */
  PYCHAT_TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx): TrustProxy => {
      const value = v.trim();
      if (value === '' || value === 'false' || value === '0') {
        return false;
      }
      if (value === 'true') {
        ctx.addIssue({
          code: 'custom',
          message:
            '"true" trusted every X-Forwarded-For entry, which the client writes; choose loopback (nginx on this ' +
            'machine), a hop count such as 1, or the proxy addresses/CIDRs',
        });
        return z.NEVER;
      }
      if (/^\d+$/.test(value)) {
        return Number(value);
      }
      const list = value.split(',').map((a) => a.trim());
      try {
        proxyaddr.compile(list);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `expected false, loopback, a hop count or IPs/CIDRs: ${(error as Error).message}`,
        });
        return z.NEVER;
      }
      return list;
    }),
  /** Instance name in logs and presence; defaults to host:port:random. */
  PYCHAT_INSTANCE_ID: z.string().optional(),
  /**
   * HTTPS served by Pychat itself (WebRTC needs a secure context outside localhost). `off`: plain HTTP unless
   * PYCHAT_TLS_CERT/KEY are set (development on localhost, or behind nginx). `auto` (the docker default):
   * PYCHAT_TLS_CERT/KEY when set, else a self-signed certificate made on first start in <data dir>/tls/.
   */
  PYCHAT_TLS: z.enum(['off', 'auto']).default('off'),
  /** PEM certificate (full chain) and private key files, e.g. from certbot; set both or neither. */
  PYCHAT_TLS_CERT: optionalString,
  PYCHAT_TLS_KEY: optionalString,
  /** With HTTPS on: a plain-HTTP listener on this port answering every request with a redirect to HTTPS. */
  PYCHAT_HTTP_REDIRECT_PORT: z.preprocess(emptyAsUnset, int(1, 65535).optional()),
  /** Bearer token for GET /metrics (at least 16 characters). Unset: /metrics answers only loopback clients. */
  PYCHAT_METRICS_TOKEN: z.preprocess(emptyAsUnset, z.string().min(16).optional()),
  /**
   * The bundled TURN server (node-turn, UDP and TCP, in this process): `on` relays calls between peers behind
   * NAT. Off by default in a plain install, on in the docker image. For TLS (turns:) or many calls use coturn
   * and PYCHAT_TURN_URLS.
   */
  PYCHAT_TURN: z.enum(['off', 'on']).default('off'),
  /** UDP (and TCP) port of the bundled TURN server (also answers STUN binding requests). */
  PYCHAT_TURN_PORT: int(1, 65535).default(3478),
  /**
   * Also listen on TCP PYCHAT_TURN_PORT and advertise `turn:…?transport=tcp`, for clients whose network drops
   * UDP. The relay toward peers stays UDP. `false`: UDP only (e.g. the TCP port is taken).
   */
  PYCHAT_TURN_TCP: bool.default(true),
  /** Comma-separated addresses it listens on; empty: every address of every interface (one socket each). */
  PYCHAT_TURN_LISTEN_IPS: z.string().default(''),
  /** Comma-separated local addresses relay sockets bind to, in turn; empty: the address the client reached. */
  PYCHAT_TURN_RELAY_IPS: z.string().default(''),
  /** Public address announced for relay sockets when the server is behind NAT (docker, cloud 1:1 NAT). */
  PYCHAT_TURN_EXTERNAL_IP: optionalString,
  /**
   * Relay to loopback peers (127.0.0.0/8, ::1). Off: a user cannot reach the server's own UDP services through
   * the relay. Tests running every peer on 127.0.0.1 turn it on.
   */
  PYCHAT_TURN_ALLOW_LOOPBACK_PEERS: bool.default(false),
  /** Comma-separated extra peer addresses/CIDRs the relay refuses (e.g. 10.0.0.0/8 on a public server). */
  PYCHAT_TURN_DENIED_PEERS: z.string().default(''),
  /** UDP port range of relay sockets (one per call participant); publish it with 3478/udp. */
  PYCHAT_TURN_MIN_PORT: int(1024, 65535).default(49152),
  PYCHAT_TURN_MAX_PORT: int(1024, 65535).default(65535),
  /**
   * Shared secret of the TURN REST credentials (coturn's `static-auth-secret`). Unset: generated once into
   * <data dir>/turn-secret (0600).
   */
  PYCHAT_TURN_SECRET: z.preprocess(emptyAsUnset, z.string().min(16).optional()),
  /** Realm of the long-term credentials (coturn's `realm`). */
  PYCHAT_TURN_REALM: z.string().min(1).default('pychat'),
  /**
   * Comma-separated ICE URLs given to clients instead of the bundled server's, e.g. an external coturn
   * (`turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349?transport=tcp`). Unset: with
   * PYCHAT_TURN=on, `stun:` and `turn:` URLs on the page's host and PYCHAT_TURN_PORT; else none.
   */
  PYCHAT_TURN_URLS: z.string().default(''),
  /** Lifetime of the TURN credentials GET /api/ice-servers hands out; a call started before expiry keeps them. */
  PYCHAT_TURN_CREDENTIAL_TTL_S: int(60, 30 * 86_400).default(86_400),
  /**
   * Id of the Pychat screen-sharing extension (screen_cast_extension/, 32 letters a-p) that browsers without a
   * usable getDisplayMedia fall back to. Given to the web app by GET /api/ice-servers; unset: no fallback.
   */
  PYCHAT_SCREEN_CAST_EXTENSION_ID: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[a-p]{32}$/)
      .optional(),
  ),
  /**
   * Web Push (standard VAPID, any browser's push service): messages and calls reach members with no open tab.
   * `off`: GET /api/push/key answers null, nothing is sent, no keys are made.
   */
  PYCHAT_PUSH: z.enum(['off', 'on']).default('on'),
  /**
   * VAPID key pair (base64url, as `npx web-push generate-vapid-keys` prints it); set both or neither. Unset:
   * generated on first use into <data dir>/vapid-keys.json (0600). Several instances must use the same pair.
   */
  PYCHAT_VAPID_PUBLIC_KEY: optionalString,
  PYCHAT_VAPID_PRIVATE_KEY: optionalString,
  /** Contact the push services may use about this server: `mailto:you@example.com` or an https: URL. */
  PYCHAT_VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'expected mailto:address or https://url')
    .default('mailto:pychat@localhost'),
  /** Push subscriptions one user may keep (one per browser); a new one beyond it replaces their oldest. */
  PYCHAT_PUSH_MAX_PER_USER: int(1, 1000).default(10),
  /**
   * Development and tests only: accept push endpoints on loopback (`http://127.0.0.1:port/…`) and send to them.
   * Off: endpoints must be https on port 443 of a public address, so a user cannot make the server POST to
   * its own network.
   */
  PYCHAT_PUSH_ALLOW_LOOPBACK: bool.default(false),
  /**
   * Where uploaded files (and their thumbnails) are stored. Several instances on one database must share it
   * (one volume or network mount), since any instance may serve a file another one received.
   */
  PYCHAT_UPLOAD_DIR: optionalString,
  /** Largest single upload in MiB; a larger one is refused (413 FILE_TOO_LARGE) before or while it arrives. */
  PYCHAT_UPLOAD_MAX_MB: int(1, 100_000).default(100),
  /** What one user's uploads may occupy in all, in MiB (413 QUOTA_EXCEEDED beyond it); 0: no quota. */
  PYCHAT_UPLOAD_QUOTA_MB: int(0, 10_000_000).default(2048),
  /**
   * Giphy API key (developers.giphy.com): the GIF picker, searched and fetched by this server so the key stays
   * here and users' addresses never reach Giphy. Unset: no picker, /api/gifs answers GIFS_DISABLED.
   */
  PYCHAT_GIPHY_API_KEY: optionalString,
  /** Base URL of the Giphy API (tests point it at a local stand-in). */
  PYCHAT_GIPHY_API_URL: z
    .url({ protocol: /^https?$/, error: 'expected http(s)://host[:port]' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default('https://api.giphy.com'),
  /** GIF searches, trending lists and picks one user may make per minute (each may cost a request to Giphy). */
  PYCHAT_GIPHY_MAX_PER_MIN: int(1, 1_000_000).default(60),
  /**
   * Resolve the address of each connect to a country, region and city offline (geoip-lite's bundled GeoLite2
   * data; nothing leaves the server), for the statistics page and the flags. Its data takes ~110 MB of memory,
   * loaded on the first public address; `false` never loads it (addresses are still recorded, without place).
   */
  PYCHAT_GEOIP: bool.default(true),
  /** Show a country flag (country/region/city on hover) beside users, from the address they last connected from. */
  PYCHAT_SHOW_COUNTRY: bool.default(false),
});

export type Env = z.infer<typeof EnvSchema>;

/** The web app built in this checkout (packages/frontend/dist), relative to dist/config/ or src/config/. */
const MIB = 1024 * 1024;

const DEFAULT_STATIC_DIR = resolve(__dirname, '../../../frontend/dist');

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly db:
    | { readonly type: 'sqlite'; readonly path: string }
    /** `flavor` picks TypeORM's driver: MariaDB reports column defaults differently from MySQL. */
    | { readonly type: 'mysql'; readonly flavor: 'mysql' | 'mariadb'; readonly url: string };
  readonly redis: { readonly url: string; readonly prefix: string } | null;
  readonly logLevel: Env['PYCHAT_LOG_LEVEL'];
  readonly staticDir: string | null;
  readonly ws: {
    readonly maxFrameBytes: number;
    readonly idleTimeoutMs: number;
    readonly allowedOrigins: string[];
    readonly maxQueuedFrames: number;
    readonly maxBufferedBytes: number;
    readonly sessionCheckMs: number;
    /** Per socket; a user's sockets on one instance share twice each. */
    readonly rates: {
      readonly send: BucketRate;
      readonly typing: BucketRate;
      readonly create: BucketRate;
      readonly rtc: BucketRate;
    };
  };
  readonly limits: { readonly channelsPerUser: number; readonly roomsPerUser: number };
  readonly uploads: {
    /** Absolute; `<data dir>/uploads` unless PYCHAT_UPLOAD_DIR. */
    readonly dir: string;
    readonly maxBytes: number;
    /** null: no per-user quota. */
    readonly quotaBytes: number | null;
  };
  readonly presenceBatchMs: number;
  /** Throttle window of `room.online` per room (PYCHAT_ROOM_ONLINE_MS). */
  readonly roomOnlineMs: number;
  readonly auth: {
    readonly signInMaxPerIp: number;
    readonly signInMaxFailuresPerAccount: number;
    readonly signUpMaxPerIp: number;
    readonly registration: 'open' | 'invite' | 'closed';
    readonly captchaAfterFailedSignIns: number;
    readonly sessionTtlMs: number;
    readonly cookieSecure: boolean;
  };
  /** false, a hop count, or proxy addresses (see PYCHAT_TRUST_PROXY and http/client-ip.ts). */
  readonly trustProxy: TrustProxy;
  /** null: no SMTP, the email flows are off. */
  readonly mail: { readonly smtpUrl: string; readonly from: string } | null;
  /** PYCHAT_PUBLIC_URL without trailing slash. */
  readonly publicUrl: string | null;
  /** PYCHAT_CAPTCHA and its settings; null: off. */
  readonly captcha: CaptchaConfig;
  /** null: no OpenID Connect sign-in. `insecure`: the issuer is plain HTTP on loopback (tests only). */
  readonly oidc: {
    readonly issuer: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly name: string;
    readonly insecure: boolean;
  } | null;
  /** null: no Facebook sign-in. */
  readonly facebook: {
    readonly appId: string;
    readonly appSecret: string;
    readonly dialogUrl: string;
    readonly graphUrl: string;
  } | null;
  readonly passwordResetMaxPerIp: number;
  readonly instanceId: string;
  /** null: plain HTTP. `files`: the given certificate; `self-signed`: generated into `dir` (see tls.ts). */
  readonly tls:
    | { readonly source: 'files'; readonly cert: string; readonly key: string }
    | { readonly source: 'self-signed'; readonly dir: string }
    | null;
  /** Plain-HTTP → HTTPS redirect listener; only used when `tls` is set. */
  readonly httpRedirectPort: number | null;
  /** null: /metrics is for loopback clients only. */
  readonly metricsToken: string | null;
  readonly turn: {
    /** Run the bundled node-turn server (turn/turn-server.ts). */
    readonly enabled: boolean;
    readonly port: number;
    /** Also TCP on `port` (client to server only; relays stay UDP). */
    readonly tcp: boolean;
    /** Empty: every interface address. */
    readonly listenIps: readonly string[];
    readonly relayIps: readonly string[];
    readonly externalIp: string | null;
    readonly allowLoopbackPeers: boolean;
    /** IPs or CIDRs (checked at load). */
    readonly deniedPeers: readonly string[];
    readonly minPort: number;
    readonly maxPort: number;
    /** null: read or generate <data dir>/turn-secret (turn/secret.ts). */
    readonly secret: string | null;
    readonly realm: string;
    /** Explicit ICE URLs (external coturn); empty: derived from the request's host when enabled. */
    readonly urls: readonly string[];
    readonly credentialTtlS: number;
  };
  /** The screen_cast_extension id the web app may ask for a screen (null: none offered). */
  readonly screenCastExtensionId: string | null;
  readonly push: {
    readonly enabled: boolean;
    /** null: read or generate <data dir>/vapid-keys.json (push/vapid-keys.ts). */
    readonly vapidKeys: { readonly publicKey: string; readonly privateKey: string } | null;
    readonly subject: string;
    readonly maxPerUser: number;
    readonly allowLoopback: boolean;
  };
  /** null: no GIF picker (PYCHAT_GIPHY_API_KEY unset). */
  readonly giphy: { readonly apiKey: string; readonly apiUrl: string; readonly maxPerMinute: number } | null;
  readonly geo: { readonly lookup: boolean; readonly showCountry: boolean };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Variables whose whole value is a secret (PYCHAT_METRICS_TOKEN, PYCHAT_VAPID_PRIVATE_KEY, PYCHAT_GIPHY_API_KEY, *_SECRET, *_PASSWORD). */
const SECRET_VARIABLE = /(TOKEN|SECRET|PASSWORD|PRIVATE_KEY|API_KEY)(_FILE)?$/;

/**
 * A URL with its password masked: the userinfo password (`mysql://user:***@host`, `redis://:***@host`; a
 * userinfo without ":" may be a bare Redis password, so `redis://***@host`) and password-like query
 * parameters. Up to the last "@", so a password with an unencoded "/" or "@" is masked whole. For error
 * lines and doctor output, which end up in terminals, CI logs and bug reports.
 */
export function redactUrl(value: string): string {
  return value
    .replace(/^([a-z][\w+.-]*:\/\/)?([^]*)@/i, (_, scheme: string | undefined, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return `${scheme ?? ''}${colon >= 0 ? userinfo.slice(0, colon + 1) : ''}***@`;
    })
    .replace(/([?&;](?:password|passwd|pass|pwd|token|secret|auth)=)[^&;]*/gi, '$1***');
}

/** How a refused value is quoted in an error line: secrets only by their length, URLs without their password. */
export function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) {
    return 'unset';
  }
  if (SECRET_VARIABLE.test(name)) {
    return `a hidden value of ${value.length} characters`;
  }
  return `"${redactUrl(value)}"`;
}

function dbFromUrl(url: string, dataDir: string): Config['db'] {
  if (url === 'sqlite:' || url === 'sqlite://') {
    return { type: 'sqlite', path: join(dataDir, 'pychat.sqlite') };
  }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    return { type: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    return {
      type: 'mysql',
      flavor: url.startsWith('mariadb:') ? 'mariadb' : 'mysql',
      url: url.replace(/^mariadb:/, 'mysql:'),
    };
  }
  throw new ConfigError([
    `PYCHAT_DB_URL: expected sqlite:[path] or mysql://user:pass@host:port/db, got ${describeValue('PYCHAT_DB_URL', url)}`,
  ]);
}

/** Parses the environment once; throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) =>
          `${issue.path.join('.')}: ${issue.message} (got ${describeValue(String(issue.path[0]), env[String(issue.path[0])])})`,
      ),
    );
  }
  const e = parsed.data;
  const dataDir = resolve(e.PYCHAT_DATA_DIR);
  if (Boolean(e.PYCHAT_TLS_CERT) !== Boolean(e.PYCHAT_TLS_KEY)) {
    throw new ConfigError([
      `PYCHAT_TLS_CERT and PYCHAT_TLS_KEY: set both or neither (got ${e.PYCHAT_TLS_CERT ? 'only the certificate' : 'only the key'})`,
    ]);
  }
  const tls: Config['tls'] =
    e.PYCHAT_TLS_CERT && e.PYCHAT_TLS_KEY
      ? { source: 'files', cert: resolve(e.PYCHAT_TLS_CERT), key: resolve(e.PYCHAT_TLS_KEY) }
      : e.PYCHAT_TLS === 'auto'
        ? { source: 'self-signed', dir: join(dataDir, 'tls') }
        : null;
  if (e.PYCHAT_TURN_MIN_PORT > e.PYCHAT_TURN_MAX_PORT) {
    throw new ConfigError([
      `PYCHAT_TURN_MIN_PORT (${e.PYCHAT_TURN_MIN_PORT}) is above PYCHAT_TURN_MAX_PORT (${e.PYCHAT_TURN_MAX_PORT})`,
    ]);
  }
  if (e.PYCHAT_SMTP_URL && !e.PYCHAT_PUBLIC_URL) {
    throw new ConfigError([
      'PYCHAT_PUBLIC_URL: required with PYCHAT_SMTP_URL (the links in mails point there), e.g. https://chat.example.com',
    ]);
  }
  let oidc: Config['oidc'] = null;
  if (e.PYCHAT_OIDC_ISSUER) {
    const issuer = new URL(e.PYCHAT_OIDC_ISSUER);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
    const problems = [
      ...(e.PYCHAT_PUBLIC_URL ? [] : ['PYCHAT_PUBLIC_URL: required with PYCHAT_OIDC_ISSUER (the redirect URI)']),
      ...(e.PYCHAT_OIDC_CLIENT_ID ? [] : ['PYCHAT_OIDC_CLIENT_ID: required with PYCHAT_OIDC_ISSUER']),
      ...(e.PYCHAT_OIDC_CLIENT_SECRET ? [] : ['PYCHAT_OIDC_CLIENT_SECRET: required with PYCHAT_OIDC_ISSUER']),
      ...(issuer.protocol === 'https:' || loopback
        ? []
        : ['PYCHAT_OIDC_ISSUER: must be https:// (http only on loopback)']),
    ];
    if (problems.length > 0) {
      throw new ConfigError(problems);
    }
    oidc = {
      issuer: e.PYCHAT_OIDC_ISSUER,
      clientId: e.PYCHAT_OIDC_CLIENT_ID as string,
      clientSecret: e.PYCHAT_OIDC_CLIENT_SECRET as string,
      name: e.PYCHAT_OIDC_NAME,
      insecure: issuer.protocol === 'http:',
    };
  }
  let facebook: Config['facebook'] = null;
  if (e.PYCHAT_FACEBOOK_APP_ID || e.PYCHAT_FACEBOOK_APP_SECRET) {
    const insecure = [e.PYCHAT_FACEBOOK_DIALOG_URL, e.PYCHAT_FACEBOOK_GRAPH_URL].some((u) => {
      const url = new URL(u);
      return url.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    });
    const problems = [
      ...(e.PYCHAT_PUBLIC_URL ? [] : ['PYCHAT_PUBLIC_URL: required with PYCHAT_FACEBOOK_APP_ID (the redirect URI)']),
      ...(e.PYCHAT_FACEBOOK_APP_ID ? [] : ['PYCHAT_FACEBOOK_APP_ID: required with PYCHAT_FACEBOOK_APP_SECRET']),
      ...(e.PYCHAT_FACEBOOK_APP_SECRET ? [] : ['PYCHAT_FACEBOOK_APP_SECRET: required with PYCHAT_FACEBOOK_APP_ID']),
      ...(insecure ? ['PYCHAT_FACEBOOK_DIALOG_URL, PYCHAT_FACEBOOK_GRAPH_URL: https:// only (http on loopback)'] : []),
    ];
    if (problems.length > 0) {
      throw new ConfigError(problems);
    }
    facebook = {
      appId: e.PYCHAT_FACEBOOK_APP_ID as string,
      appSecret: e.PYCHAT_FACEBOOK_APP_SECRET as string,
      dialogUrl: e.PYCHAT_FACEBOOK_DIALOG_URL,
      graphUrl: e.PYCHAT_FACEBOOK_GRAPH_URL,
    };
  }
  const list = (value: string) =>
    value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const turnUrls = list(e.PYCHAT_TURN_URLS);
  const badUrl = turnUrls.find((url) => !/^(stun|stuns|turn|turns):[^\s]+$/.test(url));
  if (badUrl !== undefined) {
    throw new ConfigError([`PYCHAT_TURN_URLS: expected stun:, turn: or turns: URLs, got "${badUrl}"`]);
  }
  const deniedPeers = list(e.PYCHAT_TURN_DENIED_PEERS);
  const badPeer = deniedPeers.find((entry) => {
    const [address, bits, extra] = entry.split('/');
    const max = isIPv4(address) ? 32 : isIPv6(address) ? 128 : -1;
    return max < 0 || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max));
  });
  if (badPeer !== undefined) {
    throw new ConfigError([`PYCHAT_TURN_DENIED_PEERS: expected IPs or CIDRs, got "${badPeer}"`]);
  }
  if (Boolean(e.PYCHAT_VAPID_PUBLIC_KEY) !== Boolean(e.PYCHAT_VAPID_PRIVATE_KEY)) {
    throw new ConfigError([
      `PYCHAT_VAPID_PUBLIC_KEY and PYCHAT_VAPID_PRIVATE_KEY: set both or neither (got ${e.PYCHAT_VAPID_PUBLIC_KEY ? 'only the public key' : 'only the private key'})`,
    ]);
  }
  const vapidKeys =
    e.PYCHAT_VAPID_PUBLIC_KEY && e.PYCHAT_VAPID_PRIVATE_KEY
      ? { publicKey: e.PYCHAT_VAPID_PUBLIC_KEY, privateKey: e.PYCHAT_VAPID_PRIVATE_KEY }
      : null;
  const badVapid = vapidKeys ? vapidKeyProblem(vapidKeys) : null;
  if (badVapid !== null) {
    throw new ConfigError([badVapid]);
  }
  let captcha: CaptchaConfig = null;
  if (e.PYCHAT_CAPTCHA === 'altcha') {
    captcha = { kind: 'altcha', hmacKey: e.PYCHAT_ALTCHA_SECRET ?? null, maxNumber: e.PYCHAT_ALTCHA_MAX_NUMBER };
  } else if (e.PYCHAT_CAPTCHA === 'recaptcha') {
    if (!e.PYCHAT_RECAPTCHA_SITE_KEY || !e.PYCHAT_RECAPTCHA_SECRET) {
      throw new ConfigError([
        'PYCHAT_RECAPTCHA_SITE_KEY and PYCHAT_RECAPTCHA_SECRET: required with PYCHAT_CAPTCHA=recaptcha',
      ]);
    }
    captcha = {
      kind: 'recaptcha',
      siteKey: e.PYCHAT_RECAPTCHA_SITE_KEY,
      secret: e.PYCHAT_RECAPTCHA_SECRET,
      verifyUrl: e.PYCHAT_RECAPTCHA_VERIFY_URL,
    };
  }
  return Object.freeze({
    host: e.PYCHAT_HOST,
    port: e.PYCHAT_PORT,
    dataDir,
    db: dbFromUrl(e.PYCHAT_DB_URL, dataDir),
    redis: e.PYCHAT_REDIS_URL ? { url: e.PYCHAT_REDIS_URL, prefix: e.PYCHAT_REDIS_PREFIX } : null,
    logLevel: e.PYCHAT_LOG_LEVEL,
    staticDir: e.PYCHAT_STATIC_DIR ? resolve(e.PYCHAT_STATIC_DIR) : DEFAULT_STATIC_DIR,
    presenceBatchMs: e.PYCHAT_PRESENCE_BATCH_MS,
    roomOnlineMs: e.PYCHAT_ROOM_ONLINE_MS,
    ws: {
      maxFrameBytes: e.PYCHAT_WS_MAX_FRAME_BYTES,
      idleTimeoutMs: e.PYCHAT_WS_IDLE_TIMEOUT_MS,
      allowedOrigins: e.PYCHAT_ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      maxQueuedFrames: e.PYCHAT_WS_MAX_QUEUED_FRAMES,
      maxBufferedBytes: e.PYCHAT_WS_MAX_BUFFERED_BYTES,
      sessionCheckMs: e.PYCHAT_WS_SESSION_CHECK_MS,
      rates: {
        send: { perSecond: e.PYCHAT_WS_SEND_PER_S, burst: e.PYCHAT_WS_SEND_BURST },
        typing: { perSecond: e.PYCHAT_WS_TYPING_PER_S, burst: e.PYCHAT_WS_TYPING_BURST },
        create: { perSecond: e.PYCHAT_WS_CREATE_PER_MIN / 60, burst: e.PYCHAT_WS_CREATE_BURST },
        rtc: { perSecond: e.PYCHAT_WS_RTC_PER_S, burst: e.PYCHAT_WS_RTC_BURST },
      },
    },
    limits: { channelsPerUser: e.PYCHAT_MAX_CHANNELS_PER_USER, roomsPerUser: e.PYCHAT_MAX_ROOMS_PER_USER },
    uploads: {
      dir: e.PYCHAT_UPLOAD_DIR ? resolve(e.PYCHAT_UPLOAD_DIR) : join(dataDir, 'uploads'),
      maxBytes: e.PYCHAT_UPLOAD_MAX_MB * MIB,
      quotaBytes: e.PYCHAT_UPLOAD_QUOTA_MB === 0 ? null : e.PYCHAT_UPLOAD_QUOTA_MB * MIB,
    },
    auth: {
      signInMaxPerIp: e.PYCHAT_SIGNIN_MAX_PER_IP,
      signInMaxFailuresPerAccount: e.PYCHAT_SIGNIN_MAX_FAILURES_PER_ACCOUNT,
      signUpMaxPerIp: e.PYCHAT_SIGNUP_MAX_PER_IP,
      registration: e.PYCHAT_REGISTRATION,
      captchaAfterFailedSignIns: e.PYCHAT_CAPTCHA_AFTER_FAILED_SIGNINS,
      sessionTtlMs: e.PYCHAT_SESSION_TTL_DAYS * 86_400_000,
      cookieSecure: e.PYCHAT_COOKIE_SECURE ?? tls !== null,
    },
    trustProxy: e.PYCHAT_TRUST_PROXY,
    mail: e.PYCHAT_SMTP_URL
      ? {
          smtpUrl: e.PYCHAT_SMTP_URL,
          from: e.PYCHAT_MAIL_FROM ?? `Pychat <noreply@${new URL(e.PYCHAT_PUBLIC_URL ?? 'http://localhost').hostname}>`,
        }
      : null,
    publicUrl: e.PYCHAT_PUBLIC_URL ?? null,
    captcha,
    oidc,
    facebook,
    passwordResetMaxPerIp: e.PYCHAT_PASSWORD_RESET_MAX_PER_IP,
    instanceId: e.PYCHAT_INSTANCE_ID ?? `${e.PYCHAT_PORT}-${randomBytes(3).toString('hex')}`,
    tls,
    httpRedirectPort: e.PYCHAT_HTTP_REDIRECT_PORT ?? null,
    metricsToken: e.PYCHAT_METRICS_TOKEN ?? null,
    giphy: e.PYCHAT_GIPHY_API_KEY
      ? { apiKey: e.PYCHAT_GIPHY_API_KEY, apiUrl: e.PYCHAT_GIPHY_API_URL, maxPerMinute: e.PYCHAT_GIPHY_MAX_PER_MIN }
      : null,
    geo: { lookup: e.PYCHAT_GEOIP, showCountry: e.PYCHAT_SHOW_COUNTRY },
    turn: {
      enabled: e.PYCHAT_TURN === 'on',
      port: e.PYCHAT_TURN_PORT,
      tcp: e.PYCHAT_TURN_TCP,
      listenIps: list(e.PYCHAT_TURN_LISTEN_IPS),
      relayIps: list(e.PYCHAT_TURN_RELAY_IPS),
      externalIp: e.PYCHAT_TURN_EXTERNAL_IP ?? null,
      allowLoopbackPeers: e.PYCHAT_TURN_ALLOW_LOOPBACK_PEERS,
      deniedPeers,
      minPort: e.PYCHAT_TURN_MIN_PORT,
      maxPort: e.PYCHAT_TURN_MAX_PORT,
      secret: e.PYCHAT_TURN_SECRET ?? null,
      realm: e.PYCHAT_TURN_REALM,
      urls: turnUrls,
      credentialTtlS: e.PYCHAT_TURN_CREDENTIAL_TTL_S,
    },
    screenCastExtensionId: e.PYCHAT_SCREEN_CAST_EXTENSION_ID ?? null,
    push: {
      enabled: e.PYCHAT_PUSH === 'on',
      vapidKeys,
      subject: e.PYCHAT_VAPID_SUBJECT,
      maxPerUser: e.PYCHAT_PUSH_MAX_PER_USER,
      allowLoopback: e.PYCHAT_PUSH_ALLOW_LOOPBACK,
    },
  });
}

/**
 * Creates the data dir 0700 on first start, or makes an existing one private. Returns the paths whose
 * modes were tightened (with their previous mode), for a log line.
 */
export function ensureDataDir(config: Config): { path: string; mode: string }[] {
  if (!existsSync(config.dataDir)) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    return [];
  }
  // The directory is what keeps others out; the database files are tightened too, so a copied or
  // moved file is private as well.
  const paths = [config.dataDir];
  if (config.db.type === 'sqlite' && config.db.path !== ':memory:') {
    paths.push(config.db.path, `${config.db.path}-wal`, `${config.db.path}-shm`);
  }
  return paths.flatMap((path) => {
    const mode = makePrivate(path);
    return mode === null ? [] : [{ path, mode: `0${mode.toString(8)}` }];
  });
}
