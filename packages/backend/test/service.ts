import pino from 'pino';
import type { ErrorCode } from '@pychat/protocol';
import { expect, vi, type MockInstance, type Mocked } from 'vitest';
import type { PresenceRegistry } from '../src/bus/presence.registry';
import { AppError } from '../src/errors';
import type { Logger } from '../src/logger';
import { MessageRepository } from '../src/repositories/message.repository';
import { RoomRepository } from '../src/repositories/room.repository';
import { SessionRepository } from '../src/repositories/session.repository';
import { UserRepository } from '../src/repositories/user.repository';
import { AccessService } from '../src/services/access.service';
import { AuthService, type AuthOptions } from '../src/services/auth.service';
import { ChannelService } from '../src/services/channel.service';
import { DomainEventBus, type DomainEvents } from '../src/services/events';
import { FileService } from '../src/services/file.service';
import { MessageService } from '../src/services/message.service';
import { PasswordHasher, type ScryptParams } from '../src/services/password';
import { PresenceService } from '../src/services/presence.service';
import { RoomService } from '../src/services/room.service';
import { UserService } from '../src/services/user.service';

/**
 * Small-test harness (STYLE §11): a service wired to vi.fn() repositories and collaborators, a fake clock
 * and an event bus that records what was emitted. No database, no network.
 */

/** Every method of the class's prototype replaced by a bare vi.fn(); tests stub only what they read. */
export function automock<T>(Class: abstract new (...args: never[]) => T): Mocked<T> {
  const mock: Record<string, unknown> = {};
  for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(Class.prototype))) {
    if (name !== 'constructor' && typeof descriptor.value === 'function') {
      mock[name] = vi.fn();
    }
  }
  return mock as Mocked<T>;
}

export type EmittedEvent = { [K in keyof DomainEvents]: { name: K; payload: DomainEvents[K] } }[keyof DomainEvents];

/** The real bus (listeners still run), plus the list of everything emitted, in order. */
export class RecordingEventBus extends DomainEventBus {
  readonly emitted: EmittedEvent[] = [];

  override async emit<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): Promise<void> {
    this.emitted.push({ name, payload } as EmittedEvent);
    await super.emit(name, payload);
  }

  names(): (keyof DomainEvents)[] {
    return this.emitted.map((event) => event.name);
  }

  payloadsOf<K extends keyof DomainEvents>(name: K): DomainEvents[K][] {
    return this.emitted.filter((event) => event.name === name).map((event) => event.payload as DomainEvents[K]);
  }
}

/** `emit` is spied too, so tests can assert "written before emitted" with toHaveBeenCalledBefore. */
export type SpiedEventBus = RecordingEventBus & { emit: MockInstance<RecordingEventBus['emit']> };

export interface FakeClock {
  (): number;
  now: number;
  advance(ms: number): void;
}

export const T0 = 1_750_000_000_000;

export function createFakeClock(start = T0): FakeClock {
  const clock = (() => clock.now) as FakeClock;
  clock.now = start;
  clock.advance = (ms) => {
    clock.now += ms;
  };
  return clock;
}

/** 1 MiB, ~1 ms: tests hash many passwords; production uses DEFAULT_SCRYPT. */
export const TEST_SCRYPT: ScryptParams = { N: 1024, r: 8, p: 1 };

export const defaultAuthOptions: AuthOptions = {
  signInMaxPerIp: 5,
  signInMaxFailuresPerAccount: 3,
  signUpMaxPerIp: 100,
  sessionTtlMs: 30 * 86_400_000,
};

export interface TestContext {
  users: Mocked<UserRepository>;
  sessions: Mocked<SessionRepository>;
  rooms: Mocked<RoomRepository>;
  messages: Mocked<MessageRepository>;
  /** Attachments: none unless a spec stubs `attachmentsOf`; `removeStored` records what would be unlinked. */
  files: Mocked<FileService>;
  /** The permission funnels, mocked for the services that call them (AccessService has its own spec). */
  access: Mocked<AccessService>;
  presence: Mocked<PresenceRegistry>;
  events: SpiedEventBus;
  clock: FakeClock;
  logger: Logger;
  authOptions: AuthOptions;
  /** Cheap scrypt parameters: the format and the code path are the real ones. */
  hasher: PasswordHasher;
}

type TestableService =
  AccessService | AuthService | ChannelService | MessageService | PresenceService | RoomService | UserService;

export interface TestServiceOptions {
  auth?: Partial<AuthOptions>;
  now?: number;
}

/** `const { sut, rooms, events } = createTestService(RoomService)`: the real service over mocks. */
export function createTestService<S extends TestableService>(
  Service: abstract new (...args: never[]) => S,
  options: TestServiceOptions = {},
): TestContext & { sut: S } {
  const events = new RecordingEventBus();
  vi.spyOn(events, 'emit');
  const ctx: TestContext = {
    users: automock(UserRepository),
    sessions: automock(SessionRepository),
    rooms: automock(RoomRepository),
    messages: automock(MessageRepository),
    files: automock(FileService),
    access: automock(AccessService),
    presence: { connect: vi.fn(), disconnect: vi.fn(), online: vi.fn(), onlineAmong: vi.fn(), close: vi.fn() },
    events: events as SpiedEventBus,
    clock: createFakeClock(options.now),
    logger: pino({ level: 'silent' }),
    authOptions: { ...defaultAuthOptions, ...options.auth },
    hasher: new PasswordHasher(TEST_SCRYPT),
  };
  // Funnels that only check what a repository returns run for real over the mocked repositories, so a spec
  // stubs `messages.findById` as before and sees the funnel's error.
  ctx.files.attachmentsOf.mockResolvedValue(new Map());
  ctx.files.removeStored.mockResolvedValue(undefined);
  const realAccess = new AccessService(ctx.rooms, ctx.messages);
  ctx.access.requireMessageInRoom.mockImplementation((roomId, messageId) =>
    realAccess.requireMessageInRoom(roomId, messageId),
  );
  return { ...ctx, sut: build(Service, ctx) };
}

function build<S extends TestableService>(Service: abstract new (...args: never[]) => S, c: TestContext): S {
  // Constructor argument lists differ per service; this mirrors the wiring in src/app.ts.
  const as = (service: TestableService) => service as S;
  switch (Service as unknown) {
    case AccessService:
      return as(new AccessService(c.rooms, c.messages));
    case AuthService:
      return as(new AuthService(c.users, c.sessions, c.events, c.authOptions, c.clock, c.logger, c.hasher));
    case ChannelService:
      return as(new ChannelService(c.rooms, c.users, c.access, c.events, c.clock));
    case MessageService:
      return as(new MessageService(c.messages, c.rooms, c.access, c.events, c.clock, c.files));
    case PresenceService:
      return as(new PresenceService(c.presence, c.users, c.access, c.events, c.clock, c.logger, 50));
    case RoomService:
      return as(new RoomService(c.rooms, c.users, c.access, c.events, c.clock));
    case UserService:
      return as(new UserService(c.users, c.events));
    default:
      throw new Error(`createTestService does not know how to build ${Service.name}`);
  }
}

/** Awaits a call expected to fail with an AppError of this code (not any other error). */
export async function expectAppError(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const error: unknown = await promise.then(
    () => new Error(`expected ${code}, the call succeeded`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

// The methods that change state. Typed with keyof, so a renamed repository method breaks the build here.
const WRITES: {
  rooms: (keyof RoomRepository)[];
  messages: (keyof MessageRepository)[];
  users: (keyof UserRepository)[];
  sessions: (keyof SessionRepository)[];
} = {
  rooms: [
    'createRoom',
    'createChannel',
    'reviveDirect',
    'addMembers',
    'removeMembers',
    'updateRoom',
    'updateChannel',
    'softDeleteRooms',
    'disableDirect',
    'updateMember',
    'advanceRead',
  ],
  messages: ['insert', 'edit', 'softDelete'],
  users: ['createWithRoom', 'setLastSeen', 'updateSettings'],
  sessions: ['create', 'touch', 'deleteByTokenHash', 'deleteUnusedSince'],
};

/** A refused request leaves no trace: no repository write, no domain event. */
export function expectNothingWritten(ctx: TestContext): void {
  for (const [repo, methods] of Object.entries(WRITES) as [keyof typeof WRITES, string[]][]) {
    const mock = ctx[repo] as unknown as Record<string, MockInstance>;
    for (const method of methods) {
      expect(mock[method], `${repo}.${method}`).not.toHaveBeenCalled();
    }
  }
  expect(ctx.events.emitted).toEqual([]);
}
