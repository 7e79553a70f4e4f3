import type { QueryRunner, Logger as TypeOrmLogger } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { dialect, TestClient, useTestServer, type ConnectedUser } from './harness';

/**
 * What one connect costs the database (issue 17 target 3): the statements from the upgrade to session.ready.
 * TypeORM hands every statement (raw queries and repository calls alike) to its logger, whether logging is on or
 * not, so a counting logger sees them all.
 */
/**
 * The session (with its user), memberships with their rooms, unread counts with newest ids, member counts,
 * channels, the directory, settings, and the small rooms' members.
 */
const CONNECT_STATEMENTS = 8;

describe(`connect cost (${dialect})`, () => {
  const medium = useTestServer();

  function countStatements(): { statements: string[]; stop: () => void } {
    const dataSource = medium.server.pychat.dataSource;
    const original = dataSource.logger;
    const statements: string[] = [];
    const counting: TypeOrmLogger = Object.assign(Object.create(original) as TypeOrmLogger, {
      logQuery(query: string, parameters?: unknown[], queryRunner?: QueryRunner) {
        statements.push(query);
        original.logQuery(query, parameters, queryRunner);
      },
    });
    Object.defineProperty(dataSource, 'logger', { value: counting, configurable: true, writable: true });
    return {
      statements,
      stop: () => Object.defineProperty(dataSource, 'logger', { value: original, configurable: true, writable: true }),
    };
  }

  let rooms = 0;
  async function roomWithMessages(owner: ConnectedUser, other: ConnectedUser, messages: number): Promise<number> {
    const { room } = await owner.client.request('channel.create', {
      name: `c${(rooms += 1)}`,
      userIds: [other.user.id],
    });
    await other.client.waitFor('room.added', (d) => d.room.id === room.id);
    for (let i = 0; i < messages; i += 1) {
      await owner.client.request('message.send', { roomId: room.id, content: `m${i}`, localId: `l${room.id}-${i}` });
    }
    return room.id;
  }

  it(`builds session.ready in at most ${CONNECT_STATEMENTS} statements, unread counts and newest ids in one`, async () => {
    const alice = await medium.user();
    const bob = await medium.user();
    await roomWithMessages(alice, bob, 3);
    await roomWithMessages(alice, bob, 0);
    await roomWithMessages(bob, alice, 2);

    const counter = countStatements();
    let client: TestClient;
    try {
      client = await medium.connect(bob.token);
    } finally {
      counter.stop();
    }
    expect(client.ready.rooms.length).toBe(4);
    const states = new Map(client.ready.states.map((s) => [s.roomId, s]));
    expect([...states.values()].filter((s) => s.unread > 0)).toHaveLength(1);
    expect([...states.values()].filter((s) => s.lastMessageId > 0)).toHaveLength(2);
    expect(counter.statements.length, counter.statements.join('\n')).toBeLessThanOrEqual(CONNECT_STATEMENTS);
  });
});
