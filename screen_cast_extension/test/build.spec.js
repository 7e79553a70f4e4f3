import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { build, DEFAULT_ORIGINS, extensionIdOfKey, manifest, toMatchPattern } from '../build.mjs';

describe('the extension build', () => {
  it('writes the site origins into externally_connectable as match patterns', () => {
    expect(toMatchPattern('https://chat.example.com')).toBe('https://chat.example.com/*');
    expect(toMatchPattern('https://chat.example.com:8443/')).toBe('https://chat.example.com:8443/*');
    expect(toMatchPattern('https://*.example.com/*')).toBe('https://*.example.com/*');
    const built = manifest({ origins: DEFAULT_ORIGINS, version: '1.0.0' });
    expect(built.externally_connectable.matches).toEqual([
      'http://localhost/*',
      'https://localhost/*',
      'http://127.0.0.1/*',
    ]);
    expect(built.permissions).toEqual(['desktopCapture']);
    expect(built.manifest_version).toBe(3);
  });

  it('refuses what Chromium would refuse or what would open the extension to any site', () => {
    for (const bad of [
      '*://*/*',
      'https://*/*',
      'https://*.com/*',
      'ftp://chat.example.com',
      'chat.example.com',
      '<all_urls>',
    ]) {
      expect(() => toMatchPattern(bad), bad).toThrow();
    }
  });

  it('packs a zip holding the manifest and the service worker', () => {
    const out = mkdtempSync(join(tmpdir(), 'pychat-ext-'));
    const result = build({ origins: ['https://chat.example.com'], out });
    const zip = readFileSync(result.zip);
    // Walk the local headers: name, then the deflated bytes.
    const files = {};
    for (let at = 0; zip.readUInt32LE(at) === 0x04034b50;) {
      const size = zip.readUInt32LE(at + 18);
      const nameLength = zip.readUInt16LE(at + 26);
      const name = zip.subarray(at + 30, at + 30 + nameLength).toString();
      files[name] = inflateRawSync(zip.subarray(at + 30 + nameLength, at + 30 + nameLength + size)).toString();
      at += 30 + nameLength + size;
    }
    expect(Object.keys(files).sort()).toEqual(['background.js', 'handshake.js', 'manifest.json']);
    expect(JSON.parse(files['manifest.json']).externally_connectable.matches).toEqual(['https://chat.example.com/*']);
    expect(files['background.js']).toContain('onMessageExternal');
  });

  it("derives Chromium's id from a pinned key", () => {
    // The id is 32 letters a-p, the alphabet PYCHAT_SCREEN_CAST_EXTENSION_ID accepts.
    expect(extensionIdOfKey(Buffer.from('any public key').toString('base64'))).toMatch(/^[a-p]{32}$/);
  });
});
