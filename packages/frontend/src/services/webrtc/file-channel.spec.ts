// @vitest-environment node
// Node's Blob reads slices (jsdom's has no arrayBuffer); nothing here needs a DOM.
import { describe, expect, it } from 'vitest';
import { BUFFER_HIGH_BYTES, CHUNK_BYTES, receiveFile, sendFile, sha256Hex, WINDOW_BYTES } from './file-channel';

/** Enough of an RTCDataChannel: records sends; the test moves bufferedAmount and fires events by hand. */
class FakeChannel {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType = 'arraybuffer';
  sent: (ArrayBuffer | string)[] = [];
  onmessage: ((event: MessageEvent) => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  readonly #listeners: Record<string, (() => void)[]> = {};
  /** Every send adds to bufferedAmount, as a channel whose network is slower than the sender. */
  buffering = true;

  send(data: ArrayBuffer | string): void {
    this.sent.push(data);
    if (typeof data !== 'string' && this.buffering) {
      this.bufferedAmount += data.byteLength;
    }
  }

  addEventListener(type: string, listener: () => void): void {
    (this.#listeners[type] ??= []).push(listener);
  }

  close(): void {
    this.readyState = 'closed';
    for (const listener of this.#listeners.close ?? []) {
      listener();
    }
  }

  deliver(data: ArrayBuffer | string): void {
    this.onmessage?.({ data } as MessageEvent);
  }

  bytesSent(): number {
    return this.sent.reduce((sum, d) => sum + (typeof d === 'string' ? 0 : d.byteLength), 0);
  }

  get asChannel(): RTCDataChannel {
    return this as unknown as RTCDataChannel;
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function blobOf(size: number): Blob {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) {
    bytes[i] = i % 251;
  }
  return new Blob([bytes]);
}

describe('sendFile', () => {
  it('stops queueing above the high-water mark and goes on only at bufferedamountlow', async () => {
    const channel = new FakeChannel();
    const file = blobOf(BUFFER_HIGH_BYTES * 2);
    void sendFile(channel.asChannel, file, 0, () => undefined, new AbortController().signal);
    for (let i = 0; i < 20; i += 1) {
      await tick();
    }
    const before = channel.bytesSent();
    expect(before).toBeGreaterThan(BUFFER_HIGH_BYTES);
    expect(before).toBeLessThanOrEqual(BUFFER_HIGH_BYTES + CHUNK_BYTES);
    for (let i = 0; i < 20; i += 1) {
      await tick();
    }
    // Nothing polls: without the event nothing more is sent.
    expect(channel.bytesSent()).toBe(before);

    channel.bufferedAmount = 0;
    channel.onbufferedamountlow?.();
    for (let i = 0; i < 20; i += 1) {
      await tick();
    }
    expect(channel.bytesSent()).toBeGreaterThan(before);
  });

  it('keeps at most a window beyond the last ack in flight, resumes from the offset, and ends at the verdict', async () => {
    const channel = new FakeChannel();
    channel.buffering = false;
    const start = 1000;
    const file = blobOf(WINDOW_BYTES * 2);
    const acked: number[] = [];
    const done = sendFile(channel.asChannel, file, start, (n) => acked.push(n), new AbortController().signal);
    for (let i = 0; i < 50; i += 1) {
      await tick();
    }
    expect(channel.bytesSent()).toBeGreaterThan(WINDOW_BYTES - CHUNK_BYTES);
    expect(channel.bytesSent()).toBeLessThanOrEqual(WINDOW_BYTES + CHUNK_BYTES);
    // The first chunk is the file's bytes from the resume offset.
    expect(new Uint8Array(channel.sent[0] as ArrayBuffer)[0]).toBe(start % 251);

    channel.deliver(JSON.stringify({ t: 'ack', bytes: file.size }));
    for (let i = 0; i < 50; i += 1) {
      await tick();
    }
    expect(channel.bytesSent()).toBe(file.size - start);
    expect(acked).toEqual([file.size]);
    channel.deliver(JSON.stringify({ t: 'done', ok: true }));
    expect(await done).toBe(true);
  });

  it('fails when the peer connection is aborted mid-way', async () => {
    const channel = new FakeChannel();
    const abort = new AbortController();
    const done = sendFile(channel.asChannel, blobOf(BUFFER_HIGH_BYTES * 2), 0, () => undefined, abort.signal);
    await tick();
    abort.abort();
    await expect(done).rejects.toThrow('The connection was lost');
  });
});

describe('receiveFile', () => {
  it('writes in batches, acks what is written, and resolves at the size', async () => {
    const channel = new FakeChannel();
    const written: number[] = [];
    const size = 3 * 1024 * 1024 + 5;
    const sink = { write: async (data: Blob) => void written.push(data.size) };
    const done = receiveFile(channel.asChannel, sink, 0, size, () => undefined, new AbortController().signal);
    for (let at = 0; at < size; at += CHUNK_BYTES) {
      channel.deliver(new ArrayBuffer(Math.min(CHUNK_BYTES, size - at)));
    }
    await done;
    expect(written.reduce((a, b) => a + b, 0)).toBe(size);
    expect(written.length).toBe(4);
    const acks = channel.sent.filter((d): d is string => typeof d === 'string').map((d) => JSON.parse(d) as unknown);
    expect(acks.at(-1)).toEqual({ t: 'ack', bytes: size });
  });

  it('refuses more bytes than the file has', async () => {
    const channel = new FakeChannel();
    const sink = { write: async () => undefined };
    const done = receiveFile(channel.asChannel, sink, 10, 20, () => undefined, new AbortController().signal);
    channel.deliver(new ArrayBuffer(11));
    await expect(done).rejects.toThrow('more bytes');
  });

  it('writes what arrived before a lost connection, then fails, so a resume starts after it', async () => {
    const channel = new FakeChannel();
    let written = 0;
    const sink = { write: async (data: Blob) => void (written += data.size) };
    const done = receiveFile(
      channel.asChannel,
      sink,
      0,
      10 * CHUNK_BYTES,
      () => undefined,
      new AbortController().signal,
    );
    channel.deliver(new ArrayBuffer(CHUNK_BYTES));
    channel.close();
    await expect(done).rejects.toThrow('The connection was lost');
    expect(written).toBe(CHUNK_BYTES);
  });
});

describe('sha256Hex', () => {
  it('hashes a blob slice by slice to the standard digest', async () => {
    expect(await sha256Hex(new Blob(['abc']))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
