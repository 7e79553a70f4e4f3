import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config/config';

/** What an HTTPS server needs, plus what to tell the operator about it. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly source: 'files' | 'self-signed';
  /** Where it was read from (the certificate file, or the generated bundle). */
  readonly path: string;
  readonly subject: string;
  readonly validTo: Date;
  readonly fingerprint256: string;
}

/** The generated bundle: private key and certificate in one PEM file, so both change together. */
export const SELF_SIGNED_FILE = 'selfsigned.pem';
/** Self-signed certificates live this long; one expiring within RENEW_BEFORE_MS is replaced at start. */
const SELF_SIGNED_DAYS = 825;
const RENEW_BEFORE_MS = 30 * 86_400_000;

export class TlsError extends Error {}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----\r?\n?/g;

/** Splits a PEM file into its key and its certificate chain (the order of the blocks does not matter). */
export function splitPem(pem: string): { key: string; cert: string } {
  let key = '';
  let cert = '';
  for (const match of pem.matchAll(PEM_BLOCK)) {
    const block = match[0].endsWith('\n') ? match[0] : `${match[0]}\n`;
    if (match[1] === 'CERTIFICATE') {
      cert += block;
    } else if (match[1]?.endsWith('PRIVATE KEY')) {
      key ||= block;
    }
  }
  return { key, cert };
}

/**
 * Checks that the key belongs to the first certificate and describes it. Throws TlsError in plain words;
 * `what` names the source in the message (a file path or a variable).
 */
export function inspectTls(cert: string, key: string, what: string): Omit<TlsMaterial, 'source' | 'path'> {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsError(`${what}: no readable PEM certificate in it`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsError(`${what}: no readable PEM private key (an encrypted key needs its passphrase removed)`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsError(`${what}: the private key does not belong to the certificate`);
  }
  return {
    cert,
    key,
    subject: x509.subject.replace(/\n/g, ', '),
    validTo: new Date(x509.validTo),
    fingerprint256: x509.fingerprint256,
  };
}

function readFile(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new TlsError(`${variable} ${path}: cannot read it (${why})`);
  }
}

/** Names the self-signed certificate is valid for: localhost, this host's name and its addresses. */
function selfSignedNames(): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (!a.internal && !a.address.startsWith('fe80:')) {
        ips.add(a.address);
      }
    }
  }
  return { dns: [...dns].filter(Boolean), ips: [...ips] };
}

export async function generateSelfSigned(now = new Date()): Promise<string> {
  // Loaded only when needed: plain-HTTP and real-certificate starts never pay for it.
  const { generate } = await import('selfsigned');
  const { dns, ips } = selfSignedNames();
  const result = await generate(
    [
      { name: 'commonName', value: dns[1] ?? 'localhost' },
      { name: 'organizationName', value: 'Pychat (self-signed)' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - 60_000),
      notAfterDate: new Date(now.getTime() + SELF_SIGNED_DAYS * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...dns.map((value) => ({ type: 2 as const, value })),
            ...ips.map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    },
  );
  return `${result.private.trim()}\n${result.cert.trim()}\n`;
}

/**
 * The self-signed bundle in `dir`, made on first use. Several instances may share the data dir (compose
 * with two instances on one volume): the bundle is written to a temporary file and hard-linked into place,
 * so exactly one generated certificate wins and every instance serves that one.
 */
export async function ensureSelfSigned(dir: string, now = new Date()): Promise<TlsMaterial> {
  const path = join(dir, SELF_SIGNED_FILE);
  const renewing = existsSync(path);
  if (renewing) {
    const { cert, key } = splitPem(readFile(path, 'self-signed certificate'));
    try {
      const info = inspectTls(cert, key, path);
      if (info.validTo.getTime() - now.getTime() > RENEW_BEFORE_MS) {
        return { ...info, source: 'self-signed', path };
      }
    } catch {
      // Damaged or foreign content: replace it below.
    }
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pem = await generateSelfSigned(now);
  // Random: instances in separate containers may well share a pid (1).
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, pem, { mode: 0o600 });
  try {
    if (renewing) {
      renameSync(tmp, path); // replacing an expiring or damaged bundle
    } else {
      linkSync(tmp, path); // EEXIST when another instance was faster: use theirs
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  } finally {
    if (existsSync(tmp)) {
      unlinkSync(tmp);
    }
  }
  const { cert, key } = splitPem(readFileSync(path, 'utf8'));
  return { ...inspectTls(cert, key, path), source: 'self-signed', path };
}

/** The certificate Pychat serves, or null for plain HTTP. Throws TlsError with a plain-words reason. */
export async function loadTls(tls: Config['tls']): Promise<TlsMaterial | null> {
  if (tls === null) {
    return null;
  }
  if (tls.source === 'self-signed') {
    return ensureSelfSigned(tls.dir);
  }
  const cert = readFile(tls.cert, 'PYCHAT_TLS_CERT');
  const key = readFile(tls.key, 'PYCHAT_TLS_KEY');
  const info = inspectTls(cert, key, `PYCHAT_TLS_CERT ${tls.cert} with PYCHAT_TLS_KEY ${tls.key}`);
  return { ...info, source: 'files', path: tls.cert };
}

/**
 * A plain-HTTP listener that sends every request to the same host over HTTPS (308 keeps the method and
 * body). `httpsPort` is the port browsers reach HTTPS on; 443 is left out of the URL.
 */
export function createRedirectServer(httpsPort: number): Server {
  return createServer((req, res) => {
    const hostHeader = req.headers.host ?? '';
    // Strip the port of "host:80" or "[::1]:80", keep IPv6 brackets; anything odd becomes localhost.
    const host = /^[\w.-]+(:\d+)?$|^\[[\da-fA-F:.]+\](:\d+)?$/.test(hostHeader)
      ? hostHeader.replace(/:\d+$/, '')
      : 'localhost';
    const port = httpsPort === 443 ? '' : `:${httpsPort}`;
    res.writeHead(308, { location: `https://${host}${port}${req.url ?? '/'}`, 'content-length': '0' });
    res.end();
  });
}
