import { createECDH, createHmac, createDecipheriv, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One push as the stand-in push service received it, decrypted. */
export interface ReceivedPush {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The decrypted body (UTF-8), null when the request had none. */
  text: string | null;
  /** The claims of the VAPID JWT, after its ES256 signature was checked against the `k=` key. */
  vapid: { aud: string; exp: number; sub: string; publicKey: string };
}

/** A browser's side of a subscription: its P-256 key pair and auth secret, as PushManager makes them. */
export class BrowserKeys {
  readonly #ecdh: ECDH = createECDH('prime256v1');
  readonly auth = randomBytes(16);
  readonly publicKey: Buffer;

  constructor() {
    this.publicKey = this.#ecdh.generateKeys();
  }

  /** `PushSubscription.toJSON().keys`. */
  get json(): { p256dh: string; auth: string } {
    return { p256dh: this.publicKey.toString('base64url'), auth: this.auth.toString('base64url') };
  }

  /**
   * RFC 8291 + RFC 8188 (aes128gcm, one record), written from the RFCs rather than with the library the server
   * uses, so the two have to agree: header salt(16) rs(4) idlen(1) keyid(= the server's ephemeral public key).
   */
  decrypt(body: Buffer): string {
    const salt = body.subarray(0, 16);
    const idLength = body[20]!;
    const serverKey = body.subarray(21, 21 + idLength);
    const record = body.subarray(21 + idLength);
    const shared = this.#ecdh.computeSecret(serverKey);
    const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), this.publicKey, serverKey]);
    const ikm = hmac(hmac(this.auth, shared), Buffer.concat([keyInfo, Buffer.from([1])]));
    const prk = hmac(salt, ikm);
    const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
    const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    // Padding: the last record ends with the delimiter 0x02 followed by zeros.
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) {
      end -= 1;
    }
    if (plain[end] !== 2) {
      throw new Error('no last-record delimiter');
    }
    return plain.subarray(0, end).toString('utf8');
  }
}

/** Checks `Authorization: vapid t=<jwt>, k=<key>` (RFC 8292) and returns its claims; throws when it does not hold. */
function checkVapid(header: string | undefined): ReceivedPush['vapid'] {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? '');
  if (!match) {
    throw new Error(`no VAPID authorization: ${header}`);
  }
  const [, jwt, k] = match as unknown as [string, string, string];
  const [head, claims, signature] = jwt.split('.') as [string, string, string];
  const raw = Buffer.from(k, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const ok = verify(
    'sha256',
    Buffer.from(`${head}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok || JSON.parse(Buffer.from(head, 'base64url').toString()).alg !== 'ES256') {
    throw new Error('VAPID signature does not verify');
  }
  return {
    ...(JSON.parse(Buffer.from(claims, 'base64url').toString()) as { aud: string; exp: number; sub: string }),
    publicKey: k,
  };
}

/**
 * A push service on 127.0.0.1 (the server needs PYCHAT_PUSH_ALLOW_LOOPBACK): each subscription gets an endpoint
 * here, every POST is decrypted with that subscription's browser keys and its VAPID JWT checked. `status`
 * picks the answer per endpoint (201 unless set, 410 "gone").
 */
export class PushStandIn {
  readonly received: ReceivedPush[] = [];
  /** Requests that failed the checks (bad signature, undecryptable): a test expects none. */
  readonly rejected: string[] = [];
  readonly status = new Map<string, number>();
  readonly #browsers = new Map<string, BrowserKeys>();
  #server: Server | null = null;
  #base = '';
  #next = 0;

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        try {
          const browser = this.#browsers.get(path);
          if (!browser) {
            throw new Error(`unknown endpoint ${path}`);
          }
          const body = Buffer.concat(chunks);
          const vapid = checkVapid(req.headers.authorization);
          this.received.push({
            path,
            headers: req.headers,
            text: body.length > 0 ? browser.decrypt(body) : null,
            vapid,
          });
        } catch (error) {
          this.rejected.push((error as Error).message);
          res.writeHead(400).end();
          return;
        }
        res.writeHead(this.status.get(path) ?? 201).end();
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** A new browser subscription: what pushManager.subscribe gives, as the body of POST /api/push/subscriptions. */
  subscription(): { endpoint: string; keys: { p256dh: string; auth: string } } {
    this.#next += 1;
    const path = `/push/${this.#next}-${randomBytes(6).toString('hex')}`;
    const browser = new BrowserKeys();
    this.#browsers.set(path, browser);
    return { endpoint: `${this.#base}${path}`, keys: browser.json };
  }

  /** The decrypted payloads sent to this endpoint, parsed. */
  payloadsFor(endpoint: string): unknown[] {
    const path = new URL(endpoint).pathname;
    return this.received.filter((r) => r.path === path).map((r) => JSON.parse(r.text ?? 'null') as unknown);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
