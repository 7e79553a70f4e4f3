import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The repository's own eslint.config.js, run on snippets placed in each layer: the import rules of
// docs/architecture.md ("Lint-enforced rules") must fail a violation, not only pass today's code.
// Only the layering rule runs, without type information (it needs none), so each snippet takes milliseconds.
const root = join(__dirname, '../../..');
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: join(root, 'eslint.config.js'),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports',
});

async function errors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, {
    filePath: join(root, 'packages/backend/src', file),
  });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('backend import layering (eslint.config.js)', () => {
  it.each([
    ['http/x.ts', "import { UserRepository as x } from '../repositories/user.repository';", 'http/ and ws/ reach'],
    ['http/middleware/x.ts', "import { createDataSource as x } from '../../db/data-source';", 'http/ and ws/ reach'],
    ['ws/handlers/x.ts', "import * as x from '../../repositories';", 'http/ and ws/ reach'],
    ['services/x.ts', "import { ConnectionRegistry as x } from '../ws/connections';", 'services/ must not depend'],
    ['services/x.ts', "import { readSessionToken as x } from '../http/session-token';", 'services/ must not depend'],
    ['services/x.ts', "import { In as x } from 'typeorm';", 'TypeORM stays in'],
    ['services/x.ts', "import type { EntityManager as x } from 'typeorm';", 'TypeORM stays in'],
    ['http/x.ts', "import { QueryFailedError as x } from 'typeorm/error/QueryFailedError';", 'TypeORM stays in'],
    ['bus/x.ts', "import { DataSource as x } from 'typeorm';", 'TypeORM stays in'],
    ['app.ts', "import { DataSource as x } from 'typeorm';", 'TypeORM stays in'],
    ['cli/x.ts', "import { UserEntity as x } from '../entities';", 'cli/ goes through the services'],
    ['cli/x.ts', "import { UserEntity as x } from '../entities/user.entity';", 'cli/ goes through the services'],
    // No named exceptions left in cli/: the user commands go through AuthService and RoomService.
    ['cli/user-commands.ts', "import { UserEntity as x } from '../entities';", 'cli/ goes through the services'],
    [
      'cli/user-commands.spec.ts',
      "import { SessionEntity as x } from '../entities';",
      'cli/ goes through the services',
    ],
    ['cli/user-commands.ts', "import type { DataSource as x } from 'typeorm';", 'TypeORM stays in'],
  ])('rejects %s: %s', async (file, code, message) => {
    expect(await errors(file, code)).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ['http/x.ts', "import { UserService as x } from '../services/user.service';"],
    ['ws/x.ts', "import { AppError as x } from '../errors';"],
    ['services/x.ts', "import { UserRepository as x } from '../repositories/user.repository';"],
    ['repositories/x.ts', "import { In as x } from 'typeorm';"],
    ['db/x.ts', "import { DataSource as x } from 'typeorm';"],
    ['entities/x.ts', "import { Column as x } from 'typeorm';"],
    ['migrations/x.ts', "import type { MigrationInterface as x } from 'typeorm';"],
    // Composition roots hold the DataSource db/ built: the type only.
    ['app.ts', "import type { DataSource as x } from 'typeorm';"],
    ['cli/context.ts', "import type { DataSource as x } from 'typeorm';"],
  ])('allows %s: %s', async (file, code) => {
    expect(await errors(file, code)).toEqual([]);
  });
});
