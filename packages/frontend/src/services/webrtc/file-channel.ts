/**
 * The file on an RTCDataChannel (docs/p2p.md §3): binary messages are the file's bytes in order from the
 * accepted offset; text messages go back from the receiver, `{"t":"ack","bytes":n}` once n bytes are on disk
 * and `{"t":"done","ok":bool}` after the SHA-256 check.
 */

/** Chromium sends messages up to 256 KiB; 64 KiB keeps each under every browser's limit. */
export const CHUNK_BYTES = 64 * 1024;
/** The sender stops queueing above this and resumes at `bufferedamountlow` (BUFFER_LOW_BYTES). */
export const BUFFER_HIGH_BYTES = 4 * 1024 * 1024;
export const BUFFER_LOW_BYTES = 1024 * 1024;
/**
 * Bytes in flight beyond the receiver's last ack. The browser cannot pause a data channel's reader, so this
 * is what bounds the receiver's memory when its disk is slower than the network.
 */
export const WINDOW_BYTES = 16 * 1024 * 1024;
/** The receiver writes (and acks) in batches of this size: one disk write per MiB, not per chunk. */
export const WRITE_BATCH_BYTES = 1024 * 1024;
/** Slice read from the file at a time, for sending and hashing. */
const READ_BYTES = 4 * 1024 * 1024;

export type ReceiverMessage = { t: 'ack'; bytes: number } | { t: 'done'; ok: boolean };

/** Incremental SHA-256 of a Blob (WebCrypto digests only whole buffers), read a slice at a time. */
export async function sha256Hex(blob: Blob, onProgress: (bytes: number) => void = () => undefined): Promise<string> {
  // Loaded on the first direct transfer: not part of the first view's bundle (scripts/check-bundle-budget.mjs).
  const [{ sha256 }, { bytesToHex }] = await Promise.all([
    import('@noble/hashes/sha2.js'),
    import('@noble/hashes/utils.js'),
  ]);
  const hash = sha256.create();
  for (let offset = 0; offset < blob.size; offset += READ_BYTES) {
    const slice = blob.slice(offset, Math.min(offset + READ_BYTES, blob.size));
    hash.update(new Uint8Array(await slice.arrayBuffer()));
    onProgress(Math.min(offset + READ_BYTES, blob.size));
  }
  return bytesToHex(hash.digest());
}

/** A promise to wait for the next occurrence of something; failing it rejects every waiter from then on. */
class Wakeup {
  #waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #error: Error | null = null;

  next(): Promise<void> {
    if (this.#error) {
      return Promise.reject(this.#error);
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  fire(): void {
    for (const waiter of this.#waiters.splice(0)) {
      waiter.resolve();
    }
  }

  fail(error: Error): void {
    this.#error ??= error;
    for (const waiter of this.#waiters.splice(0)) {
      waiter.reject(error);
    }
  }
}

/**
 * Sends `file` from `start` over an open channel: flow control by `bufferedAmountLowThreshold` (no polling)
 * and by the receiver's acks. Resolves with the receiver's verdict; rejects when the channel closes first.
 */
export function sendFile(
  channel: RTCDataChannel,
  file: Blob,
  start: number,
  onProgress: (acked: number) => void,
  abort: AbortSignal,
): Promise<boolean> {
  const drained = new Wakeup();
  const acked = new Wakeup();
  let ackedBytes = start;
  let verdict: (ok: boolean) => void = () => undefined;
  const done = new Promise<boolean>((resolve) => {
    verdict = resolve;
  });
  channel.bufferedAmountLowThreshold = BUFFER_LOW_BYTES;
  channel.onbufferedamountlow = () => drained.fire();
  channel.onmessage = (event: MessageEvent) => {
    if (typeof event.data !== 'string') {
      return;
    }
    const message = JSON.parse(event.data) as ReceiverMessage;
    if (message.t === 'ack') {
      ackedBytes = message.bytes;
      onProgress(ackedBytes);
      acked.fire();
    } else {
      verdict(message.ok);
    }
  };
  // A closed peer connection closes its channels without a close event: the abort signal covers that.
  const closed = new Promise<never>((_, reject) => {
    const lost = () => {
      const error = new Error('The connection was lost');
      drained.fail(error);
      acked.fail(error);
      reject(error);
    };
    channel.addEventListener('close', lost);
    abort.addEventListener('abort', lost);
  });
  closed.catch(() => undefined);

  const pump = async () => {
    let offset = start;
    while (offset < file.size) {
      const slice = await file.slice(offset, Math.min(offset + READ_BYTES, file.size)).arrayBuffer();
      for (let at = 0; at < slice.byteLength; at += CHUNK_BYTES) {
        while (channel.bufferedAmount > BUFFER_HIGH_BYTES) {
          await drained.next();
        }
        while (offset - ackedBytes > WINDOW_BYTES) {
          await acked.next();
        }
        if (channel.readyState !== 'open') {
          throw new Error('The connection was lost');
        }
        const chunk = slice.slice(at, Math.min(at + CHUNK_BYTES, slice.byteLength));
        channel.send(chunk);
        offset += chunk.byteLength;
      }
    }
  };
  return Promise.race([pump().then(() => done), closed]);
}

/** Where received bytes go: appended in order (an OPFS writable stream positioned at the resume offset). */
export interface ByteSink {
  write(data: Blob): Promise<void>;
}

/**
 * Receives the file's bytes from `start` into `sink`, writing in batches and acking each batch, so the
 * sender never has more than WINDOW_BYTES unwritten in this tab. Resolves once `size` bytes are written.
 */
export function receiveFile(
  channel: RTCDataChannel,
  sink: ByteSink,
  start: number,
  size: number,
  onProgress: (written: number) => void,
  abort: AbortSignal,
): Promise<void> {
  channel.binaryType = 'arraybuffer';
  let received = start;
  let written = start;
  let batch: ArrayBuffer[] = [];
  let batchBytes = 0;
  let queue = Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const flush = () => {
      const data = new Blob(batch);
      batch = [];
      batchBytes = 0;
      queue = queue
        .then(() => sink.write(data))
        .then(() => {
          written += data.size;
          onProgress(written);
          if (channel.readyState === 'open') {
            channel.send(JSON.stringify({ t: 'ack', bytes: written } satisfies ReceiverMessage));
          }
          if (written === size) {
            resolve();
          }
        });
      queue.catch(reject);
    };
    channel.onmessage = (event: MessageEvent) => {
      if (!(event.data instanceof ArrayBuffer)) {
        return;
      }
      received += event.data.byteLength;
      if (received > size) {
        reject(new Error('The sender sent more bytes than the file has'));
        channel.close();
        return;
      }
      batch.push(event.data);
      batchBytes += event.data.byteLength;
      if (batchBytes >= WRITE_BATCH_BYTES || received === size) {
        flush();
      }
    };
    let ended = false;
    const lost = () => {
      if (ended) {
        return;
      }
      ended = true;
      // Whatever arrived is written before the caller commits the file for a later resume.
      if (batchBytes > 0) {
        flush();
      }
      void queue.then(() => {
        if (written < size) {
          reject(new Error('The connection was lost'));
        }
      }, reject);
    };
    channel.addEventListener('close', lost);
    abort.addEventListener('abort', lost);
  });
}
