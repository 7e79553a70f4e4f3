// A client of the documented API, for the CI checks in this folder (image.sh, backup.sh). Plain HTTP(S) +
// WebSocket, any certificate accepted (the image's is self-signed).
//
//   node chat-check.mjs chat  URL STATE   sign up two users, exchange a message over the WebSocket,
//                                        write {tokens, message} to the STATE file
//   node chat-check.mjs read  URL STATE   read the message of STATE back (history over the WebSocket)
//   node chat-check.mjs page  URL         the web app's page is served (status 200, an HTML document)
//   node chat-check.mjs wait  URL [s]     wait until /api/health/live answers 200 (default 60 s)
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(fileURLToPath(new URL('../../packages/backend/package.json', import.meta.url)));
const WebSocket = require('ws');
const { PROTOCOL_VERSION } = require('@pychat/protocol/constants');
const ALL_ROOM_ID = 1;
const agent = new Agent({ rejectUnauthorized: false });

function http(method, url, body, token) {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? request : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method,
        agent: u.protocol === 'https:' ? agent : undefined,
        timeout: 10_000,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** POST /api/files with one small text file, multipart by hand (https with the self-signed certificate too). */
function upload(base, token, name, text) {
  const u = new URL(`${base}/api/files`);
  const boundary = `ci${randomBytes(8).toString('hex')}`;
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      `Content-Type: text/plain\r\n\r\n${text}\r\n--${boundary}--\r\n`,
  );
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? request : httpRequest)(
      u,
      {
        method: 'POST',
        agent: u.protocol === 'https:' ? agent : undefined,
        timeout: 10_000,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': body.length,
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let answer = '';
        res.on('data', (c) => (answer += c));
        res.on('end', () =>
          res.statusCode === 201
            ? resolve(JSON.parse(answer).file)
            : reject(new Error(`upload: ${res.statusCode} ${answer}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function signUp(base, username) {
  const res = await http('POST', `${base}/api/auth/sign-up`, { username, password: 'ci-secret-pass' });
  if (res.status !== 201) {
    throw new Error(`sign-up ${username}: ${res.status} ${res.text}`);
  }
  return JSON.parse(res.text);
}

/** A socket that has received session.ready, with request/reply and waiting for frames. */
function connect(base, token) {
  const wsUrl = `${base.replace(/^http/, 'ws')}/ws?v=${PROTOCOL_VERSION}`;
  const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false });
  const frames = [];
  const waiters = [];
  let nextId = 1;
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString());
    frames.push(frame);
    for (const w of [...waiters]) {
      if (w.match(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  });
  const wait = (match, what) =>
    new Promise((resolve, reject) => {
      const found = frames.find(match);
      if (found) {
        return resolve(found);
      }
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000);
      waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  const client = {
    wait,
    async request(type, data) {
      const id = nextId++;
      const answer = wait((f) => f.replyTo === id, `the reply to ${type}`);
      ws.send(JSON.stringify({ type, id, data }));
      const frame = await answer;
      if (frame.type === 'error') {
        throw new Error(`${type}: ${frame.data.code} ${frame.data.message}`);
      }
      return frame.data;
    },
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: HTTP ${res.statusCode}`)));
    wait((f) => f.type === 'session.ready', 'session.ready').then(() => resolve(client), reject);
  });
}

async function chat(base, stateFile) {
  const suffix = randomBytes(3).toString('hex');
  const alice = await signUp(base, `alice${suffix}`);
  const bob = await signUp(base, `bob${suffix}`);
  const a = await connect(base, alice.token);
  const b = await connect(base, bob.token);
  const content = `hello from the CI ${suffix} 👋`;
  // An attachment too: backups must carry the uploaded files, not only their rows.
  const fileText = `attached by the CI ${suffix}`;
  const file = await upload(base, alice.token, `ci-${suffix}.txt`, fileText);
  const sent = await a.request('message.send', {
    roomId: ALL_ROOM_ID,
    content,
    localId: `ci-${suffix}`,
    attachments: [file.id],
  });
  const got = await b.wait(
    (f) => f.type === 'message.new' && f.data.message.id === sent.message.id,
    'message.new at Bob',
  );
  if (got.data.message.content !== content || got.data.message.senderId !== alice.user.id) {
    throw new Error(`Bob got ${JSON.stringify(got.data.message)}`);
  }
  a.close();
  b.close();
  writeFileSync(stateFile, JSON.stringify({ alice, bob, message: sent.message, fileText }));
  console.log(
    `chat: ${alice.user.username} → ${bob.user.username} over the WebSocket: message ${sent.message.id} delivered`,
  );
}

async function read(base, stateFile) {
  const { bob, message, fileText } = JSON.parse(readFileSync(stateFile, 'utf8'));
  const b = await connect(base, bob.token);
  const history = await b.request('message.history', { roomId: ALL_ROOM_ID });
  b.close();
  const found = history.messages.find((m) => m.id === message.id);
  if (!found || found.content !== message.content) {
    throw new Error(
      `message ${message.id} is not in the history: ${JSON.stringify(history.messages.map((m) => m.id))}`,
    );
  }
  const [attachment] = found.attachments;
  const res = attachment ? await http('GET', `${base}${attachment.url}`, undefined, bob.token) : null;
  if (!res || res.status !== 200 || res.text !== fileText) {
    throw new Error(
      `the attachment of message ${message.id} did not come back: ${res?.status} ${res?.text.slice(0, 200)}`,
    );
  }
  console.log(`read: message ${message.id} is still there ("${found.content}"), with its file`);
}

async function page(base) {
  const res = await http('GET', `${base}/`);
  if (res.status !== 200 || !/<html/i.test(res.text)) {
    throw new Error(`GET / answered ${res.status}: ${res.text.slice(0, 200)}`);
  }
  console.log(`page: GET / 200, ${res.text.length} bytes of HTML`);
}

async function wait(base, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const status = await http('GET', `${base}/api/health/live`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`${base}/api/health/live did not answer 200 within ${seconds} s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const [command, base, arg] = process.argv.slice(2);
const commands = { chat, read, page, wait };
if (!commands[command] || !base) {
  console.error('usage: chat-check.mjs chat|read URL STATE | page URL | wait URL [seconds]');
  process.exit(2);
}
commands[command](base, arg).then(
  () => process.exit(0),
  (error) => {
    console.error(`FAIL: ${error.message}`);
    process.exit(1);
  },
);
