// Builds the extension: dist/unpacked/ (load it with chrome://extensions → "Load unpacked", or --load-extension)
// and dist/pychat-screen-cast-extension-<version>.zip (for the Chrome Web Store or a managed-browser policy).
//
//   node build.mjs [--origin https://chat.example.com]... [--out dir] [--key <base64 public key>]
//
// Origins (the Pychat sites that may talk to the extension) also come from PYCHAT_EXTENSION_ORIGINS
// (comma-separated); default: http(s)://localhost and http://127.0.0.1 on any port, for development.
// --key / PYCHAT_EXTENSION_KEY pins the extension id of an unpacked install (the manifest's "key").
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crc32, deflateRawSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_ORIGINS = ['http://localhost', 'https://localhost', 'http://127.0.0.1'];

/**
 * An origin (`https://chat.example.com[:port]`) or a match pattern (`https://*.example.com/*`) → the match pattern
 * externally_connectable takes. Chromium refuses wildcard-only hosts there, so they are refused here too.
 */
export function toMatchPattern(origin) {
  const m = /^(https?):\/\/(\*\.)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:\d{1,5})?(\/\*)?\/?$/.exec(origin.trim());
  if (!m) {
    throw new Error(`not an http(s) origin or match pattern: "${origin}"`);
  }
  const [, scheme, wildcard = '', host, port = ''] = m;
  if (wildcard && !host.includes('.')) {
    throw new Error(`a wildcard needs a registrable domain under it: "${origin}"`);
  }
  return `${scheme}://${wildcard}${host}${port}/*`;
}

/** Chromium's id for a key: the first 128 bits of SHA-256 of the DER public key, as letters a-p. */
export function extensionIdOfKey(base64Key) {
  const hex = createHash('sha256').update(Buffer.from(base64Key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

export function manifest({ origins, version, key }) {
  return {
    manifest_version: 3,
    name: 'Pychat screen sharing',
    version,
    description: 'Lets your Pychat site share your screen where the browser cannot do it by itself.',
    minimum_chrome_version: '110',
    permissions: ['desktopCapture'],
    background: { service_worker: 'background.js', type: 'module' },
    externally_connectable: { matches: [...new Set(origins.map(toMatchPattern))] },
    ...(key ? { key } : {}),
  };
}

/** A zip of `files` ({ name, data }), deflated, with a fixed date so that a rebuild gives the same bytes. */
export function zip(files) {
  const locals = [];
  const central = [];
  let offset = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  for (const { name, data } of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed
    header.writeUInt16LE(0x0800, 6); // UTF-8 names
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(0, 10);
    header.writeUInt16LE(DOS_DATE, 12);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(packed.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    locals.push(header, nameBytes, packed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(0, 12);
    entry.writeUInt16LE(DOS_DATE, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += header.length + nameBytes.length + packed.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, end]);
}

/** Writes <out>/unpacked/ and <out>/<zip>; returns their paths and the manifest. */
export function build({ origins = DEFAULT_ORIGINS, out = join(here, 'dist'), key } = {}) {
  const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
  const unpacked = join(out, 'unpacked');
  rmSync(unpacked, { recursive: true, force: true });
  mkdirSync(unpacked, { recursive: true });
  const built = manifest({ origins, version, key });
  const files = [{ name: 'manifest.json', data: Buffer.from(`${JSON.stringify(built, null, 2)}\n`) }];
  for (const name of readdirSync(join(here, 'src')).filter((f) => f.endsWith('.js') && !f.endsWith('.spec.js'))) {
    copyFileSync(join(here, 'src', name), join(unpacked, name));
    files.push({ name, data: readFileSync(join(here, 'src', name)) });
  }
  writeFileSync(join(unpacked, 'manifest.json'), files[0].data);
  const zipPath = join(out, `pychat-screen-cast-extension-${version}.zip`);
  writeFileSync(zipPath, zip(files));
  return { unpacked, zip: zipPath, manifest: built, id: key ? extensionIdOfKey(key) : null };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { origin: { type: 'string', multiple: true }, out: { type: 'string' }, key: { type: 'string' } },
  });
  const fromEnv = (process.env.PYCHAT_EXTENSION_ORIGINS ?? '').split(',').filter((o) => o.trim());
  const origins = values.origin ?? (fromEnv.length > 0 ? fromEnv : DEFAULT_ORIGINS);
  const result = build({
    origins,
    out: values.out ? resolve(values.out) : undefined,
    key: values.key ?? (process.env.PYCHAT_EXTENSION_KEY || undefined),
  });
  console.log(`screen_cast_extension: ${result.unpacked} and ${result.zip}`);
  console.log(`  externally_connectable: ${result.manifest.externally_connectable.matches.join(' ')}`);
  console.log(
    result.id
      ? `  extension id: ${result.id} (set PYCHAT_SCREEN_CAST_EXTENSION_ID to it)`
      : '  extension id: given by Chromium at install (chrome://extensions); set PYCHAT_SCREEN_CAST_EXTENSION_ID to it',
  );
}
