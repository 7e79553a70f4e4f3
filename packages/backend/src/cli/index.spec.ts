import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEnvFile, parseEnvFile } from './index';

describe(parseEnvFile.name, () => {
  it('reads the KEY=value subset systemd and docker share', () => {
    expect(
      parseEnvFile(
        [
          '# comment',
          'PYCHAT_PORT=8081',
          'export PYCHAT_HOST = 127.0.0.1',
          'PYCHAT_DB_URL="mariadb://u:p#x@h/db"',
          "PYCHAT_LOG_LEVEL='warn'",
          'PYCHAT_TLS=auto   # trailing comment',
          'EMPTY=',
          'not a line',
        ].join('\n'),
      ),
    ).toEqual({
      PYCHAT_PORT: '8081',
      PYCHAT_HOST: '127.0.0.1',
      PYCHAT_DB_URL: 'mariadb://u:p#x@h/db',
      PYCHAT_LOG_LEVEL: 'warn',
      PYCHAT_TLS: 'auto',
      EMPTY: '',
    });
  });

  it('fills only variables the environment does not set', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pychat-env-')), 'pychat.env');
    writeFileSync(file, 'PYCHAT_PORT=9000\nPYCHAT_HOST=127.0.0.1\n');
    const env: NodeJS.ProcessEnv = { PYCHAT_PORT: '7000' };
    expect(applyEnvFile(file, env)).toBe(file);
    expect(env).toEqual({ PYCHAT_PORT: '7000', PYCHAT_HOST: '127.0.0.1' });
    expect(() => applyEnvFile(join(file, 'missing'), {})).toThrow(/cannot read --env-file/);
  });
});
