import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { HealthResponse } from '@pychat/protocol';
import express from 'express';
import type { DataSource } from 'typeorm';
import type { Bus } from './bus/bus';
import { MemoryCallStore, RedisCallStore, type CallStore } from './bus/call.store';
import { MemoryTransferStore, RedisTransferStore, type TransferStore } from './bus/transfer.store';
import { MemoryP2pStore, RedisP2pStore, type P2pStore } from './bus/p2p.store';
import { MemoryBus } from './bus/memory.bus';
import { MemoryPresenceRegistry, RedisPresenceRegistry, type PresenceRegistry } from './bus/presence.registry';
import { RedisBus } from './bus/redis.bus';
import { MemoryRoomOnlineStore, RedisRoomOnlineStore, type RoomOnlineStore } from './bus/room-online.store';
import { ensureDataDir, type Config } from './config/config';
import { createDataSource } from './db/data-source';
import { applyMigrations } from './db/migrate';
import { createHttpApp } from './http/app';
import { compileTrust } from './http/client-ip';
import { Metrics, timed } from './observability/metrics';
import { opsRouter } from './http/ops.router';
import type { TrustProxy } from './http/origin';
import type { Logger } from './logger';
import { FileRepository } from './repositories/file.repository';
import { MessageRepository } from './repositories/message.repository';
import { LinkedIdentityRepository } from './repositories/linked-identity.repository';
import { PushSubscriptionRepository } from './repositories/push-subscription.repository';
import { RoomRepository } from './repositories/room.repository';
import { SessionRepository } from './repositories/session.repository';
import { UserRepository } from './repositories/user.repository';
import { disabledMailer, SmtpMailer, type Mailer } from './mail/mailer';
import { AccountTokenRepository } from './repositories/account-token.repository';
import { AccessService } from './services/access.service';
import { AccountService } from './services/account.service';
import { AuthService } from './services/auth.service';
import { AdminService } from './services/admin.service';
import { CaptchaService } from './services/captcha.service';
import { InviteRepository } from './repositories/invite.repository';
import { CallService } from './services/call.service';
import { ChannelService } from './services/channel.service';
import { systemClock, type Clock } from './services/clock';
import { DomainEventBus } from './services/events';
import { FanoutService } from './services/fanout.service';
import { AvatarService } from './services/avatar.service';
import { FileService } from './services/file.service';
import { GifService } from './services/gif.service';
import { UploadStore } from './storage/upload-store';
import { MessageService } from './services/message.service';
import { OidcService } from './services/oidc.service';
import { OidcClient, OidcFlowCodec } from './auth/oidc-client';
import { PasswordHasher } from './services/password';
import { PresenceService } from './services/presence.service';
import { RoomOnlineService } from './services/room-online.service';
import { PushService } from './services/push.service';
import { PushSender } from './push/push-sender';
import { loadVapidKeys, type VapidKeys } from './push/vapid-keys';
import { RoomService } from './services/room.service';
import { SessionService } from './services/session.service';
import { UserService } from './services/user.service';
import { createRedirectServer, loadTls } from './tls';
import { ConnectionRegistry } from './ws/connections';
import type { Handlers } from './ws/context';
import { Dispatcher } from './ws/dispatcher';
import { RequestLimits } from './ws/request-limits';
import { callHandlers } from './ws/handlers/call.handlers';
import { transferHandlers } from './ws/handlers/transfer.handlers';
import { TransferService } from './services/transfer.service';
import { P2pService } from './services/p2p.service';
import { p2pHandlers } from './ws/handlers/p2p.handlers';
import { channelHandlers } from './ws/handlers/channel.handlers';
import { messageHandlers } from './ws/handlers/message.handlers';
import { presenceHandlers } from './ws/handlers/presence.handlers';
import { roomHandlers } from './ws/handlers/room.handlers';
import { WsServer } from './ws/server';
import { IceService } from './services/ice.service';
import { loadTurnSecret } from './turn/secret';
import { startTurnServer, type TurnServer } from './turn/turn-server';
import { geoipLocator } from './geo/locator';
import { FacebookClient } from './auth/facebook-client';

/** Where Facebook sends the browser back (listed in the app's "Valid OAuth Redirect URIs"). */
const FACEBOOK_CALLBACK_PATH = '/api/auth/facebook/callback';
import { StatsRepository } from './repositories/stats.repository';
import { LocationService } from './services/location.service';
import { StatsService } from './services/stats.service';

export interface Pychat {
  readonly server: Server;
  readonly dataSource: DataSource;
  readonly port: number;
  readonly url: string;
  health(): Promise<HealthResponse>;
  /** Resolves when no Web Push is queued or being sent (tests: "no push went out" is then certain). */
  pushIdle(): Promise<void>;
  /** Writes the batched connect records now (as shutdown does): tests count a connect's statements from here. */
  flushConnectRecords(): Promise<void>;
  /** Graceful: stop accepting, close sockets with 1001, close the bus and the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  /** Tests pass cheaper scrypt parameters; the default is the documented one (services/password.ts). */
  passwordHasher?: PasswordHasher;
  /** Tests make the mailer's one retry quick. */
  mailRetryDelayMs?: number;
}

/** Composition root: config → db → bus → services → http + ws. Used by main.ts and by the tests. */
export async function startPychat(config: Config, logger: Logger, options: StartOptions = {}): Promise<Pychat> {
  const clock = options.clock ?? systemClock;
  const started = Date.now();
  // With MariaDB the data dir is optional (certificate, backups): made private only when it exists.
  if ((config.db.type === 'sqlite' && config.db.path !== ':memory:') || existsSync(config.dataDir)) {
    const tightened = ensureDataDir(config);
    if (tightened.length > 0) {
      logger.warn({ tightened }, 'group or other users could read these; made them private (owner only)');
    }
  }
  // Before the database: a bad certificate path fails the start at once, in plain words.
  const tls = await loadTls(config.tls);
  const dataSource = createDataSource(config.db);
  await dataSource.initialize();
  const applied = await applyMigrations(dataSource);
  if (applied.length > 0) {
    logger.info({ migrations: applied }, 'migrations applied');
  }

  let bus: Bus;
  let registry: PresenceRegistry;
  let pingRedis: (() => Promise<number>) | undefined;
  let callStore: CallStore;
  let transferStore: TransferStore;
  let p2pStore: P2pStore;
  let roomOnlineStore: RoomOnlineStore;
  if (config.redis) {
    const redisBus = new RedisBus(config.redis.url, config.redis.prefix, logger);
    await redisBus.connect();
    const presence = new RedisPresenceRegistry(redisBus.client, config.redis.prefix, config.instanceId, logger);
    await presence.start();
    bus = redisBus;
    registry = presence;
    callStore = new RedisCallStore(redisBus.client, config.redis.prefix);
    transferStore = new RedisTransferStore(redisBus.client, config.redis.prefix);
    p2pStore = new RedisP2pStore(redisBus.client, config.redis.prefix);
    const online = new RedisRoomOnlineStore(
      redisBus.client,
      config.redis.prefix,
      config.instanceId,
      () => presence.liveInstances(),
      // The claim outlives its window with room to spare (a slow announce), yet frees a dead claimer's rooms soon.
      config.roomOnlineMs * 3 + 5_000,
    );
    await online.start();
    roomOnlineStore = online;
    pingRedis = () => timed(() => redisBus.client.ping());
  } else {
    bus = new MemoryBus();
    registry = new MemoryPresenceRegistry();
    callStore = new MemoryCallStore();
    transferStore = new MemoryTransferStore();
    p2pStore = new MemoryP2pStore();
    roomOnlineStore = new MemoryRoomOnlineStore();
  }
  const metrics = new Metrics({
    connections: () => connections.size,
    pingDb: () => timed(() => dataSource.query('SELECT 1')),
    pingRedis,
    info: { instance: config.instanceId, db: config.db.type, bus: bus.kind, node: process.version },
  });
  bus = metrics.instrumentBus(bus);

  const users = new UserRepository(dataSource);
  const sessions = new SessionRepository(dataSource);
  const rooms = new RoomRepository(dataSource);
  const messages = new MessageRepository(dataSource);

  const events = new DomainEventBus((name, error) =>
    logger.warn({ event: name, err: error }, 'fan-out failed; clients will resync'),
  );
  events.on('message.created', async () => metrics.messages.inc());
  new FanoutService(bus).register(events);
  const access = new AccessService(rooms, messages);
  const hasher = options.passwordHasher ?? new PasswordHasher();
  const captcha = new CaptchaService(config.captcha, logger);
  const invites = new InviteRepository(dataSource);
  const authService = new AuthService(users, sessions, events, config.auth, clock, logger, hasher, {
    invites,
    captcha,
  });
  const adminService = new AdminService(users, invites, events, clock, logger);
  const accountTokens = new AccountTokenRepository(dataSource);
  const mailer: Mailer = config.mail
    ? new SmtpMailer({
        url: config.mail.smtpUrl,
        from: config.mail.from,
        logger,
        retryDelayMs: options.mailRetryDelayMs,
        // In the database, so `pychat doctor` (another process) can show them.
        onFailure: (mail, error) =>
          accountTokens.recordMailFailure({
            createdAt: clock(),
            kind: mail.kind,
            error: error instanceof Error ? error.message : String(error),
          }),
      })
    : disabledMailer;
  const accountService = new AccountService(users, accountTokens, events, mailer, hasher, clock, logger, {
    publicUrl: config.publicUrl,
    resetMaxPerIp: config.passwordResetMaxPerIp,
    captcha,
  });
  accountService.register(events);
  const userService = new UserService(users, events, clock);
  const roomService = new RoomService(rooms, users, access, events, clock, config.limits);
  const channelService = new ChannelService(rooms, users, access, events, clock, config.limits.channelsPerUser);
  const uploads = new UploadStore(config.uploads.dir);
  const fileService = new FileService(
    new FileRepository(dataSource),
    uploads,
    access,
    config.uploads,
    clock,
    logger.child({ ctx: 'FileService' }),
  );
  const avatarService = new AvatarService(
    users,
    new UploadStore(join(config.uploads.dir, 'avatars')),
    events,
    clock,
    config.uploads.maxBytes,
    logger.child({ ctx: 'AvatarService' }),
  );
  const gifService = new GifService(config.giphy, fileService, clock, logger.child({ ctx: 'GifService' }));
  const messageService = new MessageService(messages, rooms, access, events, clock, fileService);
  const callService = new CallService(callStore, access, events, clock, logger);
  callService.start();
  const transferService = new TransferService(transferStore, access, events, clock, logger);
  const p2pService = new P2pService(p2pStore, access, events, logger);
  const presenceService = new PresenceService(registry, users, access, events, clock, logger, config.presenceBatchMs);
  const statsRepository = new StatsRepository(dataSource);
  const locationService = new LocationService(
    statsRepository,
    config.geo.lookup ? geoipLocator() : () => null,
    clock,
    logger.child({ ctx: 'LocationService' }),
    config.geo.showCountry,
  );
  const statsService = new StatsService(statsRepository, adminService, registry, clock);
  // VAPID keys on first use, like the TURN secret: an install where nobody turns push on writes none.
  let vapidKeys: VapidKeys | null = null;
  const vapid = () => (vapidKeys ??= loadVapidKeys(config.push.vapidKeys, config.dataDir));
  const pushService = new PushService(
    new PushSubscriptionRepository(dataSource),
    rooms,
    users,
    registry,
    new PushSender(vapid, config.push.subject, config.push.allowLoopback),
    vapid,
    config.push,
    { sent: metrics.pushSent, failed: metrics.pushFailed, gone: metrics.pushGone, dropped: metrics.pushDropped },
    clock,
    logger,
  );
  pushService.register(events);
  if (config.push.enabled && config.push.vapidKeys === null && config.redis !== null) {
    logger.warn(
      'push: several instances need the same VAPID keys; unless they share the data dir, set PYCHAT_VAPID_PUBLIC_KEY and PYCHAT_VAPID_PRIVATE_KEY',
    );
  }

  // Expired sessions are refused at use; this only keeps the table small, so a failed sweep waits for the next.
  const sessionSweep = setInterval(() => {
    sessions
      .deleteUnusedSince(clock() - config.auth.sessionTtlMs)
      .catch((error: unknown) => logger.warn({ err: error }, 'expired-session sweep failed; the next runs in an hour'));
    accountTokens
      .deleteExpired(clock())
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'expired mail-link sweep failed; the next runs in an hour'),
      );
  }, 3_600_000);
  sessionSweep.unref();
  // Uploads never attached, and files whose row is gone (an unlink that failed); hourly like the session sweep.
  const fileSweep = setInterval(() => {
    fileService
      .collect()
      .then((removed) => removed > 0 && logger.info({ removed }, 'upload collector removed unused files'))
      .catch((error: unknown) => logger.warn({ err: error }, 'upload collector failed; the next runs in an hour'));
  }, 3_600_000);
  fileSweep.unref();

  const roomOnline = new RoomOnlineService(roomOnlineStore, events, logger, {
    batchMs: config.presenceBatchMs,
    windowMs: config.roomOnlineMs,
  });
  const connections = new ConnectionRegistry((roomId, localUsers) => roomOnline.changed(roomId, localUsers));
  roomOnline.start(() => connections.localOnline());
  await bus.subscribe((message) => connections.deliver(message));

  /** Set by a failed database probe, cleared by the next good one: one warning per outage, not one per probe. */
  let dbProbeFailing = false;
  const health = async (): Promise<HealthResponse> => {
    const db = await dataSource.query('SELECT 1').then(
      () => {
        if (dbProbeFailing) {
          dbProbeFailing = false;
          logger.info('health: the database answers again');
        }
        return 'up' as const;
      },
      (error: unknown) => {
        if (!dbProbeFailing) {
          dbProbeFailing = true;
          logger.warn({ err: error }, 'health: the database does not answer; health reports it down');
        }
        return 'down' as const;
      },
    );
    const busState = bus.kind === 'memory' ? ('memory' as const) : bus.state();
    return {
      ok: db === 'up' && busState !== 'down',
      db,
      bus: busState,
      instanceId: config.instanceId,
      uptimeS: Math.round((Date.now() - started) / 1000),
    };
  };

  // TURN: a secret only when something uses it (bundled server or external URLs), so a plain install writes none.
  const turnInUse = config.turn.enabled || config.turn.urls.length > 0;
  const turnSecret = turnInUse ? loadTurnSecret(config.turn.secret, config.dataDir) : null;
  const ice = new IceService(
    turnSecret === null
      ? null
      : {
          bundled: config.turn.enabled,
          port: config.turn.port,
          tcp: config.turn.tcp,
          urls: config.turn.urls,
          secret: turnSecret,
          credentialTtlS: config.turn.credentialTtlS,
        },
    clock,
    config.screenCastExtensionId,
  );

  const handlers: Handlers = {
    ...messageHandlers(messageService),
    ...roomHandlers(roomService),
    ...channelHandlers(channelService),
    ...presenceHandlers(presenceService, userService, connections, clock, roomOnline),
    ...callHandlers(callService),
    ...transferHandlers(transferService),
    ...p2pHandlers(p2pService),
  };
  const limits = new RequestLimits(config.ws.rates);
  const dispatcher = new Dispatcher(handlers, config.ws.maxFrameBytes, logger.child({ ctx: 'Dispatcher' }), limits);
  const oidc =
    config.oidc && config.publicUrl
      ? {
          service: new OidcService(
            new OidcClient({
              issuer: config.oidc.issuer,
              clientId: config.oidc.clientId,
              clientSecret: config.oidc.clientSecret,
              redirectUri: `${config.publicUrl}/api/auth/oidc/callback`,
              insecure: config.oidc.insecure,
            }),
            new LinkedIdentityRepository(dataSource),
            users,
            authService,
            clock,
            logger,
            config.oidc.name,
          ),
          router: { publicUrl: config.publicUrl, codec: new OidcFlowCodec(config.oidc.clientSecret), now: clock },
        }
      : null;
  const facebook =
    config.facebook && config.publicUrl
      ? {
          service: new OidcService(
            new FacebookClient({
              appId: config.facebook.appId,
              appSecret: config.facebook.appSecret,
              redirectUri: `${config.publicUrl}${FACEBOOK_CALLBACK_PATH}`,
              dialogUrl: config.facebook.dialogUrl,
              graphUrl: config.facebook.graphUrl,
            }),
            new LinkedIdentityRepository(dataSource),
            users,
            authService,
            clock,
            logger,
            'Facebook',
          ),
          router: {
            publicUrl: config.publicUrl,
            codec: new OidcFlowCodec(config.facebook.appSecret),
            now: clock,
            callbackPath: FACEBOOK_CALLBACK_PATH,
            cookieName: 'pychat_facebook',
            providerKey: 'facebook',
          },
        }
      : null;
  const app = createHttpApp({
    auth: authService,
    account: accountService,
    admin: adminService,
    captcha,
    users: userService,
    avatars: avatarService,
    rooms: roomService,
    messages: messageService,
    ice,
    push: pushService,
    files: fileService,
    gifs: gifService,
    locations: locationService,
    stats: statsService,
    oidc,
    facebook,
    health,
    logger,
    staticDir: config.staticDir,
    trustProxy: compileTrust(config.trustProxy),
    cookieSecure: config.auth.cookieSecure,
    sessionTtlMs: config.auth.sessionTtlMs,
    hsts: tls?.source === 'files',
    allowedOrigins: config.ws.allowedOrigins,
  });
  // Health probes and /metrics sit in front of the app, outside its access log.
  const root = express()
    .disable('x-powered-by')
    .use(opsRouter({ health, stopping: () => stopping !== null, metrics, metricsToken: config.metricsToken }))
    .use(app);
  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, root) : createServer(root);
  const ws = new WsServer({
    config,
    auth: authService,
    session: new SessionService(roomService, userService, presenceService, clock),
    presence: presenceService,
    calls: callService,
    transfers: transferService,
    p2p: p2pService,
    locations: locationService,
    registry: connections,
    dispatcher,
    limits,
    logger,
    // The upgrade never passes through Express: it reads the scheme behind a proxy with Express's own rule.
    trustProxy: app.get('trust proxy fn') as TrustProxy,
  });
  ws.attach(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let turn: TurnServer | null = null;
  if (config.turn.enabled && turnSecret !== null) {
    try {
      turn = await startTurnServer(config.turn, turnSecret, logger, clock);
    } catch (error) {
      server.close();
      await ws.close();
      throw error;
    }
  }
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  let redirect: Server | null = null;
  if (tls) {
    logger.info(
      { tls: tls.source, file: tls.path, subject: tls.subject, validTo: tls.validTo, sha256: tls.fingerprint256 },
      'serving HTTPS',
    );
    const redirectPort = config.httpRedirectPort;
    if (redirectPort !== null) {
      const listener = createRedirectServer(port);
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(redirectPort, config.host, () => resolve());
      });
      redirect = listener;
    }
  } else if (!config.trustProxy && !/^(127\.|::1$|localhost$)/.test(config.host)) {
    logger.warn(
      { host: config.host },
      'plain HTTP on a network address: browsers allow calls only over HTTPS (or on localhost); set PYCHAT_TLS=auto or serve it behind nginx with TLS',
    );
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(sessionSweep);
      clearInterval(fileSweep);
      redirect?.close();
      turn?.stop();
      metrics.close();
      server.close();
      await ws.close();
      await callService.close();
      await pushService.close();
      await presenceService.close();
      await locationService.flush();
      await roomOnline.close();
      server.closeAllConnections();
      await registry.close();
      await bus.close();
      // Queued mails get a few seconds (their failures are written to the database), then are given up.
      let mailWait: NodeJS.Timeout | undefined;
      await Promise.race([mailer.idle(), new Promise((resolve) => (mailWait = setTimeout(resolve, 5_000)))]);
      clearTimeout(mailWait);
      mailer.close();
      await dataSource.destroy();
    })();
    return stopping;
  };

  return {
    server,
    dataSource,
    port,
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    health,
    pushIdle: () => pushService.idle(),
    flushConnectRecords: () => locationService.flush(),
    stop,
  };
}
