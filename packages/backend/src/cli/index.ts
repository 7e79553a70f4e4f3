#!/usr/bin/env node
// `pychat <command>`: the operator's tool (replaces the original's shell helper and Django commands).
// Each command loads only what it needs, so `pychat healthcheck` (the container HEALTHCHECK) stays quick.
import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { restrictUmask } from '../private-files';
import { UsageError } from './usage-error';

export const USAGE = `Usage: pychat <command> [options]

  start                          run the server (what the container and systemd units run)
  migrate [--check]              apply pending database migrations, then exit; --check also fails (exit 1)
                                 when the entities and migrations disagree (prints the SQL a migration needs)
  create-user <username>         create an account [--email E] [--admin] [--password-stdin]
                                 (without --password-stdin a random password is printed)
  reset-password <login>         set a new password (username or email) [--password-stdin];
                                 signs the account out everywhere
  flush-online                   forget who is online (Redis presence keys of every instance)
  backup [file]                  SQLite: online copy with SQLite's backup API; MariaDB/MySQL: mariadb-dump.
                                 Default: <data dir>/backups/pychat-<time>.sqlite or .sql.gz
  restore <file> [--force]       put a backup back (stop Pychat first; --force skips that check)
  doctor                         check configuration, database, Redis, certificates and ports
  cert [--out FILE]              make sure the HTTPS certificate exists (self-signed with PYCHAT_TLS=auto);
                                 --out also writes key + certificate as one PEM file (for nginx)
  healthcheck                    exit 0 when the local server answers /api/health/live

Options for every command:
  --env-file FILE                read PYCHAT_* variables from FILE (KEY=value lines, as systemd's
                                 EnvironmentFile); default /etc/pychat/pychat.env when it exists.
                                 Variables already set in the environment win.
`;

export const DEFAULT_ENV_FILE = '/etc/pychat/pychat.env';

/** KEY=value lines (optionally quoted, `#` comments), the subset systemd's EnvironmentFile and docker's --env-file share. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) {
      continue;
    }
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      continue;
    }
    let value = match[2] ?? '';
    const quoted = /^(['"])(.*)\1$/.exec(value);
    value = quoted ? (quoted[2] ?? '') : value.replace(/\s+#.*$/, '');
    out[match[1] as string] = value;
  }
  return out;
}

/** Fills process.env from the env file without overriding what is already set. */
export function applyEnvFile(path: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const file = path ?? env.PYCHAT_ENV_FILE ?? (existsSync(DEFAULT_ENV_FILE) ? DEFAULT_ENV_FILE : undefined);
  if (!file) {
    return null;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (path === undefined && (error as NodeJS.ErrnoException).code === 'EACCES') {
      // The default file exists but belongs to root/pychat: say so rather than silently use defaults.
      throw new UsageError(`cannot read ${file} (permission denied); run as root or the pychat user`);
    }
    throw new UsageError(`cannot read --env-file ${file}: ${(error as Error).message}`);
  }
  for (const [key, value] of Object.entries(parseEnvFile(text))) {
    if (env[key] === undefined) {
      env[key] = value;
    }
  }
  return file;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'env-file': { type: 'string' },
      email: { type: 'string' },
      admin: { type: 'boolean', default: false },
      'password-stdin': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (!command || values.help || command === 'help') {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  applyEnvFile(values['env-file']);
  // Backups, a database created by `migrate`, the certificate: for the service user only, like the server's.
  restrictUmask();
  switch (command) {
    case 'start':
      // main.ts starts the server when loaded and owns the process from here on (signals, exit).
      await import('../main.js');
      return -1;
    case 'migrate':
      return (await import('./db-commands.js')).migrate({ check: values.check });
    case 'create-user':
      return (await import('./user-commands.js')).createUser(args[0], {
        email: values.email,
        admin: values.admin,
        passwordStdin: values['password-stdin'],
      });
    case 'reset-password':
      return (await import('./user-commands.js')).resetPassword(args[0], { passwordStdin: values['password-stdin'] });
    case 'flush-online':
      return (await import('./db-commands.js')).flushOnline();
    case 'backup':
      return (await import('./backup.js')).backup(args[0]);
    case 'restore':
      return (await import('./backup.js')).restore(args[0], { force: values.force });
    case 'doctor':
      return (await import('./doctor.js')).doctor();
    case 'cert':
      return (await import('./doctor.js')).cert(values.out);
    case 'healthcheck':
      return (await import('./healthcheck.js')).healthcheck();
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) {
        process.exit(code);
      }
    },
    (error: unknown) => {
      if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        console.error(`pychat: ${(error as Error).message}\n`);
        process.stderr.write(USAGE);
        process.exit(2);
      }
      console.error(`pychat: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
